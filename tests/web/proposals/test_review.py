"""Peer review through the web: opening a round, the preview, publishing, writing (input kept on error),
release, answers and ratings, the dashboard and the CSV."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from core.dates import utcnow
from core.extensions import db
from proposals.models import Proposal
from proposals.review import services as review_services
from proposals.review.models import AssignmentStatus, ReviewAssignment, ReviewRound
from tests import factories, factories_proposals as fp


def _two(app, year):  # type: ignore[no-untyped-def]
    with app.app_context():
        p = fp.proposal(year.team1, author=year.a1, submit=True)
        q = fp.proposal(year.team2, author=year.b1, submit=True, title="市境を越える子育て支援")
        return p.id, q.id


def _reviewed(year, pid: int, qid: int):  # type: ignore[no-untyped-def]
    """(In an app context) a round on both proposals, one review each, the one on ``pid`` submitted."""
    rnd = fp.review_round(year.cohort, [db.session.get(Proposal, pid), db.session.get(Proposal, qid)],
                          facilitator=year.facilitator, reviews=1)
    a = next(x for x in rnd.assignments if x.round_proposal.proposal_id == pid)
    fp.submit_review(a, overall="効果の根拠をもう少し示してほしい。")
    return rnd, a


def test_open_a_round_preview_adjust_publish(app, login, year) -> None:
    pid, qid = _two(app, year)
    staff = login(year.facilitator)
    url = f"/cohorts/{year.cohort.id}/review-rounds/new"
    form = staff.get(url).get_data(as_text=True)
    assert "8市で支える防災人材バンク" in form and 'checked' in form  # submitted proposals, preselected
    bad = staff.post(url, data={"title": "中間の相互評価", "deadline": "2020-01-01T10:00", "reviews_per_proposal": "3",
                                "proposals": [str(pid), str(qid)], "instructions": "丁寧に"})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "締切は今より後の日時にしてください" in body
    assert 'value="中間の相互評価"' in body and "丁寧に" in body  # what was typed is kept
    garbled = staff.post(url, data={"title": "x", "deadline": "来週", "reviews_per_proposal": "99"})
    assert garbled.status_code == 400 and "日時を正しく入力してください" in garbled.get_data(as_text=True)
    made = staff.post(url, data={"title": "中間の相互評価", "deadline": "2099-01-10T17:00", "reviews_per_proposal": "2",
                                 "proposals": [str(pid), str(qid)], "hide_reviewers": "y", "seed": "5"})
    rid = int(re.search(r"/review-rounds/(\d+)", made.headers["Location"]).group(1))
    preview = staff.get(f"/review-rounds/{rid}").get_data(as_text=True)
    assert "割り当ての確認" in preview and "全提案書が目標数" in preview and "自チームの査読・重複なし" in preview
    assert "準備中" in preview and year.a1.name in preview
    assert login(year.a1).get("/reviews").get_data(as_text=True).count("/reviews/") == 0  # not yet published
    with app.app_context():
        a = db.session.scalar(select(ReviewAssignment).where(ReviewAssignment.round_id == rid,
                                                             ReviewAssignment.reviewer_id == year.b1.id))
        aid = a.id
    own = staff.post(f"/review-rounds/{rid}/assignments/{aid}/reassign", data={"reviewer": str(year.b2.id)})
    assert own.status_code == 400 and "すでにこの提案書の査読者です" in own.get_data(as_text=True)
    assert staff.post(f"/review-rounds/{rid}/allocate", data={"seed": "9"}).status_code == 302
    with app.app_context():
        version = db.session.get(ReviewRound, rid).version
    assert staff.post(f"/review-rounds/{rid}/publish", data={"version": str(version - 1)}, follow_redirects=True) \
        .get_data(as_text=True).count("ほかの画面で変更されました") == 1
    assert staff.post(f"/review-rounds/{rid}/publish", data={"version": str(version)}).status_code == 302
    inbox = login(year.a1).get("/reviews").get_data(as_text=True)
    assert "市境を越える子育て支援" in inbox and "未着手" in inbox
    assert "受付中" in staff.get(f"/review-rounds/{rid}").get_data(as_text=True)


def test_review_form_keeps_input_on_error_then_submits(app, login, year) -> None:
    pid, qid = _two(app, year)
    with app.app_context():
        rnd = fp.review_round(year.cohort, [db.session.get(Proposal, i) for i in (pid, qid)],
                              facilitator=year.facilitator, reviews=1)
        a = next(x for x in rnd.assignments if x.round_proposal.proposal_id == qid)
        aid, criteria = a.id, [c.id for c in rnd.criteria]
        me, teammate = (year.a1, year.a2) if a.reviewer_id == year.a1.id else (year.a2, year.a1)
    reviewer = login(me)
    page = reviewer.get(f"/reviews/{aid}").get_data(as_text=True)
    assert "市境を越える子育て支援" in page and "目的の明確さ" in page and "これまでにない発想で" in page
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    data = {"version": version, "overall": "具体的でよい提案です。", f"score_{criteria[0]}": "4",
            f"comment_{criteria[0]}": "データの出典が明確", "send": "提出する"}
    refused = reviewer.post(f"/reviews/{aid}", data=data)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "未入力の項目があるため提出できません" in body
    assert "具体的でよい提案です。" in body and "データの出典が明確" in body
    assert re.search(rf'name="score_{criteria[0]}" value="4" checked', body)
    assert body.count("1〜5のいずれかを選んでください") == len(criteria) - 1
    draft = dict(data, save="下書き保存")
    draft.pop("send")
    assert reviewer.post(f"/reviews/{aid}", data=draft).status_code == 302
    page = reviewer.get(f"/reviews/{aid}").get_data(as_text=True)
    assert "下書き" in page and "データの出典が明確" in page
    stale = reviewer.post(f"/reviews/{aid}", data=draft, follow_redirects=True)
    assert "別の画面で先に保存されています" in stale.get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    full = {"version": version, "overall": "具体的でよい提案です。", "send": "提出する",
            **{f"score_{c}": "3" for c in criteria}}
    assert reviewer.post(f"/reviews/{aid}", data=full).status_code == 302
    with app.app_context():
        assert db.session.get(ReviewAssignment, aid).status is AssignmentStatus.SUBMITTED
    assert login(teammate).get(f"/reviews/{aid}").status_code == 403  # a teammate does not see it


def test_authors_read_only_after_release_then_answer_and_rate(app, login, year) -> None:
    pid, qid = _two(app, year)
    with app.app_context():
        rnd, a = _reviewed(year, pid, qid)
        aid, rid, version = a.id, rnd.id, rnd.version
    author = login(year.a1)
    before = author.get(f"/proposals/{pid}/reviews").get_data(as_text=True)
    assert "効果の根拠をもう少し" not in before and "公開された査読結果はまだありません" in before
    assert author.get(f"/proposals/{pid}/reviews.docx").status_code == 404
    assert author.post(f"/reviews/{aid}/response", data={"text": "早すぎる返答"}).status_code == 403
    staff = login(year.facilitator)
    assert "効果の根拠をもう少し" in staff.get(f"/proposals/{pid}/reviews").get_data(as_text=True)
    assert staff.post(f"/review-rounds/{rid}/release", data={"version": str(version)}).status_code == 302
    after = author.get(f"/proposals/{pid}/reviews").get_data(as_text=True)
    assert "効果の根拠をもう少し" in after and "査読者A" in after
    with app.app_context():
        revision = fp.write(db.session.get(Proposal, pid), "effect", "効果：年間300件の派遣を見込む。", author=year.a1)
        rev_id = revision.id
    page = author.get(f"/proposals/{pid}/reviews").get_data(as_text=True)
    assert f'value="effect:{rev_id}"' in page
    answered = author.post(f"/reviews/{aid}/response", data={"text": "効果の欄に見込みを追加しました。",
                                                             "revisions": [f"effect:{rev_id}"]})
    assert answered.status_code == 302
    assert author.post(f"/reviews/{aid}/helpfulness", data={"value": "5"}).status_code == 302
    page = author.get(f"/proposals/{pid}/reviews").get_data(as_text=True)
    assert "効果の欄に見込みを追加しました。" in page and f"/revisions/{rev_id}" in page
    assert author.post(f"/reviews/{aid}/helpfulness", data={"value": "9"}, follow_redirects=True) \
        .get_data(as_text=True).count("いずれかを選んでください") >= 1
    board = staff.get(f"/review-rounds/{rid}").get_data(as_text=True)
    assert "参考度 5" in board and "1 / 2 件提出" in board
    csv = staff.get(f"/review-rounds/{rid}/export.csv")
    assert csv.status_code == 200 and csv.data.startswith("\ufeff".encode())
    text = csv.get_data(as_text=True)
    assert "効果の根拠をもう少し示してほしい。" in text and "目的の明確さ" in text
    reviewer_view = login(year.b1 if a.reviewer_id == year.b1.id else year.b2).get(f"/reviews/{aid}")
    assert "効果の欄に見込みを追加しました。" in reviewer_view.get_data(as_text=True)  # the reviewer reads the answer


def test_facilitator_extends_and_closes(app, login, year) -> None:
    pid, qid = _two(app, year)
    with app.app_context():
        rnd = fp.review_round(year.cohort, [db.session.get(Proposal, pid), db.session.get(Proposal, qid)],
                              facilitator=year.facilitator, reviews=1)
        rid, version, aid = rnd.id, rnd.version, rnd.assignments[0].id
    staff = login(year.facilitator)
    earlier = staff.post(f"/review-rounds/{rid}/deadline", data={"deadline": "2001-01-01T00:00"})
    assert earlier.status_code == 400 and "今の締切より後の日時にしてください" in earlier.get_data(as_text=True)
    assert staff.post(f"/review-rounds/{rid}/deadline", data={"deadline": "2099-03-01T17:00"}).status_code == 302
    assert staff.post(f"/review-rounds/{rid}/assignments/{aid}/due", data={"due_at": "2099-03-05T17:00"}) \
        .status_code == 302
    assert "2099年3月1日" in staff.get(f"/review-rounds/{rid}").get_data(as_text=True)
    with app.app_context():
        version = db.session.get(ReviewRound, rid).version
    assert staff.post(f"/review-rounds/{rid}/close", data={"version": str(version)}).status_code == 302
    closed = staff.get(f"/review-rounds/{rid}").get_data(as_text=True)
    assert "終了" in closed and "結果公開済み" in closed
    assert "中間発表後の相互評価" in staff.get("/review-rounds").get_data(as_text=True)


def _released_review(app, year):  # type: ignore[no-untyped-def]
    """Team 1's proposal with one submitted, released review: (proposal id, assignment id)."""
    pid, qid = _two(app, year)
    with app.app_context():
        rnd, a = _reviewed(year, pid, qid)
        review_services.release(db.session, rnd, actor=year.facilitator, now=utcnow())
        db.session.commit()
        return pid, a.id


def test_an_answer_refused_comes_back_with_what_was_typed(app, login, year) -> None:
    pid, aid = _released_review(app, year)
    author, mate = login(year.a1), login(year.a2)
    shown_to_mate = mate.get(f"/proposals/{pid}/reviews").get_data(as_text=True)
    assert re.search(r'name="version" type="hidden" value=""', shown_to_mate)  # no answer yet
    empty = author.post(f"/reviews/{aid}/response", data={"text": "   ", "version": ""})
    body = empty.get_data(as_text=True)
    assert empty.status_code == 400 and 'id="text-error"' in body and "入力してください。" in body
    assert "効果の根拠をもう少し示してほしい。" in body  # the same page, not a redirect
    assert author.post(f"/reviews/{aid}/response",
                       data={"text": "効果の欄に見込みを追加しました。", "version": ""}).status_code == 302
    # the teammate's page was shown before that answer: refused, the text kept, the saved answer shown
    stale = mate.post(f"/reviews/{aid}/response", data={"text": "市民アンケートの結果を加えました。", "version": ""})
    body = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "ほかのメンバーが先に返答を保存しました" in body
    assert "市民アンケートの結果を加えました。" in body and "効果の欄に見込みを追加しました。" in body
    with app.app_context():
        assert db.session.get(ReviewAssignment, aid).response.text == "効果の欄に見込みを追加しました。"
    version = re.search(r'name="version" type="hidden" value="(\d+)"', body.split('id="text-error"')[0]
                        .rsplit("<form", 1)[1]).group(1)
    assert mate.post(f"/reviews/{aid}/response",
                     data={"text": "市民アンケートの結果を加えました。", "version": version}).status_code == 302
    with app.app_context():
        assert db.session.get(ReviewAssignment, aid).response.text == "市民アンケートの結果を加えました。"


def test_a_late_round_can_be_extended_until_its_reviews_are_released(app, login, year) -> None:
    pid, qid = _two(app, year)
    with app.app_context():
        rnd, a = _reviewed(year, pid, qid)
        rnd = db.session.get(ReviewRound, rnd.id)
        rnd.deadline = utcnow() - timedelta(hours=1)  # passed an hour ago; the release job has not run yet
        db.session.commit()
        rid = rnd.id
    staff, author = login(year.facilitator), login(year.a1)
    form_action = f'action="/review-rounds/{rid}/deadline"'
    assert "効果の根拠をもう少し" in author.get(f"/proposals/{pid}/reviews").get_data(as_text=True)
    page = staff.get(f"/review-rounds/{rid}").get_data(as_text=True)
    assert form_action in page and "締切を過ぎました" in page
    assert staff.post(f"/review-rounds/{rid}/deadline", data={"deadline": "2099-03-01T17:00"}).status_code == 302
    page = staff.get(f"/review-rounds/{rid}").get_data(as_text=True)
    assert "2099年3月1日" in page and "進行 役子さんが延長（元の締切" in page
    assert "公開された査読結果はまだありません" in author.get(f"/proposals/{pid}/reviews").get_data(as_text=True)
    with app.app_context():
        assert review_services.release_due(db.session, now=utcnow()) == 0  # the job leaves it for later
        db.session.commit()
        version = db.session.get(ReviewRound, rid).version
    assert staff.post(f"/review-rounds/{rid}/release", data={"version": str(version)}).status_code == 302
    refused = staff.post(f"/review-rounds/{rid}/deadline", data={"deadline": "2099-04-01T17:00"})
    assert refused.status_code == 400 and "査読結果はすでに公開されています" in refused.get_data(as_text=True)
    assert form_action not in staff.get(f"/review-rounds/{rid}").get_data(as_text=True)
    assert "効果の根拠をもう少し" in author.get(f"/proposals/{pid}/reviews").get_data(as_text=True)


def _section(page: str, heading_id: str) -> str:
    return page.split(f'id="{heading_id}"')[1].split("</section>")[0]


def test_the_round_dashboard_shows_scores_disagreements_late_reviewers_and_reassigns(app, login, year) -> None:
    pid, qid = _two(app, year)
    with app.app_context():
        senior = factories.alumnus(factories.ZUSHI, name="逗子 二期生", email="senior@example.jp")
        rnd = fp.review_round(year.cohort, [db.session.get(Proposal, pid), db.session.get(Proposal, qid)],
                              facilitator=year.facilitator, reviews=2, alumni=[senior])
        on_p = [a for a in rnd.assignments if a.round_proposal.proposal_id == pid]
        on_q = [a for a in rnd.assignments if a.round_proposal.proposal_id == qid]
        for a, score in zip(on_p, (1, 5), strict=True):  # the two readers of team 1's proposal disagree
            fp.submit_review(a, score=score)
        late = db.session.get(ReviewAssignment, on_q[0].id)
        late.due_at = utcnow() - timedelta(days=1)  # this reviewer's own deadline passed yesterday
        db.session.commit()
        rid, late_id, late_rp = rnd.id, late.id, late.round_proposal_id
        late_name = late.reviewer.name
        first_criterion = rnd.criteria[0].name
    staff = login(year.facilitator)
    page = staff.get(f"/review-rounds/{rid}").get_data(as_text=True)
    assert "受付中" in page and "2 / 4 件提出（50%）" in page
    scores = _section(page, "scores-heading")
    row = scores.split(f"<th scope=\"row\">{first_criterion}</th>")[1].split("</tr>")[0]
    assert row.count("<meter") == 5 and '<td class="num">3</td><td class="num">2</td>' in row  # mean 3 of 2
    disagreements = _section(page, "disagree-heading")
    assert "差 4" in disagreements and f"8市で支える防災人材バンク — {first_criterion}：1、5" in disagreements
    overdue = _section(page, "late-heading")
    assert late_name in overdue and f"/assignments/{late_id}/due" in overdue
    assert "締切を過ぎた未提出の査読はありません" not in overdue
    options = re.search(rf'<select id="reviewer-{late_id}" name="reviewer">(.*?)</select>', page, re.S).group(1)
    new_reviewer = int(re.search(r'<option value="(\d+)">', options).group(1))
    moved = staff.post(f"/review-rounds/{rid}/assignments/{late_id}/reassign", data={"reviewer": str(new_reviewer)})
    assert moved.status_code == 302 and moved.headers["Location"].endswith(f"#rp-{late_rp}")
    with app.app_context():
        old = db.session.get(ReviewAssignment, late_id)
        new = db.session.scalar(select(ReviewAssignment).where(ReviewAssignment.round_proposal_id == late_rp,
                                                               ReviewAssignment.reviewer_id == new_reviewer))
        assert old.status is AssignmentStatus.WITHDRAWN and new is not None and new.active
    after = staff.get(f"/review-rounds/{rid}").get_data(as_text=True)
    assert "査読者を付け替えました。" in after and f"/assignments/{new.id}/reassign" in after
    assert late_name not in _section(after, "late-heading")
