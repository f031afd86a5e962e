"""Main proposal and review pages checked by axe-core (tests/browser/test_accessibility.py)."""
from tests.access import ADMIN, FACILITATOR, PARTICIPANT

PAGES = [
    (PARTICIPANT, "/proposals"),
    (PARTICIPANT, lambda w: f"/proposals/{w.proposal.id}"),
    (PARTICIPANT, lambda w: f"/proposals/{w.proposal.id}/sections/purpose"),
    (PARTICIPANT, lambda w: f"/proposals/{w.proposal.id}/sections/purpose/history"),
    (PARTICIPANT, lambda w: f"/proposals/{w.proposal.id}/snapshots/1"),
    (PARTICIPANT, lambda w: f"/proposals/{w.proposal.id}/tags"),
    (PARTICIPANT, lambda w: f"/proposals/{w.proposal.id}/reviews"),
    (PARTICIPANT, lambda w: f"/reviews/{w.assignment_todo.id}"),
    (PARTICIPANT, lambda w: f"/teams/{w.team.id}/proposals"),
    (FACILITATOR, lambda w: f"/review-rounds/{w.round.id}"),
    (FACILITATOR, lambda w: f"/review-rounds/{w.draft_round.id}"),
    (FACILITATOR, lambda w: f"/cohorts/{w.cohort.id}/review-rounds/new"),
    (FACILITATOR, lambda w: f"/proposals/{w.final_proposal.id}/outcome"),
    (ADMIN, lambda w: f"/cohorts/{w.cohort.id}/proposal-template"),
    (ADMIN, lambda w: f"/proposals/{w.past_proposal.id}"),
]
