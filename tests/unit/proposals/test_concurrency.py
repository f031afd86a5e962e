"""Twenty team members save one proposal section at once, and one reviewer saves a review from many
tabs at once (PostgreSQL, a connection each).

No accepted save is lost (it is the latest text or a revision in the history) and every refusal is the
documented conflict (``EditConflict`` / ``ConflictError``), never a database error or a silent overwrite.
"""
from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from core.errors import ConflictError
from tests import factories
from tests import factories_proposals as fp
from tests import factories_wiki as fw
from tests.crowd import crowd

WRITERS = 20
PARAGRAPHS = [f"第{i + 1}段落: 担当市の現状をここに書く（{i + 1}）。" for i in range(WRITERS)]
BASE = "\n\n".join(PARAGRAPHS) + "\n"


def _team_with_proposal(texts: dict[str, str]):  # type: ignore[no-untyped-def]
    members = [factories.participant(name=f"同時 執筆{i}", email=f"writer{i}@example.jp") for i in range(WRITERS)]
    team = fw.team(fw.cohort(), *members)
    proposal = fp.proposal(team, author=members[0], texts=texts, tags=False)
    return proposal.id, [m.id for m in members]


def _section_revisions(session, proposal_id: int, key: str) -> list[Any]:  # type: ignore[no-untyped-def]
    from proposals import sections
    from proposals.models import ProposalSection

    session.expire_all()
    page_id = session.scalar(select(ProposalSection.page_id).where(ProposalSection.proposal_id == proposal_id,
                                                                   ProposalSection.section_key == key))
    return list(reversed(sections.history(session, page_id))) if page_id else []


def _saver(key: str, edit, base_of):  # type: ignore[no-untyped-def]
    """load/write pair: each writer i opens the section form (its base revision), then saves edit(i)."""
    from core.dates import utcnow
    from core.extensions import db
    from people.models import User
    from proposals import sections
    from proposals.models import Proposal
    from proposals.template import ensure_template

    def load(i: int) -> tuple[int, int, int | None]:
        proposal_id, member_ids = base_of()
        p = db.session.get(Proposal, proposal_id)
        spec = ensure_template(db.session, p.cohort).section(key)
        return proposal_id, member_ids[i], sections.load_one(db.session, p, spec).revision_id

    def write(i: int, loaded: tuple[int, int, int | None]) -> int:
        proposal_id, user_id, base = loaded
        p = db.session.get(Proposal, proposal_id)
        spec = ensure_template(db.session, p.cohort).section(key)
        revision = sections.save(db.session, p, spec, edit(i), author=db.session.get(User, user_id),
                                 base_revision_id=base, now=utcnow())
        return revision.number

    return load, write


@pytest.mark.postgres_only
def test_twenty_members_save_one_section_no_update_is_lost(app: Flask, session) -> None:
    proposal_id, member_ids = _team_with_proposal({"title": "防災人材バンク", "purpose": BASE})

    def edit(i: int) -> str:
        if i % 4 == 0:  # a quarter rewrite the same sentence: they must collide
            return BASE.replace(PARAGRAPHS[0], f"第1段落を{i + 1}番目の人が書き直した。")
        return BASE.replace(PARAGRAPHS[i], PARAGRAPHS[i] + f"（{i + 1}番目の追記）")

    load, write = _saver("purpose", edit, lambda: (proposal_id, member_ids))
    outcome = crowd(app, WRITERS, load, write, refusals=(ConflictError,))
    from proposals.sections import EditConflict

    history = _section_revisions(session, proposal_id, "purpose")
    texts = [r.text for r in history]
    latest = texts[-1]
    assert [r.number for r in history] == list(range(1, len(history) + 1))
    saved = {i for i, (status, _) in outcome.items() if status == "ok"}
    for i, (status, detail) in outcome.items():
        mine = f"{i + 1}番目の人が書き直した" if i % 4 == 0 else f"（{i + 1}番目の追記）"
        if status == "ok":
            assert mine in latest, f"writer {i}'s accepted save is not in the section"
            assert any(mine in t for t in texts[detail - 1:detail]), "its revision holds what it typed"
        else:
            assert isinstance(detail, EditConflict), detail  # the conflict view, with the typed text
            assert detail.yours == edit(i) and mine in detail.merge.text
    assert {i for i in range(WRITERS) if i % 4} <= saved  # separate paragraphs merge cleanly
    assert len([i for i in saved if i % 4 == 0]) == 1  # the same sentence: one wins, the rest are told
    assert len(history) == 1 + len(saved)


@pytest.mark.postgres_only
def test_twenty_members_write_the_first_version_of_a_section_at_once(app: Flask, session) -> None:
    from proposals.models import ProposalSection
    from wiki.models import Page

    proposal_id, member_ids = _team_with_proposal({"title": "防災人材バンク"})

    def edit(i: int) -> str:
        return f"{i + 1}番目の人が最初に書いた効果。\n"

    load, write = _saver("effect", edit, lambda: (proposal_id, member_ids))
    outcome = crowd(app, WRITERS, load, write, refusals=(ConflictError,))
    history = _section_revisions(session, proposal_id, "effect")
    saved = [i for i, (status, _) in outcome.items() if status == "ok"]
    refused = [detail for status, detail in outcome.values() if status == "refused"]
    assert len(saved) == 1 and [r.text for r in history] == [edit(saved[0])]
    assert all(isinstance(e, ConflictError) for e in refused) and len(refused) == WRITERS - 1
    # one section row, one page: no duplicates left behind by the losers
    assert session.scalar(select(func.count()).select_from(ProposalSection)
                          .where(ProposalSection.proposal_id == proposal_id,
                                 ProposalSection.section_key == "effect")) == 1
    assert session.scalar(select(func.count()).select_from(Page).where(Page.title.like(f"proposal-{proposal_id}-effect%"))) == 1


@pytest.fixture()
def review_assignment(app: Flask, session):  # type: ignore[no-untyped-def]
    facilitator = factories.facilitator(name="進行 役")
    cohort = fw.cohort(facilitators=(facilitator,))
    a = factories.participant(factories.YOKOHAMA, name="提案 一")
    b = factories.participant(factories.KAWASAKI, name="査読 二")
    team_a, team_b = fw.team(cohort, a, name="チームA"), fw.team(cohort, b, name="チームB")
    p = fp.proposal(team_a, author=a, submit=True)
    q = fp.proposal(team_b, author=b, submit=True)
    rnd = fp.review_round(cohort, [p, q], facilitator=facilitator, reviews=1)
    assignment = next(x for x in rnd.assignments if x.reviewer_id == b.id)
    return assignment.id, assignment.version


def _review_crowd(app: Flask, assignment_id: int, version: int | None, *, submit_every: int = 0):  # type: ignore[no-untyped-def]
    from core.dates import utcnow
    from core.extensions import db
    from proposals.review import services
    from proposals.review.models import ReviewAssignment

    def load(i: int) -> int:
        return assignment_id

    def write(i: int, _loaded: int) -> str:
        a = db.session.get(ReviewAssignment, assignment_id)
        reviewer = a.reviewer
        scores = [services.ScoreInput(c.id, 1 + i % 5, f"タブ{i}の観点コメント") for c in a.round.criteria]
        overall = f"タブ{i}で書いた総評"
        services.save_review(db.session, a, scores=scores, overall=overall, version=version,
                             submit=bool(submit_every) and i % submit_every == 0, actor=reviewer, now=utcnow())
        return overall

    return crowd(app, WRITERS, load, write, refusals=(ConflictError,))


def _review_state(session, assignment_id: int):  # type: ignore[no-untyped-def]
    from proposals.review.models import ReviewAssignment, ReviewScore

    session.expire_all()
    a = session.get(ReviewAssignment, assignment_id)
    scores = list(session.scalars(select(ReviewScore).where(ReviewScore.assignment_id == assignment_id)))
    return a, scores


@pytest.mark.postgres_only
def test_a_review_saved_from_twenty_tabs_of_the_same_form_keeps_exactly_one(app: Flask, session,
                                                                            review_assignment) -> None:
    """Every tab shows version v; the first save wins, every other is refused as stale (not overwritten)."""
    assignment_id, version = review_assignment
    outcome = _review_crowd(app, assignment_id, version, submit_every=3)
    saved = [(i, text) for i, (status, text) in outcome.items() if status == "ok"]
    refused = [detail for status, detail in outcome.values() if status == "refused"]
    assert len(saved) == 1, f"{len(saved)} tabs saved on top of the same version: all but one were lost"
    assert all(isinstance(e, ConflictError) and e.message == "stale" for e in refused)
    a, scores = _review_state(session, assignment_id)
    i, text = saved[0]
    assert a.overall_comment == text and a.version == version + 1
    assert len(scores) == len(a.round.criteria) and all(s.comment == f"タブ{i}の観点コメント" for s in scores)


@pytest.mark.postgres_only
def test_a_review_saved_without_a_version_from_twenty_tabs_never_fails_or_duplicates(app: Flask, session,
                                                                                      review_assignment) -> None:
    """Saves that carry no version (the API-style "save on top") queue up: all succeed, one score row per
    criterion, and the last one to commit is what is kept, all of one tab (no mix of two saves)."""
    assignment_id, version = review_assignment
    outcome = _review_crowd(app, assignment_id, None)
    assert all(status == "ok" for status, _ in outcome.values()), outcome
    a, scores = _review_state(session, assignment_id)
    assert a.version == version + WRITERS
    tab = a.overall_comment.removeprefix("タブ").removesuffix("で書いた総評")
    assert len(scores) == len(a.round.criteria)
    assert all(s.comment == f"タブ{tab}の観点コメント" and s.score == 1 + int(tab) % 5 for s in scores)


@pytest.mark.postgres_only
def test_the_release_job_waits_for_a_deadline_extension_and_leaves_the_round_unreleased(app: Flask, session,
                                                                                        year) -> None:
    """The facilitator extends a passed deadline while the release job runs: the job waits for the round's
    row, then sees the new deadline. (Without the lock it released with the old one.)"""
    import threading
    import time
    from datetime import timedelta

    from core.extensions import db
    from people.models import User
    from proposals.review import services
    from proposals.review.models import ReviewRound

    p = fp.proposal(year.team1, author=year.a1, submit=True)
    rnd = fp.review_round(year.cohort, [p], facilitator=year.facilitator, reviews=1)
    rid, fid, late = rnd.id, year.facilitator.id, rnd.deadline + timedelta(minutes=5)
    session.commit()
    extended, commit_now, released = threading.Event(), threading.Event(), []

    def extend() -> None:
        with app.app_context():
            r = db.session.get(ReviewRound, rid)
            services.extend_deadline(db.session, r, r.deadline + timedelta(days=2),
                                     actor=db.session.get(User, fid), now=late)
            extended.set()
            commit_now.wait(10)
            db.session.commit()
            db.session.remove()

    def job() -> None:
        with app.app_context():
            extended.wait(10)
            released.append(services.release_due(db.session, now=late))
            db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=extend), threading.Thread(target=job)]
    for t in threads:
        t.start()
    extended.wait(10)
    time.sleep(0.3)
    assert threads[1].is_alive() and not released  # the job waits for the extension's transaction
    commit_now.set()
    for t in threads:
        t.join(20)
    session.expire_all()
    after = session.get(ReviewRound, rid)
    assert released == [0] and after.released_at is None and after.deadline > late
