"""Proposal pages through the web: drafting with history and conflicts, tags, submitting, snapshots,
exports, the archive search, outcomes and the template editor."""
from __future__ import annotations

import io
import re

import docx
from sqlalchemy import func, select

from core.extensions import db
from proposals.models import Proposal, ProposalSnapshot
from proposals.vocab import ProposalStatus
from tests import factories
from tests import factories_proposals as fp
from tests import factories_wiki as fw


def _proposal_id(response) -> int:  # type: ignore[no-untyped-def]
    return int(re.search(r"/proposals/(\d+)", response.headers["Location"]).group(1))


def test_create_then_write_sections_with_history_and_restore(app, login, year) -> None:
    with app.app_context():
        client = login(year.a1)
        team_id = year.team1.id
    page = client.get(f"/teams/{team_id}/proposals")
    assert page.status_code == 200 and "新しい提案書をつくる" in page.get_data(as_text=True)
    empty = client.post(f"/teams/{team_id}/proposals", data={"title": ""})
    assert empty.status_code == 400 and "入力してください" in empty.get_data(as_text=True)
    created = client.post(f"/teams/{team_id}/proposals", data={"title": "市境を越える子育て支援"})
    pid = _proposal_id(created)
    show = client.get(f"/proposals/{pid}").get_data(as_text=True)
    assert "市境を越える子育て支援" in show and "未記入" in show and "下書き" in show
    form = client.get(f"/proposals/{pid}/sections/purpose").get_data(as_text=True)
    assert "書き方のヒント" in form and "目安 200〜600字" in form and 'name="base_revision_id" type="hidden" value=""' in form
    assert client.post(f"/proposals/{pid}/sections/purpose", data={"text": "初稿です。", "base_revision_id": ""}) \
        .status_code == 302
    base = re.search(r'name="base_revision_id" type="hidden" value="(\d+)"',
                     client.get(f"/proposals/{pid}/sections/purpose").get_data(as_text=True)).group(1)
    assert client.post(f"/proposals/{pid}/sections/purpose", data={
        "text": "第二稿：データを添えた。", "base_revision_id": base, "comment": "根拠を追加"}).status_code == 302
    history = client.get(f"/proposals/{pid}/sections/purpose/history").get_data(as_text=True)
    assert "版2" in history and "版1" in history and "根拠を追加" in history and year.a1.name in history
    revision = client.get(f"/proposals/{pid}/revisions/{base}").get_data(as_text=True)
    assert "初稿です。" in revision and "最初の版" in revision
    assert client.post(f"/proposals/{pid}/revisions/{base}/restore").status_code == 302
    assert "版3" in client.get(f"/proposals/{pid}/sections/purpose/history").get_data(as_text=True)
    assert "初稿です。" in client.get(f"/proposals/{pid}").get_data(as_text=True)


def test_a_stale_save_shows_the_merge_and_keeps_what_was_typed(app, login, year) -> None:
    with app.app_context():
        p = fp.proposal(year.team1, author=year.a1, texts={"title": "t", "effect": "一行目\n"})
        pid = p.id
        one, two = login(year.a1), login(year.a2)
    base = re.search(r'name="base_revision_id" type="hidden" value="(\d+)"',
                     one.get(f"/proposals/{pid}/sections/effect").get_data(as_text=True)).group(1)
    assert two.post(f"/proposals/{pid}/sections/effect", data={"text": "二郎の案\n", "base_revision_id": base}) \
        .status_code == 302
    clash = one.post(f"/proposals/{pid}/sections/effect", data={"text": "一子の案\n", "base_revision_id": base})
    body = clash.get_data(as_text=True)
    assert clash.status_code == 409
    assert "ほかの人がこの項目を先に保存しました" in body and "一子の案" in body and "二郎の案" in body
    assert "&lt;&lt;&lt;&lt;&lt;&lt;&lt;" in body  # the markers are in the editor, escaped
    markers = one.post(f"/proposals/{pid}/sections/effect", data={
        "text": "<<<<<<< あなたの編集\n一子の案\n>>>>>>> 他の人の編集\n", "base_revision_id": base})
    assert markers.status_code in (400, 409)


def test_tags_errors_at_the_field_and_stale_page(app, login, year) -> None:
    with app.app_context():
        p = fp.proposal(year.team1, author=year.a1)
        pid, version, city = p.id, p.version, year.a1.city_id
    client = login(year.a1)
    bad = client.post(f"/proposals/{pid}/tags", data={"cities": [str(city)], "directions": ["nowhere"],
                                                      "policy_field": "space", "version": str(version)})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400 and body.count("選択肢から選んでください") == 2
    ok = client.post(f"/proposals/{pid}/tags", data={"cities": [str(city)], "directions": ["resources"],
                                                     "policy_field": "dx", "version": str(version)})
    assert ok.status_code == 302
    stale = client.post(f"/proposals/{pid}/tags", data={"cities": [str(city)], "directions": ["threats"],
                                                        "policy_field": "dx", "version": str(version)})
    assert stale.status_code == 400 and "ほかの人が先に変更しました" in stale.get_data(as_text=True)


def test_incomplete_submit_lists_what_is_missing(app, login, year) -> None:
    with app.app_context():
        p = fp.proposal(year.team1, author=year.a1, texts={"title": "途中の案", "summary": "概要"}, tags=False)
        pid = p.id
    client = login(year.a1)
    r = client.post(f"/proposals/{pid}/submit", data={"expected": "0"})
    body = r.get_data(as_text=True)
    assert r.status_code == 400 and "未記入の項目があるため提出できません" in body
    for heading in ("目的", "取組内容", "新規性", "関係者との連携体制", "政策分野", "連携の方向性"):
        assert heading in body.split('id="incomplete"')[1].split("</div>")[0]


def test_a_digit_that_is_not_a_number_is_a_bad_request(app, login, year) -> None:
    """"¹" and "②" pass str.isdigit() but not int(): the hidden counter must refuse them, not crash."""
    with app.app_context():
        pid = fp.proposal(year.team1, author=year.a1).id
    client = login(year.a1)
    for odd in ("¹", "②", "x"):
        assert client.post(f"/proposals/{pid}/submit", data={"expected": odd}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(ProposalSnapshot.id))
                                 .where(ProposalSnapshot.proposal_id == pid)) == 0


def test_submit_twice_makes_one_snapshot_and_later_edits_are_the_next_draft(app, login, year) -> None:
    with app.app_context():
        p = fp.proposal(year.team1, author=year.a1)
        pid = p.id
    client = login(year.a1)
    first = client.post(f"/proposals/{pid}/submit", data={"expected": "0"})
    assert first.status_code == 302 and first.headers["Location"].endswith(f"/proposals/{pid}/snapshots/1")
    again = client.post(f"/proposals/{pid}/submit", data={"expected": "0"}, follow_redirects=True)
    assert "二重送信は受け付けません" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(ProposalSnapshot.id))
                                 .where(ProposalSnapshot.proposal_id == pid)) == 1
        assert db.session.get(Proposal, pid).status is ProposalStatus.SUBMITTED
        fp.write(db.session.get(Proposal, pid), "purpose", "提出後の書き直し。", author=year.a2)
    snapshot = client.get(f"/proposals/{pid}/snapshots/1").get_data(as_text=True)
    assert fp.TEXTS["purpose"] in snapshot and "提出後の書き直し。" not in snapshot
    assert "提出後の書き直し。" in client.get(f"/proposals/{pid}").get_data(as_text=True)
    resubmit = client.post(f"/proposals/{pid}/submit", data={"expected": "1"})
    assert resubmit.headers["Location"].endswith("/snapshots/2")
    diff = client.get(f"/proposals/{pid}/snapshots/2?compare=1").get_data(as_text=True)
    assert "第1版と第2版の差分" in diff and "diff-line-added" in diff and "変更なし" in diff
    assert client.post(f"/proposals/{pid}/withdraw").status_code == 302
    assert "下書き" in client.get(f"/proposals/{pid}").get_data(as_text=True)


def test_docx_and_print(app, login, year) -> None:
    with app.app_context():
        p = fp.proposal(year.team1, author=year.a1, submit=True)
        pid = p.id
    client = login(year.a1)
    r = client.get(f"/proposals/{pid}/export.docx")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    d = docx.Document(io.BytesIO(r.data))
    text = "\n".join(par.text for par in d.paragraphs)
    for heading in ("取組概要", "目的", "取組内容", "新規性", "効果", "継続性", "全国展開の可能性", "関係者との連携体制"):
        assert heading in text
    assert fp.TEXTS["purpose"] in text and "8市で支える防災人材バンク" in text and "令和" in text
    assert any("横浜市" in c.text for row in d.tables[0].rows for c in row.cells)
    printed = client.get(f"/proposals/{pid}/print").get_data(as_text=True)
    assert "提出版（第1版）" in printed and fp.TEXTS["novelty"] in printed
    draft_docx = client.get(f"/proposals/{pid}/export.docx?snapshot=9")
    assert draft_docx.status_code == 404


def test_archive_search_and_filters(app, login, year) -> None:
    with app.app_context():
        from proposals import services
        from core.dates import utcnow

        done = fp.proposal(year.team1, author=year.a1, submit=True)
        services.finalize(db.session, done, fp.texts_of(done), expected=1, actor=year.a1, now=utcnow(),
                          released=False)
        db.session.commit()
        draft = fp.proposal(year.team2, author=year.b1, title="公共施設予約の共通化",
                            texts={"title": "x", "summary": "施設予約"})
        done_id, draft_id, fy = done.id, draft.id, year.cohort.fiscal_year
        outsider = factories.alumnus(name="外部 閲覧")
        yokohama = year.a1.city_id
    client = login(outsider)
    page = client.get("/proposals?q=防災").get_data(as_text=True)
    assert f"/proposals/{done_id}" in page and f"/proposals/{draft_id}" not in page
    assert f"/proposals/{done_id}" in client.get("/proposals?q=防災+ﾊﾞﾝｸ").get_data(as_text=True)  # half-width kana folded
    for query in (f"year={fy}", "field=disaster", f"city={yokohama}", "status=final", "direction=threats",
                  "q=Yokohama"):
        assert f"/proposals/{done_id}" in client.get(f"/proposals?{query}").get_data(as_text=True), query
    assert f"/proposals/{done_id}" not in client.get("/proposals?field=tourism").get_data(as_text=True)
    assert client.get(f"/proposals/{draft_id}").status_code == 403
    team2 = login(year.b1)
    assert f"/proposals/{draft_id}" in team2.get("/proposals").get_data(as_text=True)
    assert "0件" in client.get("/proposals?q=存在しない言葉").get_data(as_text=True)
    assert client.get("/proposals?year=abc&field=zzz&page=-3").status_code == 200
    with app.app_context():  # presented: the archive finds it by its new state (the stored search text)
        done = db.session.get(Proposal, done_id)
        services.record_presentation(db.session, done, on=utcnow().date(), meeting="部局長級会議", note="",
                                     actor=year.facilitator, now=utcnow())
        db.session.commit()
    assert f"/proposals/{done_id}" in client.get("/proposals?q=発表済み").get_data(as_text=True)


def test_outcome_forms(app, login, year) -> None:
    with app.app_context():
        from core.dates import utcnow
        from proposals import services

        p = fp.proposal(year.team1, author=year.a1, submit=True)
        services.finalize(db.session, p, fp.texts_of(p), expected=1, actor=year.a1, now=utcnow(), released=False)
        db.session.commit()
        pid = p.id
    staff = login(year.facilitator)
    assert "会議での発表" in staff.get(f"/proposals/{pid}/outcome").get_data(as_text=True)
    bad = staff.post(f"/proposals/{pid}/presentation", data={"presented_on": "2027-02-30", "meeting": "部局長級会議"})
    assert bad.status_code == 400
    assert staff.post(f"/proposals/{pid}/presentation", data={"presented_on": "2027-02-19",
                                                              "meeting": "部局長級会議"}).status_code == 302
    no_note = staff.post(f"/proposals/{pid}/decision", data={"adopted": "yes", "note": ""})
    assert no_note.status_code == 400 and "入力してください" in no_note.get_data(as_text=True)
    assert staff.post(f"/proposals/{pid}/decision", data={"adopted": "yes", "note": "採択。2市で試行。"}) \
        .status_code == 302
    empty = staff.post(f"/proposals/{pid}/follow-ups", data={"noted_on": "2027-07-01", "text": ""})
    assert empty.status_code == 400
    assert login(year.a1).post(f"/proposals/{pid}/follow-ups", data={"noted_on": "2027-07-01",
                                                                    "text": "試行を開始した。"}).status_code == 302
    with app.app_context():
        reader = factories.alumnus(name="後輩 読者")
    show = login(reader).get(f"/proposals/{pid}").get_data(as_text=True)
    assert "検討テーマに採択" in show and "試行を開始した。" in show and "令和9年2月19日" in show
    assert "部局長級会議" in show and fp.TEXTS["purpose"] in show


def test_template_editor(app, login, year) -> None:
    with app.app_context():
        admin = factories.admin(name="事務 局長")
        cid = year.cohort.id
    client = login(admin)
    page = client.get(f"/cohorts/{cid}/proposal-template").get_data(as_text=True)
    assert "既定のテンプレートのまま" in page and "関係者との連携体制" in page
    bad = client.post(f"/cohorts/{cid}/proposal-template/sections", data={"heading": "予算", "min_chars": "500",
                                                                         "max_chars": "100"})
    assert bad.status_code == 400 and "上限は下限以上にしてください" in bad.get_data(as_text=True)
    assert 'value="予算"' in bad.get_data(as_text=True)  # what was typed stays
    assert client.post(f"/cohorts/{cid}/proposal-template/sections", data={
        "heading": "予算の見込み", "guidance": "概算で", "max_chars": "300"}).status_code == 302
    page = client.get(f"/cohorts/{cid}/proposal-template").get_data(as_text=True)
    assert "予算の見込み" in page and "設定済み" in client.get("/proposal-templates").get_data(as_text=True)
    facilitator_view = login(year.facilitator).get(f"/cohorts/{cid}/proposal-template").get_data(as_text=True)
    assert "予算の見込み" in facilitator_view and "項目を追加" not in facilitator_view


def test_finished_proposals_reach_the_directory(app, login, year) -> None:
    """"Who worked on disaster proposals with Fujisawa?": the directory finds the team by field and city."""
    with app.app_context():
        from core.cli import run_sync

        p = fp.proposal(year.team1, author=year.a1, submit=True)
        run_sync(app)  # profiles for the accounts made above
        pid = p.id
    staff = login(year.facilitator)
    assert staff.post(f"/proposals/{pid}/finalize", data={"expected": "1"}).status_code == 302
    reader = login(year.b1)
    found = reader.get("/directory?q=防災+横浜市").get_data(as_text=True)
    assert year.a1.name in found and year.a2.name in found and year.b2.name not in found
    profile = reader.get(f"/directory/{year.a1.id}").get_data(as_text=True)
    assert f"/proposals/{pid}" in profile and "8市で支える防災人材バンク" in profile


def test_the_site_search_finds_finished_proposals_for_everyone_and_drafts_for_the_team(app, login, year) -> None:
    with app.app_context():
        from core.dates import utcnow
        from proposals import services

        done = fp.proposal(year.team1, author=year.a1, submit=True)
        services.finalize(db.session, done, fp.texts_of(done), expected=1, actor=year.a1, now=utcnow(),
                          released=False)
        submitted = fp.proposal(year.team2, author=year.b1, submit=True, title="橋りょう点検の共同化")
        db.session.commit()
        done_id, submitted_id = done.id, submitted.id
        outsider = factories.alumnus(name="外部 検索")
    page = login(outsider).get("/search?q=防災").get_data(as_text=True)
    assert f"/proposals/{done_id}" in page and f"/proposals/{submitted_id}" not in page
    team = login(year.b1).get("/search?q=防災&kind=proposal").get_data(as_text=True)
    assert f"/proposals/{submitted_id}" in team and "提案書" in team


CASE_TEXT = ("[[case:joint-dispatch]]を参考にする。\n\n- [[事例:joint-dispatch|名古屋の例]]\n"
             "- [[case:no-such-case]]\n- [[case:<script>alert(1)</script>]]\n")


def test_sections_link_to_cases_under_their_titles(app, login, year) -> None:
    with app.app_context():
        fw.case("消防指令センターの共同運用", slug="joint-dispatch")
        p = fp.proposal(year.team1, author=year.a1, texts={**fp.TEXTS, "purpose": CASE_TEXT}, submit=True)
        fp.write(p, "novelty", "[[case:joint-dispatch]]に学ぶ。", author=year.a1)
        pid = p.id
    client = login(year.a1)
    link = re.compile(r'<a class="caselink" href="/cases/joint-dispatch"[^>]*>消防指令センターの共同運用</a>')
    for path in (f"/proposals/{pid}", f"/proposals/{pid}/print", f"/proposals/{pid}/snapshots/1"):
        body = client.get(path).get_data(as_text=True)
        assert link.search(body), path
        assert re.search(r'href="/cases/joint-dispatch"[^>]*>名古屋の例</a>', body)  # a label wins
        missing = r'class="caselink wikilink-new" href="/cases/no-such-case"[^>]*>no-such-case（事例集にない事例）<'
        assert re.search(missing, body), path
        assert "[[case:" not in body and "<script>alert" not in body, path
    history = client.get(f"/proposals/{pid}/sections/novelty/history").get_data(as_text=True)
    revision_id = re.search(rf"/proposals/{pid}/revisions/(\d+)", history).group(1)
    assert link.search(client.get(f"/proposals/{pid}/revisions/{revision_id}").get_data(as_text=True))
    d = docx.Document(io.BytesIO(client.get(f"/proposals/{pid}/export.docx").data))
    text = "\n".join(par.text for par in d.paragraphs)
    assert "消防指令センターの共同運用を参考にする。" in text and "名古屋の例" in text and "no-such-case" in text
    assert "[[" not in text
