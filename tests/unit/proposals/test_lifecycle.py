"""The proposal lifecycle through the services: sections on the revision engine, snapshots, steps, events."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core import search
from core.dates import utcnow
from core.errors import ConflictError, DomainError
from proposals import sections, services
from proposals.models import ProposalSnapshot, ProposalStep, SnapshotSection
from proposals.template import ensure_template
from proposals.vocab import Direction, PolicyField, ProposalStatus, SnapshotKind
from tests import factories_proposals as fp
from wiki.models import Page, Space, SpaceKind


def test_sections_live_in_the_teams_proposal_space_with_history(session, year) -> None:
    p = fp.proposal(year.team1, author=year.a1, texts={"title": "防災人材バンク", "purpose": "初稿"})
    fp.write(p, "purpose", "第二稿：根拠のデータを追加。", author=year.a2)
    page = session.scalar(select(Page).join(Space).where(Space.kind == SpaceKind.PROPOSAL,
                                                         Space.team_id == year.team1.id, Page.slug.like("%purpose")))
    assert page is not None
    history = sections.history(session, page.id)
    assert [r.text for r in history] == ["第二稿：根拠のデータを追加。\n", "初稿\n"]
    assert [r.author_id for r in history] == [year.a2.id, year.a1.id]
    assert p.title == "防災人材バンク"


def test_the_title_is_one_line_and_mirrors_on_the_proposal(session, year) -> None:
    p = fp.proposal(year.team1, author=year.a1, texts={"title": "8市で\n支える  防災"})
    assert p.title == "8市で 支える 防災"


def test_a_stale_save_is_merged_or_refused_never_overwritten(session, year) -> None:
    p = fp.proposal(year.team1, author=year.a1, texts={"title": "t", "effect": "一行目\n二行目\n三行目\n"})
    template = ensure_template(session, year.cohort)
    spec = template.section("effect")
    base = sections.load_one(session, p, spec).revision_id
    fp.write(p, "effect", "一行目（改）\n二行目\n三行目\n", author=year.a2)
    merged = sections.save(session, p, spec, "一行目\n二行目\n三行目（改）\n", author=year.a1,
                           base_revision_id=base, now=utcnow())
    assert merged.text == "一行目（改）\n二行目\n三行目（改）\n"  # both edits kept
    session.commit()
    with pytest.raises(sections.EditConflict) as caught:
        sections.save(session, p, spec, "一行目（別案）\n二行目\n三行目（改）\n", author=year.a2,
                      base_revision_id=base, now=utcnow())
    assert "一行目（別案）" in caught.value.merge.text and "一行目（改）" in caught.value.merge.text


def test_restore_makes_a_new_revision(session, year) -> None:
    p = fp.proposal(year.team1, author=year.a1, texts={"title": "t", "novelty": "A案"})
    first = sections.load_one(session, p, ensure_template(session, year.cohort).section("novelty")).revision
    fp.write(p, "novelty", "B案", author=year.a1)
    spec = ensure_template(session, year.cohort).section("novelty")
    sections.restore(session, p, spec, first, author=year.a2, now=utcnow())
    session.commit()
    state = sections.load_one(session, p, spec)
    assert state.text == "A案\n" and state.revision.number == 3


def test_create_guesses_the_teams_cities(session, year) -> None:
    p = services.create_proposal(session, year.team1, actor=year.a1, now=utcnow())
    assert sorted(c.name_ja for c in p.city_list) == ["川崎市", "横浜市"]


def test_closed_cohort_refuses_new_proposals(session, year) -> None:
    from curriculum.models import CohortStatus

    year.cohort.status = CohortStatus.CLOSED
    with pytest.raises(DomainError, match="cohort_closed"):
        services.create_proposal(session, year.team1, actor=year.a1, now=utcnow())


def test_incomplete_submit_lists_empty_sections_and_tags(session, year) -> None:
    p = fp.proposal(year.team1, author=year.a1, texts={"title": "途中", "summary": "概要だけ"}, tags=False)
    services.update_tags(session, p, city_ids=[], policy_field=None, directions=[], version=None, actor=year.a1,
                         now=utcnow())
    with pytest.raises(services.Incomplete) as caught:
        services.submit(session, p, fp.texts_of(p), expected=0, actor=year.a1, now=utcnow())
    headings = [s.heading for s in caught.value.sections]
    assert headings == ["目的", "取組内容", "新規性", "効果", "継続性", "全国展開の可能性", "関係者との連携体制"]
    assert caught.value.tags == ["cities", "policy_field", "directions"]
    assert p.status is ProposalStatus.DRAFT


def test_submit_takes_an_immutable_snapshot_and_later_edits_are_the_next_draft(session, year, events) -> None:
    p = fp.proposal(year.team1, author=year.a1, submit=True)
    snap = p.latest_snapshot
    assert p.status is ProposalStatus.SUBMITTED and snap.number == 1 and snap.kind is SnapshotKind.SUBMITTED
    assert snap.section("purpose").text == fp.TEXTS["purpose"] + "\n"
    assert snap.city_ids and snap.policy_field is PolicyField.DISASTER and "threats" in snap.directions
    fp.write(p, "purpose", "提出後に書き直した目的。", author=year.a2)
    session.expire_all()
    again = session.get(ProposalSnapshot, snap.id)
    assert again.section("purpose").text == fp.TEXTS["purpose"] + "\n"
    status_events = [e for e in events if e.kind == "proposal.status"]
    assert status_events and status_events[-1].params["status"] == "submitted"
    assert year.a1.id not in status_events[-1].recipient_ids  # the actor is not told what they did
    assert {year.a2.id, year.facilitator.id} <= set(status_events[-1].recipient_ids)


def test_double_submit_makes_one_snapshot(session, year) -> None:
    p = fp.proposal(year.team1, author=year.a1)
    texts = fp.texts_of(p)
    services.submit(session, p, texts, expected=0, actor=year.a1, now=utcnow())
    session.commit()
    with pytest.raises(ConflictError, match="already_submitted"):  # the second click, from the same page
        services.submit(session, p, texts, expected=0, actor=year.a2, now=utcnow())
    session.rollback()
    with pytest.raises(DomainError, match="no_changes"):  # a fresh page, but nothing changed
        services.submit(session, p, fp.texts_of(p), expected=1, actor=year.a2, now=utcnow())
    session.rollback()
    assert session.scalar(select(ProposalSnapshot.id).where(ProposalSnapshot.proposal_id == p.id)
                          .order_by(ProposalSnapshot.id.desc())) == p.snapshots[0].id
    assert len(p.snapshots) == 1


def test_the_database_keeps_one_snapshot_number_per_proposal(session, year) -> None:
    p = fp.proposal(year.team1, author=year.a1, submit=True)
    session.add(ProposalSnapshot(proposal_id=p.id, number=1, kind=SnapshotKind.SUBMITTED, title="x",
                                 created_at=utcnow()))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_a_racing_submit_is_turned_into_a_conflict(session, year) -> None:
    """Two requests both saw no snapshot; the other one commits first. The unique number keeps one."""
    from sqlalchemy.orm import Session

    from core.extensions import db

    p = fp.proposal(year.team1, author=year.a1)
    texts = fp.texts_of(p)
    assert p.snapshots == []  # what this request loaded
    with Session(db.engine) as other:
        other.add(ProposalSnapshot(proposal_id=p.id, number=1, kind=SnapshotKind.SUBMITTED, title=p.title,
                                   created_at=utcnow()))
        other.commit()
    with pytest.raises(ConflictError, match="already_submitted"):
        services.submit(session, p, texts, expected=0, actor=year.a2, now=utcnow())
    session.rollback()
    assert session.scalar(select(func.count(ProposalSnapshot.id)).where(ProposalSnapshot.proposal_id == p.id)) == 1


def test_withdraw_goes_back_to_draft_unless_in_a_round(session, year) -> None:
    p = fp.proposal(year.team1, author=year.a1, submit=True)
    with pytest.raises(DomainError, match="in_round"):
        services.withdraw(session, p, in_round=True, actor=year.a1, now=utcnow())
    services.withdraw(session, p, in_round=False, actor=year.a1, now=utcnow())
    assert p.status is ProposalStatus.DRAFT and len(p.snapshots) == 1


def test_revision_needs_released_reviews_then_makes_a_new_snapshot(session, year) -> None:
    p = fp.proposal(year.team1, author=year.a1, submit=True)
    q = fp.proposal(year.team2, author=year.b1, submit=True)
    fp.review_round(year.cohort, [p, q], facilitator=year.facilitator)
    assert p.status is ProposalStatus.IN_REVIEW
    fp.write(p, "effect", "効果を数値で補強した。", author=year.a1)
    with pytest.raises(DomainError, match="reviews_not_released"):
        services.submit_revision(session, p, fp.texts_of(p), expected=1, actor=year.a1, now=utcnow(), released=False)
    snap = services.submit_revision(session, p, fp.texts_of(p), expected=1, actor=year.a1, now=utcnow(),
                                    released=True)
    assert snap.number == 2 and snap.kind is SnapshotKind.REVISED and p.status is ProposalStatus.REVISED
    assert snap.section("effect").text == "効果を数値で補強した。\n"
    assert p.snapshots[0].section("effect").text == fp.TEXTS["effect"] + "\n"
    diff = sections.diff(p.snapshots[0].section("effect").text, snap.section("effect").text)
    assert "diff-line-removed" in diff and "diff-line-added" in diff and "効果を数値で補強した。" in diff


def test_final_presented_adopted_followed_up_each_step_dated(session, year, events) -> None:
    p = fp.proposal(year.team1, author=year.a1, submit=True)
    t0 = utcnow()
    services.finalize(session, p, fp.texts_of(p), expected=1, actor=year.facilitator, now=t0, released=False)
    services.record_presentation(session, p, on=date(2027, 2, 20), meeting="8市連携市長会議", note="好評",
                                 actor=year.facilitator, now=t0 + timedelta(days=1))
    services.record_decision(session, p, adopted=True, note="翌年度の検討テーマに採択。", actor=year.facilitator,
                             now=t0 + timedelta(days=2))
    services.add_follow_up(session, p, text="2市で試行を開始。", noted_on=date(2027, 7, 1), actor=year.a1,
                           now=t0 + timedelta(days=3))
    session.commit()
    steps = session.scalars(select(ProposalStep).where(ProposalStep.proposal_id == p.id)
                            .order_by(ProposalStep.id)).all()
    assert [s.to_status for s in steps] == [ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.FINAL,
                                            ProposalStatus.PRESENTED, ProposalStatus.ADOPTED]
    assert steps[2].by_id == year.facilitator.id and steps[2].snapshot.kind is SnapshotKind.FINAL
    assert [s.at for s in steps[2:]] == [t0, t0 + timedelta(days=1), t0 + timedelta(days=2)]
    assert p.presented_to == "8市連携市長会議" and p.decision_note == "翌年度の検討テーマに採択。"
    assert p.follow_ups[0].text == "2市で試行を開始。"
    for word in ("検討テーマに採択", "防災", "横浜市", "Yokohama", "人材バンク"):
        assert search.normalize(word) in p.search_key
    assert events[-1].params["status"] == "adopted"


def test_presenting_updates_the_archive_search_text(session, year) -> None:
    p = fp.proposal(year.team1, author=year.a1, submit=True)
    services.finalize(session, p, fp.texts_of(p), expected=1, actor=year.facilitator, now=utcnow(), released=False)
    assert search.normalize("最終版") in p.search_key
    services.record_presentation(session, p, on=date(2027, 2, 20), meeting="部局長級会議", note="",
                                 actor=year.facilitator, now=utcnow())
    assert search.normalize("発表済み") in p.search_key
    assert search.normalize("最終版") not in p.search_key


def test_wrong_order_is_refused(session, year) -> None:
    p = fp.proposal(year.team1, author=year.a1)
    with pytest.raises(DomainError):
        services.record_presentation(session, p, on=date(2027, 2, 1), meeting="部局長級会議", note="",
                                     actor=year.facilitator, now=utcnow())
    with pytest.raises(DomainError):
        services.record_decision(session, p, adopted=True, note="x", actor=year.facilitator, now=utcnow())
    with pytest.raises(DomainError):
        services.add_follow_up(session, p, text="x", noted_on=date(2027, 1, 1), actor=year.a1, now=utcnow())


def test_tags_refuse_a_stale_version_and_unknown_cities(session, year) -> None:
    p = fp.proposal(year.team1, author=year.a1)
    with pytest.raises(ConflictError):
        services.update_tags(session, p, city_ids=[], policy_field=None, directions=[], version=p.version - 1,
                             actor=year.a1, now=utcnow())
    with pytest.raises(DomainError, match="unknown_city"):
        services.update_tags(session, p, city_ids=[999_999], policy_field=None, directions=[], version=None,
                             actor=year.a1, now=utcnow())
    services.update_tags(session, p, city_ids=[year.b1.city_id], policy_field=PolicyField.DX,
                         directions=[Direction.OPPORTUNITIES], version=p.version, actor=year.a1, now=utcnow())
    assert [c.name_ja for c in p.city_list] == ["藤沢市"] and p.directions == [Direction.OPPORTUNITIES]


def test_retired_sections_keep_their_text_in_snapshots(session, year) -> None:
    p = fp.proposal(year.team1, author=year.a1)
    template = ensure_template(session, year.cohort)
    template.section("rollout").retired_at = utcnow()
    session.commit()
    snap = services.submit(session, p, fp.texts_of(p), expected=0, actor=year.a1, now=utcnow())
    assert snap.section("rollout").text == fp.TEXTS["rollout"] + "\n"
    assert session.scalar(select(SnapshotSection.heading).where(SnapshotSection.snapshot_id == snap.id,
                                                                SnapshotSection.section_key == "rollout")) \
        == "全国展開の可能性"


def test_snapshots_feed_the_site_search_team_first_then_everyone(session, year) -> None:
    from core import searchindex

    p = fp.proposal(year.team1, author=year.a1, submit=True)
    team_only = searchindex.search(session, "防災", scopes=[("team", year.team1.id)], kinds=["proposal"])
    assert [h.ref_id for h in team_only.hits] == [p.id]
    assert searchindex.search(session, "防災", scopes=[("public", None)]).total == 0
    services.finalize(session, p, fp.texts_of(p), expected=1, actor=year.a1, now=utcnow(), released=False)
    session.commit()
    for q in ("防災", "横浜市", "名簿", "最終版", "チーム1"):
        hits = searchindex.search(session, q, scopes=[("public", None)], kinds=["proposal"]).hits
        assert [h.ref_id for h in hits] == [p.id], q
        assert hits[0].url == f"/proposals/{p.id}"
