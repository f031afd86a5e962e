"""User-written text in the curriculum: cohort titles, sessions (title, venue, agenda, attendance notes,
material names), adapted modules, assignments (title, instructions), submissions (text, file names),
feedback, team names and stated interests — on the pages staff and participants open."""
from __future__ import annotations

import io
from datetime import timedelta

from tests import factories
from tests import factories_curriculum as fc
from tests.security.xss import Planted, XssTarget, packed


def _unique(payloads: list[str], limit: int) -> list[str]:
    """Each payload cut to ``limit`` and stripped (as the services store it), distinct (titles are unique)."""
    seen: set[str] = set()
    out = []
    for i, p in enumerate(payloads):
        text = p[:limit].strip() or f"空{i}"
        while text in seen:
            text = f"{text[: limit - 3]}{i:03d}"
        seen.add(text)
        out.append(text)
    return out


def _year(title: str = "令和8年度 8市連携スタディミーティング"):  # type: ignore[no-untyped-def]
    """An open cohort run by a facilitator, with one participant (Yokohama)."""
    facilitator = factories.facilitator(name="進行 役")
    cohort = fc.cohort(facilitators=(facilitator,), places=20, commit=False)
    cohort.title_ja = title[:200]
    learner = fc.participant_in(cohort, name="受講 者")
    return facilitator, cohort, learner


def _cohort_titles(payloads: list[str]) -> Planted:
    from core.dates import utcnow
    from core.extensions import db
    from curriculum.services import cohorts

    admin = factories.admin(name="事務 局")
    facilitator = factories.facilitator(name="進行 役")
    places = {c.id: 2 for c in factories.cities().values()}
    ids = []
    for i, title in enumerate(_unique(payloads, 200)):
        fy = 2040 + i
        row = cohorts.open_cohort(db.session, fiscal_year=fy, title_ja=title, title_en=title,
                                  starts_on=utcnow().date().replace(year=fy, month=4, day=1),
                                  ends_on=utcnow().date().replace(year=fy + 1, month=3, day=31),
                                  facilitators=[facilitator], places=places, actor=admin, now=utcnow())
        ids.append(row.id)
    db.session.commit()
    return Planted(admin, ["/cohorts", f"/cohorts/{ids[0]}", f"/cohorts/{ids[-1]}", f"/cohorts/{ids[1]}/edit",
                           f"/cohorts/{ids[2]}/enrolment", "/"])


def _sessions(payloads: list[str]) -> Planted:
    from core.dates import utcnow
    from core.extensions import db
    from curriculum.models import AttendanceStatus
    from curriculum.services import sessions

    facilitator, cohort, learner = _year(payloads[0])
    chunks = packed(payloads, 4000)
    titles = _unique(payloads, 200)
    rows = []
    for i, title in enumerate(titles):
        start = utcnow() + timedelta(days=1 + i, hours=1)
        values = sessions.SessionValues(number=i + 1, title=title, starts_at=start, ends_at=start + timedelta(hours=2),
                                        host_city_id=learner.city_id, venue=payloads[i][:200],
                                        online_url="", agenda=chunks[i % len(chunks)])
        rows.append(sessions.create_session(db.session, cohort, values, actor=facilitator, now=utcnow()))
    # attendance notes on the first session (it starts within 12 hours so marks are allowed)
    rows[0].starts_at, rows[0].ends_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(hours=1)
    sessions.record_attendance(db.session, rows[0], {learner.id: (AttendanceStatus.PRESENT, packed(payloads, 200)[0])},
                               actor=facilitator, now=utcnow())
    from flask import current_app

    for i, payload in enumerate(payloads):
        sessions.add_material(db.session, rows[0], io.BytesIO(fc.PDF + str(i).encode()), payload[:150] + ".pdf",
                              upload_dir=current_app.config["UPLOAD_DIR"], actor=facilitator)
    db.session.commit()
    details = [f"/sessions/{rows[i].id}" for i in range(len(chunks))]
    return Planted(facilitator, [f"/cohorts/{cohort.id}/sessions", *details, f"/sessions/{rows[0].id}/edit",
                                 f"/sessions/{rows[0].id}/attendance", f"/cohorts/{cohort.id}", "/calendar", "/"])


def _sessions_participant(payloads: list[str]) -> Planted:
    from core.dates import utcnow
    from core.extensions import db
    from curriculum.services import sessions

    facilitator, cohort, learner = _year(payloads[1])
    chunks = packed(payloads, 4000)
    for i, title in enumerate(_unique(payloads, 200)[:30]):
        start = utcnow() + timedelta(days=1, hours=i)
        values = sessions.SessionValues(number=i + 1, title=title, starts_at=start,
                                        ends_at=start + timedelta(minutes=50), host_city_id=None,
                                        venue=payloads[i][:200], online_url="https://meet.example.jp/x",
                                        agenda=chunks[i % len(chunks)])
        sessions.create_session(db.session, cohort, values, actor=facilitator, now=utcnow())
    db.session.commit()
    return Planted(learner, [f"/cohorts/{cohort.id}", f"/cohorts/{cohort.id}/sessions", "/calendar", "/"])


def _modules(payloads: list[str]) -> Planted:
    from core.extensions import db
    from curriculum.services import modules

    facilitator, cohort, learner = _year(payloads[2])
    fc.modules()
    chunks = packed(payloads, 6000)
    active = modules.active_modules(db.session)
    assert len(active) >= 2
    slugs = []
    for i, module in enumerate(active[: max(len(chunks), 3)]):
        modules.save_override(db.session, cohort, module, title_ja=payloads[i][:200], body=chunks[i % len(chunks)],
                              minutes=30, note=payloads[-1 - i][:500], base_version=0, actor=facilitator)
        slugs.append(module.slug)
    db.session.commit()
    return Planted(facilitator, [f"/cohorts/{cohort.id}/modules", *[f"/cohorts/{cohort.id}/modules/{s}" for s in slugs],
                                 f"/cohorts/{cohort.id}/modules/{slugs[0]}/adapt", "/"])


def _assignments(payloads: list[str]) -> tuple:  # type: ignore[type-arg]
    from core.dates import utcnow
    from core.extensions import db
    from curriculum.models import AssignmentKind
    from curriculum.services import assignments

    facilitator, cohort, learner = _year(payloads[3])
    chunks = packed(payloads, 6000)
    rows = []
    now = utcnow()
    for i, title in enumerate(_unique(payloads, 200)):
        values = assignments.AssignmentValues(title=title, instructions=chunks[i % len(chunks)],
                                              kind=AssignmentKind.INDIVIDUAL, publish_at=now,
                                              due_at=now + timedelta(days=7 + i), late_until=None,
                                              allowed_types=["pdf", "docx"], max_mb=1)
        rows.append(assignments.create_assignment(db.session, cohort, values, actor=facilitator, now=now))
    db.session.commit()
    return facilitator, cohort, learner, rows, chunks


def _assignment_pages(payloads: list[str]) -> Planted:
    facilitator, cohort, _learner, rows, chunks = _assignments(payloads)
    details = [f"/assignments/{rows[i].id}" for i in range(len(chunks))]
    return Planted(facilitator, [f"/cohorts/{cohort.id}/assignments", *details, f"/assignments/{rows[0].id}/edit",
                                 f"/cohorts/{cohort.id}/submissions", "/"])


def _submissions(payloads: list[str], *, viewer: str) -> Planted:
    from flask import current_app

    from core.dates import utcnow
    from core.extensions import db
    from curriculum.models import SubmissionStatus
    from curriculum.services import assignments

    facilitator, cohort, learner, rows, chunks = _assignments(payloads[:20])
    chunks = packed(payloads, 6000)
    target = rows[0]
    version = None
    for n, chunk in enumerate(chunks):
        names = [p[:150] + ".pdf" for p in payloads[n * 10:(n + 1) * 10]]
        uploads = [(io.BytesIO(fc.PDF + f"{n}-{k}".encode()), name) for k, name in enumerate(names)]
        version = assignments.submit(db.session, target, user=learner, text=chunk, uploads=uploads, base_version=n,
                                     upload_dir=current_app.config["UPLOAD_DIR"], now=utcnow())
    assert version is not None
    submission = version.submission
    for n, chunk in enumerate(chunks):
        status = SubmissionStatus.NEEDS_REVISION if n % 2 == 0 else SubmissionStatus.SUBMITTED
        assignments.give_feedback(db.session, submission, author=facilitator, status=status, body=chunk,
                                  version_id=version.id, request_key=None, now=utcnow())
    db.session.commit()
    if viewer == "participant":
        return Planted(learner, [f"/submissions/{submission.id}", f"/assignments/{target.id}",
                                 f"/cohorts/{cohort.id}/assignments", "/notifications", "/"])
    return Planted(facilitator, [f"/submissions/{submission.id}", f"/assignments/{target.id}",
                                 f"/cohorts/{cohort.id}/submissions", "/"])


def _teams(payloads: list[str]) -> Planted:
    from core.extensions import db
    from curriculum.models import Enrolment
    from curriculum.services import cohorts, teams

    facilitator, cohort, learner = _year(payloads[4])
    made = []
    for name in _unique(payloads, 120):
        made.append(teams.add_team(db.session, cohort, name=name, actor=facilitator))
    teams.move_member(db.session, cohort, learner.id, made[0], actor=facilitator)
    others = [fc.participant_in(cohort, factories.KAWASAKI, name=f"参加 {i}") for i in range(3)]
    for person, chunk in zip([learner, *others], packed(payloads, 480), strict=False):
        enrolment = db.session.query(Enrolment).filter_by(cohort_id=cohort.id, user_id=person.id).one()
        cohorts.set_interests(db.session, enrolment, chunk.split("\n"))
    db.session.commit()
    return Planted(facilitator, [f"/cohorts/{cohort.id}/teams", f"/teams/{made[0].id}", f"/teams/{made[1].id}/edit",
                                 f"/cohorts/{cohort.id}/teams/suggest", f"/cohorts/{cohort.id}/enrolment",
                                 f"/cohorts/{cohort.id}", "/"])


def _own_team(payloads: list[str]) -> Planted:
    from core.extensions import db
    from curriculum.models import Enrolment
    from curriculum.services import cohorts, teams

    facilitator, cohort, learner = _year(payloads[5])
    team = teams.add_team(db.session, cohort, name=packed(payloads, 120)[0], actor=facilitator)
    teams.move_member(db.session, cohort, learner.id, team, actor=facilitator)
    enrolment = db.session.query(Enrolment).filter_by(cohort_id=cohort.id, user_id=learner.id).one()
    cohorts.set_interests(db.session, enrolment, packed(payloads, 480)[0].split("\n"))
    teams.publish_teams(db.session, cohort, actor=facilitator, now=fc.at())
    db.session.commit()
    return Planted(learner, [f"/teams/{team.id}", f"/cohorts/{cohort.id}/interests", f"/cohorts/{cohort.id}", "/"])


TARGETS = [
    XssTarget("curriculum: cohort titles (secretariat)", _cohort_titles),
    XssTarget("curriculum: sessions, agenda, venue, attendance notes, materials (staff)", _sessions),
    XssTarget("curriculum: sessions on a participant's pages", _sessions_participant),
    XssTarget("curriculum: adapted modules", _modules),
    XssTarget("curriculum: assignment titles and instructions", _assignment_pages),
    XssTarget("curriculum: submission texts, file names, feedback (participant)",
              lambda p: _submissions(p, viewer="participant")),
    XssTarget("curriculum: submission texts, file names, feedback (facilitator)",
              lambda p: _submissions(p, viewer="facilitator")),
    XssTarget("curriculum: team names and interests (staff)", _teams),
    XssTarget("curriculum: own team and interests (participant)", _own_team),
]
