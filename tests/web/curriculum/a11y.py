"""The curriculum's main pages, checked with axe-core by tests/browser/test_accessibility.py."""

from __future__ import annotations

from tests.access import ADMIN, ALUMNUS, COORDINATOR, FACILITATOR, PARTICIPANT

PAGES = [
    (PARTICIPANT, "/"),
    (PARTICIPANT, lambda w: f"/cohorts/{w.cohort.id}"),
    (PARTICIPANT, lambda w: f"/cohorts/{w.cohort.id}/sessions"),
    (PARTICIPANT, lambda w: f"/sessions/{w.session_a.id}"),
    (PARTICIPANT, lambda w: f"/cohorts/{w.cohort.id}/modules"),
    (PARTICIPANT, lambda w: f"/cohorts/{w.cohort.id}/modules/why-2040"),
    (PARTICIPANT, lambda w: f"/assignments/{w.assignment.id}"),
    (PARTICIPANT, lambda w: f"/submissions/{w.submission.id}"),
    (PARTICIPANT, lambda w: f"/cohorts/{w.cohort.id}/teams"),
    (PARTICIPANT, lambda w: f"/teams/{w.team.id}"),
    (PARTICIPANT, "/calendar"),
    (FACILITATOR, "/"),
    (FACILITATOR, lambda w: f"/cohorts/{w.cohort.id}/submissions"),
    (FACILITATOR, lambda w: f"/cohorts/{w.cohort.id}/assignments/new"),
    (FACILITATOR, lambda w: f"/cohorts/{w.cohort.id}/sessions/new"),
    (FACILITATOR, lambda w: f"/sessions/{w.session_a.id}/attendance"),
    (FACILITATOR, lambda w: f"/cohorts/{w.cohort.id}/progress"),
    (FACILITATOR, lambda w: f"/cohorts/{w.cohort.id}/teams"),
    (FACILITATOR, lambda w: f"/cohorts/{w.cohort.id}/teams/suggest?teams=2&seed=1"),
    (FACILITATOR, lambda w: f"/cohorts/{w.cohort.id}/modules/eight-cities/adapt"),
    (FACILITATOR, lambda w: f"/submissions/{w.submission.id}"),
    (ADMIN, "/cohorts"),
    (ADMIN, "/cohorts/new"),
    (ADMIN, lambda w: f"/cohorts/{w.cohort.id}/enrolment"),
    (COORDINATOR, lambda w: f"/cohorts/{w.cohort.id}/nominate"),
    (ALUMNUS, "/"),
    (ALUMNUS, "/study"),
]
