"""Review rounds through the services: rubric, pool, allocation, publishing, writing, release, answers."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.dates import utcnow
from core.errors import ConflictError, DomainError
from proposals import jobs
from proposals.review import dashboard, policy, services
from proposals.review.models import AssignmentStatus, ReviewerSource, RoundStatus
from proposals.template import ensure_template
from proposals.vocab import ProposalStatus
from tests import factories, factories_proposals as fp


@pytest.fixture()
def two(session, year):  # type: ignore[no-untyped-def]
    p = fp.proposal(year.team1, author=year.a1, submit=True)
    q = fp.proposal(year.team2, author=year.b1, submit=True, title="子育て支援の相互利用")
    return p, q


def test_a_round_freezes_the_rubric_and_builds_the_pool(session, year, two) -> None:
    p, q = two
    template = ensure_template(session, year.cohort)
    rnd = fp.review_round(year.cohort, [p, q], facilitator=year.facilitator, reviews=2, publish=False,
                          alumni=[year.alumnus])
    assert [c.name for c in rnd.criteria] == [c.name for c in template.active_criteria]
    template.criteria[0].name = "後から変えた観点"
    session.commit()
    assert rnd.criteria[0].name == "目的の明確さ"
    pool = {rr.user_id: rr for rr in rnd.reviewers}
    assert set(pool) == {year.a1.id, year.a2.id, year.b1.id, year.b2.id, year.alumnus.id}
    assert pool[year.alumnus.id].source is ReviewerSource.ALUMNUS and pool[year.a1.id].team_id == year.team1.id
    assert rnd.status is RoundStatus.DRAFT and p.status is ProposalStatus.SUBMITTED  # nothing visible yet


def test_allocation_respects_teams_and_mentors(session, year, two) -> None:
    p, q = two
    rnd = fp.review_round(year.cohort, [p, q], facilitator=year.facilitator, reviews=3, publish=False,
                          alumni=[year.alumnus])
    by_proposal: dict[int, set[int]] = {}
    for a in rnd.assignments:
        by_proposal.setdefault(a.round_proposal.proposal_id, set()).add(a.reviewer_id)
    assert by_proposal[p.id] == {year.b1.id, year.b2.id, year.alumnus.id}
    assert by_proposal[q.id] == {year.a1.id, year.a2.id}  # the mentor of team 2 never reviews it
    stats = services.current_stats(session, rnd)
    assert stats["ok"] and stats["coverage"]["per_proposal"] == {str(p.id): 3, str(q.id): 2}
    aliases = sorted(a.alias for a in rnd.assignments if a.round_proposal.proposal_id == p.id)
    assert aliases == ["A", "B", "C"]


def test_round_inputs_are_checked(session, year, two) -> None:
    p, _q = two
    with pytest.raises(DomainError, match="deadline_past"):
        services.create_round(session, year.cohort, title="x", deadline=utcnow() - timedelta(hours=1),
                              reviews_per_proposal=3, hide_reviewers=True, hide_authors=False, include_alumni=False,
                              alumni_ids=[], proposal_ids=[p.id], instructions="", seed=1, actor=year.facilitator,
                              now=utcnow())
    draft = fp.proposal(year.team1, author=year.a1, title="下書きのまま")
    with pytest.raises(DomainError, match="no_proposals"):
        services.create_round(session, year.cohort, title="x", deadline=utcnow() + timedelta(days=1),
                              reviews_per_proposal=3, hide_reviewers=True, hide_authors=False, include_alumni=False,
                              alumni_ids=[], proposal_ids=[draft.id], instructions="", seed=1,
                              actor=year.facilitator, now=utcnow())
    fp.review_round(year.cohort, [p], facilitator=year.facilitator, publish=False)
    assert p.id not in {x.id for x in services.reviewable_proposals(session, year.cohort.id)}  # one round at a time


def test_publish_notifies_reviewers_and_starts_review(session, year, two, events) -> None:
    p, q = two
    rnd = fp.review_round(year.cohort, [p, q], facilitator=year.facilitator, reviews=2, publish=False)
    services.publish_round(session, rnd, actor=year.facilitator, now=utcnow())
    assert rnd.status is RoundStatus.OPEN and p.status is ProposalStatus.IN_REVIEW
    assigned = [e for e in events if e.kind == "review.assigned"]
    assert sorted(r for e in assigned for r in e.recipient_ids) == sorted(
        [year.a1.id, year.a2.id, year.b1.id, year.b2.id])
    for e in assigned:
        assert "チーム" not in str(e.params) and e.url == "/reviews"
    with pytest.raises(ConflictError):
        services.publish_round(session, rnd, actor=year.facilitator, now=utcnow())


def test_review_drafts_then_submits_and_incomplete_is_refused_untouched(session, year, two) -> None:
    p, q = two
    rnd = fp.review_round(year.cohort, [p, q], facilitator=year.facilitator, reviews=1)
    a = next(x for x in rnd.assignments if x.round_proposal.proposal_id == p.id)
    reviewer = session.get(type(year.b1), a.reviewer_id)
    first = rnd.criteria[0]
    services.save_review(session, a, scores=[services.ScoreInput(first.id, 4, "根拠が明確")], overall="",
                         version=a.version, submit=False, actor=reviewer, now=utcnow())
    assert a.status is AssignmentStatus.DRAFT and a.score_for(first.id).comment == "根拠が明確"
    version = a.version
    with pytest.raises(services.ReviewIncomplete) as caught:
        services.save_review(session, a, scores=[services.ScoreInput(first.id, 5, "変更")], overall="",
                             version=version, submit=True, actor=reviewer, now=utcnow())
    assert caught.value.problems["overall"] == "overall_missing"
    assert f"score_{rnd.criteria[1].id}" in caught.value.problems
    assert a.score_for(first.id).score == 4 and a.version == version  # nothing changed
    with pytest.raises(ConflictError):
        services.save_review(session, a, scores=[], overall="古い画面から", version=version - 1, submit=False,
                             actor=reviewer, now=utcnow())
    with pytest.raises(DomainError, match="not_yours"):
        services.save_review(session, a, scores=[], overall="x", version=None, submit=False, actor=year.a1,
                             now=utcnow())
    fp.submit_review(a)
    assert a.status is AssignmentStatus.SUBMITTED and a.submitted_at is not None


def test_reviews_reach_authors_only_after_release(session, year, two, events) -> None:
    p, q = two
    rnd = fp.review_round(year.cohort, [p, q], facilitator=year.facilitator, reviews=1)
    a = next(x for x in rnd.assignments if x.round_proposal.proposal_id == p.id)
    fp.submit_review(a)
    assert not policy.authors_see(year.a1, p, rnd) and not services.can_answer(a, utcnow())
    assert policy.read_reviews(year.facilitator, p, rnd)
    services.release(session, rnd, actor=year.facilitator, now=utcnow())
    session.commit()
    assert policy.authors_see(year.a1, p, rnd) and policy.authors_see(year.alumnus, q, rnd)  # mentor of team 2
    assert not policy.authors_see(year.b1, p, rnd)  # another team never reads them
    released = [e for e in events if e.kind == "review.released"]
    assert {e.target_id for e in released} == {p.id, q.id}
    for e in released:
        assert e.hide_actor and e.actor_id is None
    assert set(next(e for e in released if e.target_id == q.id).recipient_ids) == {year.b1.id, year.b2.id,
                                                                                   year.alumnus.id}
    with pytest.raises(DomainError):
        services.save_review(session, a, scores=[], overall="公開後の書き換え", version=None, submit=True,
                             actor=session.get(type(year.a1), a.reviewer_id), now=utcnow())


def test_the_job_releases_rounds_past_their_deadline_once(session, year, two, events) -> None:
    p, q = two
    rnd = fp.review_round(year.cohort, [p, q], facilitator=year.facilitator, reviews=1)
    later = rnd.deadline + timedelta(minutes=1)
    assert rnd.is_released(later) and not rnd.is_released(utcnow())
    assert jobs.release_due_reviews(session, later) == 1
    assert rnd.released_at == rnd.deadline and rnd.released_by_id is None
    assert jobs.release_due_reviews(session, later) == 0
    assert len([e for e in events if e.kind == "review.released"]) == 2


def test_answers_link_revisions_and_ratings(session, year, two) -> None:
    p, q = two
    rnd = fp.review_round(year.cohort, [p, q], facilitator=year.facilitator, reviews=1)
    a = next(x for x in rnd.assignments if x.round_proposal.proposal_id == p.id)
    fp.submit_review(a)
    services.release(session, rnd, actor=year.facilitator, now=utcnow())
    session.commit()
    revision = fp.write(p, "effect", "効果を数値で補強。", author=year.a1)
    from proposals import sections

    allowed = [(k, r.id) for k, r in sections.revisions_since(session, p, rnd.published_at)]
    assert ("effect", revision.id) in allowed
    response = services.respond(session, a, text="効果の欄を直しました。", links=[("effect", revision.id)],
                                allowed_links=allowed, version=None, actor=year.a1, now=utcnow())
    assert [link.revision_id for link in response.links] == [revision.id]
    with pytest.raises(DomainError, match="unknown_revision"):
        services.respond(session, a, text="x", links=[("effect", 999_999)], allowed_links=allowed,
                         version=response.version, actor=year.a1, now=utcnow())
    with pytest.raises(ConflictError):
        services.respond(session, a, text="x", links=[], allowed_links=allowed, version=response.version - 1,
                         actor=year.a2, now=utcnow())
    services.rate(session, a, 5, actor=year.a2, now=utcnow())
    assert a.helpfulness == 5
    with pytest.raises(DomainError):
        services.rate(session, a, 9, actor=year.a2, now=utcnow())


def test_reassign_in_preparation_and_after_publishing(session, year, two, events) -> None:
    p, q = two
    rnd = fp.review_round(year.cohort, [p, q], facilitator=year.facilitator, reviews=1, publish=False,
                          alumni=[year.alumnus])
    a = next(x for x in rnd.assignments if x.round_proposal.proposal_id == p.id)
    with pytest.raises(DomainError, match="own_team"):
        services.reassign(session, a, year.a2.id, actor=year.facilitator, now=utcnow())
    other = year.b2.id if a.reviewer_id != year.b2.id else year.b1.id
    services.reassign(session, a, other, actor=year.facilitator, now=utcnow())
    assert a.reviewer_id == other and not [e for e in events if e.kind == "review.assigned"]
    services.publish_round(session, rnd, actor=year.facilitator, now=utcnow())
    events.clear()
    new = services.reassign(session, a, year.alumnus.id, actor=year.facilitator, now=utcnow())
    assert a.status is AssignmentStatus.WITHDRAWN and new.reviewer_id == year.alumnus.id and new.alias == "B"
    assert [e.recipient_ids for e in events] == [(year.alumnus.id,)]
    fp.submit_review(new)
    with pytest.raises(DomainError, match="already_submitted"):
        services.reassign(session, new, other, actor=year.facilitator, now=utcnow())


def test_deadlines_extend_only_forward_and_before_release(session, year, two) -> None:
    p, q = two
    rnd = fp.review_round(year.cohort, [p, q], facilitator=year.facilitator, reviews=1)
    with pytest.raises(DomainError, match="not_later"):
        services.extend_deadline(session, rnd, rnd.deadline - timedelta(hours=1), actor=year.facilitator,
                                 now=utcnow())
    services.extend_deadline(session, rnd, rnd.deadline + timedelta(days=2), actor=year.facilitator, now=utcnow())
    a = rnd.assignments[0]
    services.extend_assignment(session, a, rnd.deadline + timedelta(days=3), now=utcnow())
    assert a.effective_due() == rnd.deadline + timedelta(days=3)
    services.release(session, rnd, actor=year.facilitator, now=utcnow())
    with pytest.raises(DomainError, match="already_released"):
        services.extend_deadline(session, rnd, rnd.deadline + timedelta(days=5), actor=year.facilitator,
                                 now=utcnow())


def test_dashboard_counts_disagreements_and_late_reviewers(session, year) -> None:
    extra = [factories.participant(factories.YAMATO, name=f"大和 {n}郎") for n in range(2)]
    from tests import factories_wiki as fw

    team3 = fw.team(year.cohort, *extra, name="チーム3")
    p = fp.proposal(year.team1, author=year.a1, submit=True)
    q = fp.proposal(year.team2, author=year.b1, submit=True)
    r = fp.proposal(team3, author=extra[0], submit=True)
    rnd = fp.review_round(year.cohort, [p, q, r], facilitator=year.facilitator, reviews=3)
    on_p = [a for a in rnd.assignments if a.round_proposal.proposal_id == p.id]
    fp.submit_review(on_p[0], score=1)
    fp.submit_review(on_p[1], score=5)
    board = dashboard.build(rnd, utcnow())
    assert board.total == 9 and board.submitted == 2 and board.not_started == 7
    assert {(d.round_proposal.proposal_id, d.spread) for d in board.disagreements} == {(p.id, 4)}
    assert board.criteria[0].counts == {1: 1, 2: 0, 3: 0, 4: 0, 5: 1} and board.criteria[0].average == 3
    assert board.late == []
    late = dashboard.build(rnd, rnd.deadline + timedelta(hours=1))
    assert len(late.late) == 7 and all(a.status is not AssignmentStatus.SUBMITTED for a in late.late)


def test_close_releases_and_stops_writing(session, year, two) -> None:
    p, q = two
    rnd = fp.review_round(year.cohort, [p, q], facilitator=year.facilitator, reviews=1)
    services.close_round(session, rnd, actor=year.facilitator, now=utcnow())
    assert rnd.status is RoundStatus.CLOSED and rnd.released_at is not None
    assert not services.can_write(rnd.assignments[0], utcnow())


def test_a_deadline_passed_but_not_yet_released_can_be_extended(session, year, two) -> None:
    p, q = two
    rnd = fp.review_round(year.cohort, [p, q], facilitator=year.facilitator, reviews=1)
    fp.submit_review(rnd.assignments[0])
    old = rnd.deadline
    late = old + timedelta(minutes=5)  # past the deadline; the release job has not run yet
    assert rnd.is_released(late) and rnd.released_at is None
    new = old + timedelta(days=3)
    services.extend_deadline(session, rnd, new, actor=year.facilitator, now=late)
    session.commit()
    assert rnd.deadline == new and not rnd.is_released(late)  # the authors wait for the new deadline
    assert not policy.authors_see(year.a1, p, rnd)
    assert jobs.release_due_reviews(session, late) == 0 and rnd.released_at is None  # the job leaves it
    [(entry, before)] = services.deadline_extensions(session, rnd)
    assert entry.actor_id == year.facilitator.id and entry.at == late and before == old
    with pytest.raises(DomainError, match="not_later"):
        services.extend_deadline(session, rnd, new - timedelta(hours=1), actor=year.facilitator, now=late)
    assert jobs.release_due_reviews(session, new + timedelta(minutes=1)) == 1
    assert rnd.released_at == new


def test_released_reviews_stay_released(session, year, two) -> None:
    p, q = two
    by_job = fp.review_round(year.cohort, [p], facilitator=year.facilitator, reviews=1)
    late = by_job.deadline + timedelta(minutes=20)
    assert jobs.release_due_reviews(session, late) == 1
    by_hand = fp.review_round(year.cohort, [q], facilitator=year.facilitator, reviews=1, release=True)
    for rnd, now in ((by_job, late), (by_hand, utcnow())):
        released_at, deadline = rnd.released_at, rnd.deadline
        with pytest.raises(DomainError, match="already_released"):
            services.extend_deadline(session, rnd, deadline + timedelta(days=3), actor=year.facilitator, now=now)
        session.rollback()
        assert rnd.released_at == released_at and rnd.deadline == deadline and rnd.is_released(now)
        assert services.deadline_extensions(session, rnd) == []
