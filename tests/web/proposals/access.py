"""Access rules for proposal and peer-review routes, and the proposals, rounds and reviews they open.

The world adds, in cohort A: team 1's proposal in review (released reviews: PARTICIPANT_OTHER reviewed
it and submitted; PARTICIPANT has an unsubmitted review of team 2's proposal), a second team-1
proposal in a round still in preparation, a final proposal of team 2; in cohort B (closed): an
adopted proposal of the ALUMNUS's team.
"""
from __future__ import annotations

from tests.access import (ADMIN, ALUMNUS, COORDINATOR, FACILITATOR, FACILITATOR_OTHER, PARTICIPANT,
                          PARTICIPANT_OTHER, POST_OK, SIGNED_IN, Rule)

ORDER = 50

STAFF_A = frozenset({ADMIN, FACILITATOR})
INSIDERS = frozenset({ADMIN, FACILITATOR, PARTICIPANT})  # team 1's proposal: staff of A and the team
READERS = INSIDERS | {COORDINATOR}  # + the coordinator of a city in the team
TEAM = frozenset({PARTICIPANT})
REDIRECT = frozenset({302})


def _p(w) -> str:  # type: ignore[no-untyped-def]
    return f"/proposals/{w.proposal.id}"


def _r(w) -> str:  # type: ignore[no-untyped-def]
    return f"/review-rounds/{w.round.id}"


def _d(w) -> str:  # type: ignore[no-untyped-def]
    return f"/review-rounds/{w.draft_round.id}"


def _tpl(w) -> str:  # type: ignore[no-untyped-def]
    return f"/cohorts/{w.cohort.id}/proposal-template"


RULES = [
    # proposals: list, team, overview, drafting
    Rule("proposals.index", "/proposals", SIGNED_IN),
    Rule("proposals.team_proposals", lambda w: f"/teams/{w.team.id}/proposals", READERS),
    Rule("proposals.team_proposals", lambda w: f"/teams/{w.team.id}/proposals", TEAM, method="POST",
         data={"title": "子育て支援の相互利用"}, ok=POST_OK),
    Rule("proposals.show", _p, READERS),
    Rule("proposals.show", lambda w: f"/proposals/{w.past_proposal.id}", SIGNED_IN, note="finished: everyone"),
    Rule("proposals.edit_section", lambda w: f"{_p(w)}/sections/purpose", TEAM),
    Rule("proposals.edit_section", lambda w: f"{_p(w)}/sections/purpose", TEAM, method="POST",
         data=lambda w: {"text": "目的を書き直した。", "base_revision_id": str(w.purpose_revision_id)}, ok=POST_OK),
    Rule("proposals.section_history", lambda w: f"{_p(w)}/sections/purpose/history", INSIDERS),
    Rule("proposals.revision", lambda w: f"{_p(w)}/revisions/{w.purpose_revision_id}", INSIDERS),
    Rule("proposals.restore", lambda w: f"{_p(w)}/revisions/{w.purpose_revision_id}/restore", TEAM,
         method="POST", ok=REDIRECT),
    Rule("proposals.tags", lambda w: f"{_p(w)}/tags", TEAM),
    Rule("proposals.tags", lambda w: f"{_p(w)}/tags", TEAM, method="POST",
         data=lambda w: {"cities": [str(c.city_id) for c in w.proposal.cities], "policy_field": "disaster",
                         "directions": ["threats"], "version": str(w.proposal.version)}, ok=POST_OK),
    Rule("proposals.submit", lambda w: f"{_p(w)}/submit", TEAM, method="POST", data={"expected": "1"}, ok=POST_OK),
    Rule("proposals.revise", lambda w: f"{_p(w)}/revise", TEAM, method="POST", data={"expected": "1"}, ok=POST_OK),
    Rule("proposals.finalize", lambda w: f"{_p(w)}/finalize", INSIDERS, method="POST", data={"expected": "1"},
         ok=POST_OK),
    Rule("proposals.withdraw", lambda w: f"{_p(w)}/withdraw", TEAM, method="POST", ok=REDIRECT),
    Rule("proposals.snapshot", lambda w: f"{_p(w)}/snapshots/1", READERS),
    Rule("proposals.print_view", lambda w: f"{_p(w)}/print", READERS),
    Rule("proposals.export_docx", lambda w: f"{_p(w)}/export.docx", READERS),
    # after the final version
    Rule("proposals.outcome", lambda w: f"/proposals/{w.final_proposal.id}/outcome", STAFF_A),
    Rule("proposals.present", lambda w: f"/proposals/{w.final_proposal.id}/presentation", STAFF_A, method="POST",
         data={"presented_on": "2027-02-20", "meeting": "部局長級会議", "note": ""}, ok=POST_OK),
    Rule("proposals.decide", lambda w: f"/proposals/{w.past_proposal.id}/decision",
         frozenset({ADMIN, FACILITATOR_OTHER}), method="POST",
         data={"adopted": "yes", "note": "検討テーマとして採択。"}, ok=POST_OK),
    Rule("proposals.add_follow_up", lambda w: f"/proposals/{w.past_proposal.id}/follow-ups",
         frozenset({ADMIN, FACILITATOR_OTHER, ALUMNUS}), method="POST",
         data={"noted_on": "2026-07-01", "text": "2市で試行を始めた。"}, ok=POST_OK),
    # the template (secretariat)
    Rule("proposals.templates_index", "/proposal-templates", frozenset({ADMIN})),
    Rule("proposals.template_show", _tpl, STAFF_A),
    Rule("proposals.template_intro", lambda w: f"{_tpl(w)}/intro", frozenset({ADMIN}), method="POST",
         data={"intro": "2040年から逆算して書きましょう。"}, ok=POST_OK),
    Rule("proposals.template_add_section", lambda w: f"{_tpl(w)}/sections", frozenset({ADMIN}), method="POST",
         data={"heading": "予算の見込み", "guidance": "", "min_chars": "", "max_chars": "400", "required": ""},
         ok=POST_OK),
    Rule("proposals.template_section", lambda w: f"{_tpl(w)}/sections/{w.template_section_id}", frozenset({ADMIN})),
    Rule("proposals.template_section", lambda w: f"{_tpl(w)}/sections/{w.template_section_id}", frozenset({ADMIN}),
         method="POST", data={"heading": "効果", "guidance": "数値で", "min_chars": "100", "max_chars": "800",
                              "required": "y"}, ok=POST_OK),
    Rule("proposals.template_move_section", lambda w: f"{_tpl(w)}/sections/{w.template_section_id}/move",
         frozenset({ADMIN}), method="POST", data={"direction": "up"}, ok=REDIRECT),
    Rule("proposals.template_retire_section", lambda w: f"{_tpl(w)}/sections/{w.template_section_id}/retire",
         frozenset({ADMIN}), method="POST", data={"retire": "1"}, ok=REDIRECT),
    Rule("proposals.template_add_criterion", lambda w: f"{_tpl(w)}/criteria", frozenset({ADMIN}), method="POST",
         data={"name": "独自性", "level_1": "a", "level_2": "b", "level_3": "c", "level_4": "d", "level_5": "e"},
         ok=POST_OK),
    Rule("proposals.template_criterion", lambda w: f"{_tpl(w)}/criteria/{w.template_criterion_id}",
         frozenset({ADMIN})),
    Rule("proposals.template_criterion", lambda w: f"{_tpl(w)}/criteria/{w.template_criterion_id}",
         frozenset({ADMIN}), method="POST", data={"name": "効果", "level_1": "a", "level_2": "b", "level_3": "c",
                                                   "level_4": "d", "level_5": "e"}, ok=POST_OK),
    Rule("proposals.template_move_criterion", lambda w: f"{_tpl(w)}/criteria/{w.template_criterion_id}/move",
         frozenset({ADMIN}), method="POST", data={"direction": "down"}, ok=REDIRECT),
    Rule("proposals.template_retire_criterion", lambda w: f"{_tpl(w)}/criteria/{w.template_criterion_id}/retire",
         frozenset({ADMIN}), method="POST", data={"retire": "1"}, ok=REDIRECT),
    # review rounds (facilitators)
    Rule("review.rounds", "/review-rounds", frozenset({ADMIN, FACILITATOR, FACILITATOR_OTHER})),
    Rule("review.new_round", lambda w: f"/cohorts/{w.cohort.id}/review-rounds/new", STAFF_A),
    Rule("review.new_round", lambda w: f"/cohorts/{w.cohort.id}/review-rounds/new", STAFF_A, method="POST",
         data={"title": "第2回", "deadline": "2099-01-10T17:00", "reviews_per_proposal": "2"}, ok=POST_OK),
    Rule("review.round", _r, STAFF_A),
    Rule("review.round", _d, STAFF_A, note="in preparation: the allocation preview"),
    Rule("review.publish", lambda w: f"{_d(w)}/publish", STAFF_A, method="POST", ok=REDIRECT),
    Rule("review.release", lambda w: f"{_r(w)}/release", STAFF_A, method="POST", ok=REDIRECT),
    Rule("review.close", lambda w: f"{_r(w)}/close", STAFF_A, method="POST", ok=REDIRECT),
    Rule("review.reallocate", lambda w: f"{_d(w)}/allocate", STAFF_A, method="POST", data={"seed": "7"},
         ok=POST_OK),
    Rule("review.add_alumni", lambda w: f"{_d(w)}/alumni", STAFF_A, method="POST",
         data=lambda w: {"alumni": [str(w.users[ALUMNUS].id)]}, ok=POST_OK),
    Rule("review.add_assignment", lambda w: f"{_r(w)}/assignments", STAFF_A, method="POST",
         data=lambda w: {"proposal": str(w.round_proposal_other_id), "reviewer": str(w.users[PARTICIPANT].id)},
         ok=POST_OK),
    Rule("review.reassign", lambda w: f"{_r(w)}/assignments/{w.assignment_todo.id}/reassign", STAFF_A,
         method="POST", data=lambda w: {"reviewer": str(w.users[PARTICIPANT_OTHER].id)}, ok=POST_OK),
    Rule("review.remove_assignment", lambda w: f"{_d(w)}/assignments/{w.draft_assignment_id}/remove", STAFF_A,
         method="POST", ok=REDIRECT),
    Rule("review.extend_assignment", lambda w: f"{_r(w)}/assignments/{w.assignment_todo.id}/due", STAFF_A,
         method="POST", data={"due_at": "2099-01-01T12:00"}, ok=REDIRECT),
    Rule("review.extend_deadline", lambda w: f"{_d(w)}/deadline", STAFF_A, method="POST",
         data={"deadline": "2099-02-01T12:00"}, ok=POST_OK),
    Rule("review.schedule_opening", lambda w: f"{_d(w)}/opens-at", STAFF_A, method="POST",
         data={"opens_at": "2099-01-05T09:00"}, ok=POST_OK),
    Rule("review.export_csv", lambda w: f"{_r(w)}/export.csv", STAFF_A),
    # reviewers and authors
    Rule("review.my_reviews", "/reviews", SIGNED_IN),
    Rule("review.review", lambda w: f"/reviews/{w.assignment_todo.id}", TEAM),
    Rule("review.review", lambda w: f"/reviews/{w.assignment_todo.id}", TEAM, method="POST",
         data={"overall": "下書き", "save": "下書き保存"}, ok=POST_OK),
    Rule("review.proposal_reviews", lambda w: f"{_p(w)}/reviews", INSIDERS),
    Rule("review.respond", lambda w: f"/reviews/{w.assignment_done.id}/response", TEAM, method="POST",
         data={"text": "ご指摘を受けて効果の欄を見直しました。"}, ok=REDIRECT),
    Rule("review.rate", lambda w: f"/reviews/{w.assignment_done.id}/helpfulness", TEAM, method="POST",
         data={"value": "5"}, ok=REDIRECT),
    Rule("review.reviews_docx", lambda w: f"{_p(w)}/reviews.docx", INSIDERS),
]


def build(world):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from core.dates import utcnow
    from core.extensions import db
    from sqlalchemy import select

    from curriculum.models import CohortStatus, Team, TeamMember
    from proposals import services
    from proposals.review import services as review_services
    from proposals.review.models import ReviewAssignment
    from proposals.template import ensure_template
    from tests import factories_proposals as fp

    p, q, alum = world.users[PARTICIPANT], world.users[PARTICIPANT_OTHER], world.users[ALUMNUS]
    facilitator = world.users[FACILITATOR]
    template = ensure_template(db.session, world.cohort)
    db.session.commit()
    world.template_section_id = template.section("effect").id
    world.template_criterion_id = template.criteria[0].id

    world.proposal = fp.proposal(world.team, author=p, submit=True)
    world.proposal_other = fp.proposal(world.team_other, author=q, submit=True, title="市境を越える子育て支援")
    rnd = fp.review_round(world.cohort, [world.proposal, world.proposal_other], facilitator=facilitator, reviews=1)
    world.round = rnd
    world.assignment_done = next(a for a in rnd.assignments if a.reviewer_id == q.id)
    world.assignment_todo = next(a for a in rnd.assignments if a.reviewer_id == p.id)
    world.round_proposal_other_id = world.assignment_todo.round_proposal_id
    fp.submit_review(world.assignment_done)
    review_services.release(db.session, rnd, actor=facilitator, now=utcnow() - timedelta(seconds=30))
    db.session.commit()
    world.purpose_revision_id = fp.write(world.proposal, "purpose", "目的：改訂した文章。", author=p).id

    world.waiting = fp.proposal(world.team, author=p, submit=True, title="橋りょう点検データの共同管理")
    world.draft_round = fp.review_round(world.cohort, [world.waiting], facilitator=facilitator, publish=False)
    world.draft_assignment_id = db.session.scalar(
        select(ReviewAssignment.id).where(ReviewAssignment.round_id == world.draft_round.id))

    final = fp.proposal(world.team_other, author=q, submit=True, title="8市共同のオンライン申請基盤")
    services.finalize(db.session, final, fp.texts_of(final), expected=1, actor=q, now=utcnow(), released=False)
    db.session.commit()
    world.final_proposal = final

    past_team = Team(cohort=world.cohort_other, number=1, name="令和7年度チーム1")
    db.session.add(past_team)
    db.session.flush()
    db.session.add(TeamMember(team=past_team, cohort_id=world.cohort_other.id, user=alum))
    db.session.commit()
    world.cohort_other.status = CohortStatus.OPEN  # written while that year ran
    db.session.commit()
    past = fp.proposal(past_team, author=alum, submit=True, title="図書館の相互利用拡大",
                       now=utcnow() - timedelta(days=300))
    now = utcnow() - timedelta(days=200)
    services.finalize(db.session, past, fp.texts_of(past), expected=1, actor=alum, now=now, released=False)
    services.record_presentation(db.session, past, on=now.date(), meeting="8市連携市長会議", note="",
                                 actor=world.users[ADMIN], now=now)
    services.record_decision(db.session, past, adopted=True, note="検討テーマとして採択。", actor=world.users[ADMIN],
                             now=now)
    services.add_follow_up(db.session, past, text="担当課長会議で検討を開始。", noted_on=now.date(),
                           actor=world.users[ADMIN], now=now)
    world.cohort_other.status = CohortStatus.CLOSED
    db.session.commit()
    world.past_proposal = past
