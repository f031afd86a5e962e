"""Access rules for curriculum routes, and the cohorts/teams every other area's rules rely on.

The world: cohort A (FY2026, open, teams published) run by FACILITATOR, with PARTICIPANT (Yokohama,
team 1) and PARTICIPANT_OTHER (Kawasaki, team 2, mentored by ALUMNUS); cohort B (FY2025, closed)
run by FACILITATOR_OTHER, which ALUMNUS completed. Cohort A also has a session with a material,
the synced modules, an individual assignment (published), a team assignment (published), a future
assignment, submissions by PARTICIPANT, PARTICIPANT_OTHER and team 1, and PARTICIPANT's calendar feed.
"""

from __future__ import annotations

from datetime import date, timedelta

from tests.access import (
    ADMIN,
    ALUMNUS,
    COORDINATOR,
    COORDINATOR_OTHER,
    EVERYONE,
    FACILITATOR,
    FACILITATOR_OTHER,
    NOBODY,
    PARTICIPANT,
    PARTICIPANT_OTHER,
    SIGNED_IN,
    Rule,
)

ORDER = 20

A_STAFF = frozenset({ADMIN, FACILITATOR})
A_VIEW = frozenset({ADMIN, FACILITATOR, PARTICIPANT, PARTICIPANT_OTHER, COORDINATOR, COORDINATOR_OTHER})
A_PARTICIPANTS = frozenset({PARTICIPANT, PARTICIPANT_OTHER})
A_CITY = frozenset({ADMIN, FACILITATOR, COORDINATOR, COORDINATOR_OTHER})
B_VIEW = frozenset({ADMIN, FACILITATOR_OTHER, ALUMNUS})
REDIRECT = frozenset({302})
REFUSED_INPUT = frozenset({400})
SLUG = "why-2040"


def _a(w) -> int:  # type: ignore[no-untyped-def]
    return w.cohort.id


RULES: list[Rule] = [
    # cohorts and enrolment
    Rule(
        "curriculum.study",
        "/study",
        frozenset({PARTICIPANT, PARTICIPANT_OTHER, ALUMNUS}),
        ok=frozenset({200, 302}),
        note="a participant is sent to the running year",
    ),
    Rule("curriculum.cohorts", "/cohorts", SIGNED_IN),
    Rule("curriculum.new_cohort", "/cohorts/new", frozenset({ADMIN})),
    Rule(
        "curriculum.new_cohort",
        "/cohorts/new",
        frozenset({ADMIN}),
        method="POST",
        data={"fiscal_year": ""},
        ok=REFUSED_INPUT,
    ),
    Rule("curriculum.cohort", lambda w: f"/cohorts/{_a(w)}", A_VIEW),
    Rule("curriculum.cohort", lambda w: f"/cohorts/{w.cohort_other.id}", B_VIEW, note="a closed year"),
    Rule("curriculum.edit_cohort", lambda w: f"/cohorts/{_a(w)}/edit", frozenset({ADMIN})),
    Rule(
        "curriculum.edit_cohort",
        lambda w: f"/cohorts/{_a(w)}/edit",
        frozenset({ADMIN}),
        method="POST",
        data={"title_ja": "名称"},
        ok=REFUSED_INPUT,
        note="the places of every city are required",
    ),
    Rule(
        "curriculum.start_cohort",
        lambda w: f"/cohorts/{_a(w)}/start",
        frozenset({ADMIN}),
        method="POST",
        ok=REDIRECT,
    ),
    Rule("curriculum.close_cohort", lambda w: f"/cohorts/{_a(w)}/close", frozenset({ADMIN})),
    Rule(
        "curriculum.close_cohort",
        lambda w: f"/cohorts/{_a(w)}/close",
        frozenset({ADMIN}),
        method="POST",
        ok=REDIRECT,
    ),
    Rule("curriculum.enrolment", lambda w: f"/cohorts/{_a(w)}/enrolment", A_CITY),
    Rule(
        "curriculum.nominate",
        lambda w: f"/cohorts/{_a(w)}/nominate",
        frozenset({ADMIN, COORDINATOR, COORDINATOR_OTHER}),
    ),
    Rule(
        "curriculum.nominate",
        lambda w: f"/cohorts/{_a(w)}/nominate",
        frozenset({ADMIN, COORDINATOR, COORDINATOR_OTHER}),
        method="POST",
        data={"nominees": ""},
        ok=REFUSED_INPUT,
    ),
    Rule(
        "curriculum.withdraw",
        lambda w: f"/enrolments/{w.enrolment.id}/withdraw",
        frozenset({ADMIN, COORDINATOR, PARTICIPANT}),
        method="POST",
        ok=REDIRECT,
        note="the participant, their city's coordinator, the secretariat",
    ),
    Rule("curriculum.interests", lambda w: f"/cohorts/{_a(w)}/interests", A_PARTICIPANTS),
    Rule(
        "curriculum.interests",
        lambda w: f"/cohorts/{_a(w)}/interests",
        A_PARTICIPANTS,
        method="POST",
        ok=REDIRECT,
    ),
    # sessions and materials
    Rule("curriculum.sessions", lambda w: f"/cohorts/{_a(w)}/sessions", A_VIEW),
    Rule("curriculum.new_session", lambda w: f"/cohorts/{_a(w)}/sessions/new", A_STAFF),
    Rule(
        "curriculum.new_session",
        lambda w: f"/cohorts/{_a(w)}/sessions/new",
        A_STAFF,
        method="POST",
        data={"title": ""},
        ok=REFUSED_INPUT,
    ),
    Rule("curriculum.session", lambda w: f"/sessions/{w.session_a.id}", A_VIEW),
    Rule("curriculum.edit_session", lambda w: f"/sessions/{w.session_a.id}/edit", A_STAFF),
    Rule(
        "curriculum.edit_session",
        lambda w: f"/sessions/{w.session_a.id}/edit",
        A_STAFF,
        method="POST",
        data={"title": ""},
        ok=REFUSED_INPUT,
    ),
    Rule(
        "curriculum.add_material",
        lambda w: f"/sessions/{w.session_a.id}/materials",
        A_STAFF,
        method="POST",
        ok=REFUSED_INPUT,
    ),
    Rule("curriculum.material", lambda w: f"/sessions/{w.session_a.id}/materials/{w.material.id}", A_VIEW),
    Rule(
        "curriculum.remove_material",
        lambda w: f"/sessions/{w.session_a.id}/materials/{w.material.id}/remove",
        A_STAFF,
        method="POST",
        ok=REDIRECT,
    ),
    Rule("curriculum.attendance", lambda w: f"/sessions/{w.session_a.id}/attendance", A_STAFF),
    Rule(
        "curriculum.attendance",
        lambda w: f"/sessions/{w.session_a.id}/attendance",
        A_STAFF,
        method="POST",
        ok=REDIRECT,
    ),
    # calendar
    Rule("curriculum.calendar", "/calendar", SIGNED_IN),
    Rule("curriculum.issue_calendar", "/calendar/issue", SIGNED_IN, method="POST", ok=REDIRECT),
    Rule("curriculum.revoke_calendar", "/calendar/revoke", SIGNED_IN, method="POST", ok=REDIRECT),
    Rule(
        "curriculum.calendar_feed",
        lambda w: f"/calendar/{w.feed_token}.ics",
        EVERYONE,
        note="public by design: the private token is the key",
    ),
    Rule("curriculum.calendar_feed", "/calendar/not-a-real-token.ics", NOBODY),
    # modules
    Rule("curriculum.library", "/modules", SIGNED_IN),
    Rule("curriculum.library_module", f"/modules/{SLUG}", SIGNED_IN),
    Rule("curriculum.modules", lambda w: f"/cohorts/{_a(w)}/modules", A_VIEW),
    Rule("curriculum.module", lambda w: f"/cohorts/{_a(w)}/modules/{SLUG}", A_VIEW),
    Rule(
        "curriculum.module_done",
        lambda w: f"/cohorts/{_a(w)}/modules/{SLUG}/done",
        A_PARTICIPANTS,
        method="POST",
        ok=REDIRECT,
    ),
    Rule(
        "curriculum.module_undo",
        lambda w: f"/cohorts/{_a(w)}/modules/{SLUG}/undo",
        A_PARTICIPANTS,
        method="POST",
        ok=REDIRECT,
    ),
    Rule("curriculum.adapt_module", lambda w: f"/cohorts/{_a(w)}/modules/{SLUG}/adapt", A_STAFF),
    Rule(
        "curriculum.adapt_module",
        lambda w: f"/cohorts/{_a(w)}/modules/{SLUG}/adapt",
        A_STAFF,
        method="POST",
        data={"body": ""},
        ok=REFUSED_INPUT,
    ),
    Rule(
        "curriculum.reset_module",
        lambda w: f"/cohorts/{_a(w)}/modules/{SLUG}/reset",
        A_STAFF,
        method="POST",
        ok=REDIRECT,
    ),
    Rule("curriculum.progress", lambda w: f"/cohorts/{_a(w)}/progress", A_CITY),
    # assignments and submissions
    Rule("curriculum.assignments", lambda w: f"/cohorts/{_a(w)}/assignments", A_VIEW),
    Rule("curriculum.new_assignment", lambda w: f"/cohorts/{_a(w)}/assignments/new", A_STAFF),
    Rule(
        "curriculum.new_assignment",
        lambda w: f"/cohorts/{_a(w)}/assignments/new",
        A_STAFF,
        method="POST",
        data={"title": ""},
        ok=REFUSED_INPUT,
    ),
    Rule("curriculum.assignment", lambda w: f"/assignments/{w.assignment.id}", A_VIEW),
    Rule(
        "curriculum.assignment",
        lambda w: f"/assignments/{w.assignment_future.id}",
        A_STAFF,
        note="not yet published",
    ),
    Rule("curriculum.edit_assignment", lambda w: f"/assignments/{w.assignment.id}/edit", A_STAFF),
    Rule(
        "curriculum.edit_assignment",
        lambda w: f"/assignments/{w.assignment.id}/edit",
        A_STAFF,
        method="POST",
        data={"title": ""},
        ok=REFUSED_INPUT,
    ),
    Rule(
        "curriculum.submit",
        lambda w: f"/assignments/{w.assignment.id}/submit",
        A_PARTICIPANTS,
        method="POST",
        data={"text": "", "base_version": "0"},
        ok=REFUSED_INPUT,
        note="an empty submission is refused at the field",
    ),
    Rule(
        "curriculum.submission",
        lambda w: f"/submissions/{w.submission.id}",
        frozenset({ADMIN, FACILITATOR, PARTICIPANT}),
    ),
    Rule(
        "curriculum.submission",
        lambda w: f"/submissions/{w.submission_team.id}",
        frozenset({ADMIN, FACILITATOR, PARTICIPANT}),
        note="team 1's work: never team 2",
    ),
    Rule(
        "curriculum.submission",
        lambda w: f"/submissions/{w.submission_other.id}",
        frozenset({ADMIN, FACILITATOR, PARTICIPANT_OTHER}),
    ),
    Rule(
        "curriculum.feedback",
        lambda w: f"/submissions/{w.submission.id}/feedback",
        A_STAFF,
        method="POST",
        data={"body": ""},
        ok=REFUSED_INPUT,
    ),
    Rule(
        "curriculum.submission_file",
        lambda w: f"/submissions/{w.submission.id}/files/{w.submission_file.id}",
        frozenset({ADMIN, FACILITATOR, PARTICIPANT}),
    ),
    Rule(
        "curriculum.submission_file",
        lambda w: f"/submissions/{w.submission_team.id}/files/{w.submission_team_file.id}",
        frozenset({ADMIN, FACILITATOR, PARTICIPANT}),
    ),
    Rule("curriculum.submissions", lambda w: f"/cohorts/{_a(w)}/submissions", A_STAFF),
    Rule("curriculum.submissions_csv", lambda w: f"/cohorts/{_a(w)}/submissions.csv", A_STAFF),
    Rule("curriculum.assignment_zip", lambda w: f"/assignments/{w.assignment.id}/files.zip", A_STAFF),
    # teams
    Rule(
        "curriculum.teams",
        lambda w: f"/cohorts/{_a(w)}/teams",
        frozenset({ADMIN, FACILITATOR, PARTICIPANT, PARTICIPANT_OTHER}),
    ),
    Rule("curriculum.suggest_teams", lambda w: f"/cohorts/{_a(w)}/teams/suggest", A_STAFF),
    Rule(
        "curriculum.suggest_teams",
        lambda w: f"/cohorts/{_a(w)}/teams/suggest",
        A_STAFF,
        method="POST",
        ok=REFUSED_INPUT,
    ),
    Rule(
        "curriculum.publish_teams",
        lambda w: f"/cohorts/{_a(w)}/teams/publish",
        A_STAFF,
        method="POST",
        ok=REDIRECT,
    ),
    Rule("curriculum.add_team", lambda w: f"/cohorts/{_a(w)}/teams/new", A_STAFF, method="POST", ok=REDIRECT),
    Rule(
        "curriculum.move_member",
        lambda w: f"/cohorts/{_a(w)}/teams/move",
        A_STAFF,
        method="POST",
        ok=REDIRECT,
    ),
    Rule(
        "curriculum.team",
        lambda w: f"/teams/{w.team.id}",
        frozenset({ADMIN, FACILITATOR, PARTICIPANT, PARTICIPANT_OTHER}),
    ),
    Rule(
        "curriculum.team",
        lambda w: f"/teams/{w.team_other.id}",
        frozenset({ADMIN, FACILITATOR, PARTICIPANT, PARTICIPANT_OTHER, ALUMNUS}),
        note="the mentor sees the team they advise",
    ),
    Rule("curriculum.edit_team", lambda w: f"/teams/{w.team.id}/edit", A_STAFF),
    Rule(
        "curriculum.edit_team",
        lambda w: f"/teams/{w.team.id}/edit",
        A_STAFF,
        method="POST",
        data={"name": ""},
        ok=REFUSED_INPUT,
    ),
]


def build(world):  # type: ignore[no-untyped-def]
    import io

    from flask import current_app

    from core import storage
    from core.dates import utcnow
    from core.extensions import db
    from curriculum.models import (
        Assignment,
        AssignmentKind,
        CalendarFeed,
        CityQuota,
        Cohort,
        CohortFacilitator,
        CohortStatus,
        Enrolment,
        EnrolmentStatus,
        SessionMaterial,
        StudySession,
        Submission,
        SubmissionFile,
        SubmissionVersion,
        Team,
        TeamMember,
    )
    from curriculum.services.modules import sync_modules
    from tests import factories

    now = utcnow()
    cities = factories.cities()
    a = Cohort(
        fiscal_year=2026,
        title_ja="令和8年度 8市連携スタディミーティング",
        title_en="FY2026 8-City Study Meeting",
        status=CohortStatus.OPEN,
        starts_on=date(2026, 4, 1),
        ends_on=date(2027, 3, 31),
        teams_published_at=now - timedelta(days=30),
    )
    b = Cohort(
        fiscal_year=2025,
        title_ja="令和7年度 8市連携スタディミーティング",
        title_en="FY2025 8-City Study Meeting",
        status=CohortStatus.CLOSED,
        starts_on=date(2025, 4, 1),
        ends_on=date(2026, 3, 31),
    )
    db.session.add_all([a, b])
    db.session.flush()
    for c in cities.values():
        db.session.add(CityQuota(cohort=a, city=c, places=3))
    db.session.add_all(
        [
            CohortFacilitator(cohort=a, user=world.users[FACILITATOR]),
            CohortFacilitator(cohort=b, user=world.users[FACILITATOR_OTHER]),
        ]
    )
    p, q, alum = world.users[PARTICIPANT], world.users[PARTICIPANT_OTHER], world.users[ALUMNUS]
    world.enrolment = Enrolment(cohort=a, user=p, city=p.city)
    world.enrolment_other = Enrolment(cohort=a, user=q, city=q.city)
    world.enrolment_alumnus = Enrolment(cohort=b, user=alum, city=alum.city, status=EnrolmentStatus.COMPLETED)
    db.session.add_all([world.enrolment, world.enrolment_other, world.enrolment_alumnus])
    world.team = Team(cohort=a, number=1, name="チーム1")
    world.team_other = Team(cohort=a, number=2, name="チーム2", mentor=alum)
    db.session.add_all([world.team, world.team_other])
    db.session.flush()
    db.session.add_all(
        [
            TeamMember(team=world.team, cohort_id=a.id, user=p),
            TeamMember(team=world.team_other, cohort_id=a.id, user=q),
        ]
    )

    # What the curriculum's own routes need.
    sync_modules(db.session, now=now)
    upload_dir = current_app.config["UPLOAD_DIR"]

    def stored(name: str, owner) -> storage.StoredFile:  # type: ignore[no-untyped-def]
        return storage.store(
            db.session,
            io.BytesIO(b"%PDF-1.4 world\n"),
            name,
            rules=storage.UploadRules(),
            upload_dir=upload_dir,
            uploaded_by_id=owner.id,
        )

    world.session_a = StudySession(
        cohort_id=a.id,
        number=1,
        title="キックオフ",
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=3) + timedelta(hours=3),
        host_city_id=p.city_id,
        venue="横浜市役所",
        agenda="1. 開会",
    )
    db.session.add(world.session_a)
    db.session.flush()
    world.material = SessionMaterial(
        session_id=world.session_a.id, file=stored("資料.pdf", world.users[FACILITATOR])
    )
    db.session.add(world.material)
    world.assignment = Assignment(
        cohort_id=a.id,
        title="個人課題",
        instructions="考えを書く",
        kind=AssignmentKind.INDIVIDUAL,
        publish_at=now - timedelta(days=2),
        due_at=now + timedelta(days=5),
        allowed_types="pdf",
        max_mb=5,
    )
    world.assignment_team = Assignment(
        cohort_id=a.id,
        title="チーム課題",
        kind=AssignmentKind.TEAM,
        publish_at=now - timedelta(days=1),
        due_at=now + timedelta(days=7),
        allowed_types="pdf",
        max_mb=5,
    )
    world.assignment_future = Assignment(
        cohort_id=a.id,
        title="次の課題",
        publish_at=now + timedelta(days=3),
        due_at=now + timedelta(days=10),
        allowed_types="pdf",
        max_mb=5,
    )
    db.session.add_all([world.assignment, world.assignment_team, world.assignment_future])
    db.session.flush()

    def submission(assignment, author, *, user=None, team=None):  # type: ignore[no-untyped-def]
        row = Submission(
            assignment_id=assignment.id,
            user_id=user.id if user else None,
            team_id=team.id if team else None,
            version_count=1,
        )
        version = SubmissionVersion(
            submission=row,
            number=1,
            text="提出します",
            submitted_by_id=author.id,
            submitted_at=now - timedelta(hours=5),
        )
        file_row = SubmissionFile(file=stored("提出.pdf", author))
        version.files = [file_row]
        db.session.add_all([row, version])
        db.session.flush()
        return row, file_row

    world.submission, world.submission_file = submission(world.assignment, p, user=p)
    world.submission_other, _ = submission(world.assignment, q, user=q)
    world.submission_team, world.submission_team_file = submission(world.assignment_team, p, team=world.team)
    world.feed_token = "world-calendar-token-0123456789"
    db.session.add(CalendarFeed(user_id=p.id, token=world.feed_token))
    db.session.commit()
    world.cohort, world.cohort_other = a, b
