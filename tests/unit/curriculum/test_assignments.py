"""Assignments: posting rules and events, versions, lateness, double submits, files, feedback, exports."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.dates import utcnow
from curriculum import exports
from curriculum.models import (
    AssignmentKind,
    Enrolment,
    EnrolmentStatus,
    Feedback,
    SubmissionStatus,
    SubmissionVersion,
)
from curriculum.services import Conflict, Refused
from curriculum.services import assignments as services
from tests import factories
from tests import factories_curriculum as fc


def _values(**kw):  # type: ignore[no-untyped-def]
    now = utcnow()
    values = dict(
        title="8市の将来推計を読む",
        instructions="A4一枚",
        kind=AssignmentKind.INDIVIDUAL,
        publish_at=now,
        due_at=now + timedelta(days=7),
        late_until=None,
        allowed_types=["pdf", "docx"],
        max_mb=5,
    )
    values.update(kw)
    return services.AssignmentValues(**values)


def _submit(session, app, assignment, user, *, text="考えました", files=(), base=0):  # type: ignore[no-untyped-def]
    return services.submit(
        session,
        assignment,
        user=user,
        text=text,
        uploads=list(files),
        base_version=base,
        upload_dir=app.config["UPLOAD_DIR"],
        now=utcnow(),
    )


# --- posting -----------------------------------------------------------------------------------------


def test_posting_now_tells_the_participants(session) -> None:
    cohort = fc.cohort()
    a, b = fc.participant_in(cohort), fc.participant_in(cohort, factories.KAWASAKI)
    gone = fc.participant_in(cohort, factories.ZUSHI)
    session.scalar(select(Enrolment).filter_by(user_id=gone.id)).status = EnrolmentStatus.WITHDRAWN
    session.commit()
    with fc.captured_events() as events:
        row = services.create_assignment(
            session, cohort, _values(), actor=factories.facilitator(), now=utcnow()
        )
    assert row.announced_at is not None
    (event,) = events
    assert event.kind == "assignment.posted" and event.url == f"/assignments/{row.id}"
    assert (
        sorted(event.recipient_ids) == sorted([a.id, b.id]) and event.params["title"] == "8市の将来推計を読む"
    )


def test_a_scheduled_assignment_is_announced_once_when_its_time_comes(session) -> None:
    cohort = fc.cohort()
    fc.participant_in(cohort)
    later = utcnow() + timedelta(days=2)
    with fc.captured_events() as events:
        row = services.create_assignment(
            session,
            cohort,
            _values(publish_at=later, due_at=later + timedelta(days=5)),
            actor=factories.facilitator(),
            now=utcnow(),
        )
        assert events == [] and row.announced_at is None
        assert services.announce_due(session, now=utcnow()) == 0
        assert services.announce_due(session, now=later + timedelta(minutes=1)) == 1
        assert services.announce_due(session, now=later + timedelta(minutes=2)) == 0
    assert [e.kind for e in events] == ["assignment.posted"]


@pytest.mark.parametrize(
    "change,field,code",
    [
        ({"due_at": utcnow() - timedelta(hours=1)}, "due_at", "date_in_past"),
        ({"publish_at": utcnow() - timedelta(days=2)}, "publish_at", "date_in_past"),
        ({"publish_at": utcnow() + timedelta(days=8)}, "due_at", "due_before_publish"),
        ({"late_until": utcnow() + timedelta(days=6)}, "late_until", "late_before_due"),
        ({"allowed_types": []}, "allowed_types", "types_required"),
        ({"allowed_types": ["exe"]}, "allowed_types", "type_not_allowed"),
        ({"max_mb": 50}, "max_mb", "max_mb_range"),
        ({"title": "  "}, "title", "required"),
    ],
)
def test_posting_refusals(session, change, field, code) -> None:
    with pytest.raises(Refused) as caught:
        services.create_assignment(
            session, fc.cohort(), _values(**change), actor=factories.facilitator(), now=utcnow()
        )
    assert (caught.value.field, caught.value.code) == (field, code)


def test_a_second_click_does_not_post_twice(session) -> None:
    cohort = fc.cohort()
    services.create_assignment(session, cohort, _values(), actor=factories.facilitator(), now=utcnow())
    with pytest.raises(Refused) as caught:
        services.create_assignment(session, cohort, _values(), actor=factories.facilitator(), now=utcnow())
    assert caught.value.code == "assignment_title_taken"


def test_kind_is_locked_once_work_came_in(session, app) -> None:
    cohort = fc.cohort()
    person = fc.participant_in(cohort)
    row = fc.assignment(cohort)
    _submit(session, app, row, person)
    now = utcnow()
    with pytest.raises(Refused) as caught:
        services.update_assignment(
            session,
            row,
            _values(title=row.title, kind=AssignmentKind.TEAM, publish_at=row.publish_at, due_at=row.due_at),
            now=now,
        )
    assert caught.value.field == "kind"


# --- submitting --------------------------------------------------------------------------------------


def test_every_resubmission_is_a_new_version(session, app) -> None:
    cohort = fc.cohort()
    person = fc.participant_in(cohort)
    row = fc.assignment(cohort)
    v1 = _submit(session, app, row, person, files=[fc.upload(name="報告書.pdf")])
    v2 = _submit(session, app, row, person, text="直しました", base=1)
    session.commit()
    submission = v2.submission
    assert (v1.number, v2.number, submission.version_count) == (1, 2, 2)
    assert [v.text for v in submission.versions] == ["考えました", "直しました"]
    assert submission.versions[0].files[0].file.original_name == "報告書.pdf"
    assert not v2.is_late and submission.status is SubmissionStatus.SUBMITTED


def test_a_double_click_makes_one_version(session, app) -> None:
    cohort = fc.cohort()
    person = fc.participant_in(cohort)
    row = fc.assignment(cohort)
    _submit(session, app, row, person, base=0)
    session.commit()
    with pytest.raises(Conflict) as caught:
        _submit(session, app, row, person, base=0)
    session.rollback()
    assert caught.value.params["number"] == 1
    assert session.scalar(select(func.count(SubmissionVersion.id))) == 1


def test_late_within_the_window_is_marked_and_after_it_refused(session, app) -> None:
    cohort = fc.cohort()
    person = fc.participant_in(cohort)
    late_ok = fc.assignment(
        cohort,
        title="遅れて可",
        published=timedelta(days=-5),
        due=timedelta(hours=-2),
        late=timedelta(days=1),
    )
    closed = fc.assignment(cohort, title="締切済", published=timedelta(days=-5), due=timedelta(hours=-2))
    version = _submit(session, app, late_ok, person)
    assert version.is_late
    with pytest.raises(Refused) as caught:
        _submit(session, app, closed, person)
    assert caught.value.code == "submission_closed"


@pytest.mark.parametrize(
    "data,name,code",
    [
        (b"%PDF" + b"x" * (1024 * 1024), "大きい.pdf", "file_size"),
        (b"MZ\x90\x00", "ウイルス.exe", "file_type"),
        (b"<html>", "偽物.pdf", "file_type"),
        (b"", "空.pdf", "file_empty"),
    ],
)
def test_file_limits_are_enforced(session, app, data, name, code) -> None:
    cohort = fc.cohort()
    person = fc.participant_in(cohort)
    row = fc.assignment(cohort, max_mb=1)
    with pytest.raises(Refused) as caught:
        _submit(session, app, row, person, files=[fc.upload(data, name)])
    assert (caught.value.field, caught.value.code, caught.value.params["name"]) == ("files", code, name)


@pytest.mark.parametrize(
    "case,code", [("empty", "empty_submission"), ("future", "not_published"), ("withdrawn", "not_enrolled")]
)
def test_submission_refusals(session, app, case, code) -> None:
    cohort = fc.cohort()
    person = fc.participant_in(cohort)
    row = fc.assignment(cohort, published=timedelta(days=1) if case == "future" else timedelta(days=-1))
    if case == "withdrawn":
        session.scalar(select(Enrolment).filter_by(user_id=person.id)).status = EnrolmentStatus.WITHDRAWN
    with pytest.raises(Refused) as caught:
        _submit(session, app, row, person, text="" if case == "empty" else "本文")
    assert caught.value.code == code


def test_team_work_is_shared_by_the_team_only(session, app) -> None:
    cohort = fc.cohort()
    a, b = fc.participant_in(cohort), fc.participant_in(cohort, factories.KAWASAKI)
    c = fc.participant_in(cohort, factories.YOKOSUKA)
    loner = fc.participant_in(cohort, factories.ZUSHI)
    team1 = fc.team(cohort, [a, b])
    fc.team(cohort, [c], number=2)
    row = fc.assignment(cohort, kind=AssignmentKind.TEAM)
    _submit(session, app, row, a)
    second = _submit(session, app, row, b, text="チームで直しました", base=1)
    session.commit()
    assert second.submission.team_id == team1.id and second.submission.user_id is None
    assert services.submission_for(session, row, b).id == second.submission_id
    assert services.submission_for(session, row, c) is None
    assert services.owner_ids(session, second.submission) == tuple(sorted([a.id, b.id]))
    with pytest.raises(Refused) as caught:
        _submit(session, app, row, loner)
    assert caught.value.code == "no_team"


# --- feedback ----------------------------------------------------------------------------------------


def test_feedback_sets_status_keeps_history_and_tells_the_owners(session, app) -> None:
    cohort = fc.cohort()
    a, b = fc.participant_in(cohort), fc.participant_in(cohort, factories.KAWASAKI)
    fc.team(cohort, [a, b])
    row = fc.assignment(cohort, kind=AssignmentKind.TEAM)
    version = _submit(session, app, row, a)
    submission = version.submission
    facilitator = factories.facilitator()
    with fc.captured_events() as events:
        services.give_feedback(
            session,
            submission,
            author=facilitator,
            status=SubmissionStatus.NEEDS_REVISION,
            body="出典を書いてください",
            version_id=version.id,
            request_key="k1",
            now=utcnow(),
        )
    assert submission.status is SubmissionStatus.NEEDS_REVISION
    (event,) = events
    assert event.kind == "submission.feedback" and sorted(event.recipient_ids) == sorted([a.id, b.id])
    assert event.params["status"] == "needs_revision" and event.url == f"/submissions/{submission.id}"
    again = services.give_feedback(
        session,
        submission,
        author=facilitator,
        status=SubmissionStatus.NEEDS_REVISION,
        body="出典を書いてください",
        version_id=version.id,
        request_key="k1",
        now=utcnow(),
    )
    assert session.scalar(select(func.count(Feedback.id))) == 1 and again.request_key == "k1"
    v2 = _submit(session, app, row, b, base=1)
    assert submission.status is SubmissionStatus.SUBMITTED  # back to the facilitator
    with pytest.raises(Conflict) as caught:  # feedback written on version 1 while version 2 arrived
        services.give_feedback(
            session,
            submission,
            author=facilitator,
            status=SubmissionStatus.COMPLETE,
            body="良いです",
            version_id=version.id,
            request_key="k2",
            now=utcnow(),
        )
    assert caught.value.params["number"] == 2
    services.give_feedback(
        session,
        submission,
        author=facilitator,
        status=SubmissionStatus.COMPLETE,
        body="",
        version_id=v2.id,
        request_key="k3",
        now=utcnow(),
    )
    assert [f.status for f in submission.feedback] == [
        SubmissionStatus.NEEDS_REVISION,
        SubmissionStatus.COMPLETE,
    ]
    with pytest.raises(Refused):  # nothing to say, status unchanged
        services.give_feedback(
            session,
            submission,
            author=facilitator,
            status=SubmissionStatus.COMPLETE,
            body=" ",
            version_id=v2.id,
            request_key="k4",
            now=utcnow(),
        )


# --- overview and downloads --------------------------------------------------------------------------


def test_matrix_shows_people_by_assignment(session, app) -> None:
    cohort = fc.cohort()
    a, b = fc.participant_in(cohort), fc.participant_in(cohort, factories.KAWASAKI)
    fc.team(cohort, [a, b])
    solo, together = (
        fc.assignment(cohort, title="個人"),
        fc.assignment(cohort, title="チーム", kind=AssignmentKind.TEAM),
    )
    _submit(session, app, solo, a)
    _submit(session, app, together, b)
    grid = services.matrix(session, cohort)
    ea, eb = sorted(grid.people, key=lambda e: e.user_id != a.id)
    assert grid.cell(ea, solo) is not None and grid.cell(eb, solo) is None
    assert grid.cell(ea, together) is grid.cell(eb, together) is not None
    assert [e.user_id for e in grid.missing(solo)] == [b.id]


def test_csv_has_a_bom_and_neutralises_formulas() -> None:
    body = exports.csv_bytes(
        ["氏名", "課題"], [['=HYPERLINK("http://x")', "+1"], ["-2", "@SUM(A1)"], ["\tタブ", "佐藤 花子"]]
    )
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows == [
        ["氏名", "課題"],
        ['\'=HYPERLINK("http://x")', "'+1"],
        ["'-2", "'@SUM(A1)"],
        ["'\tタブ", "佐藤 花子"],
    ]
    assert exports.safe_cell(None) == "" and exports.safe_cell(3) == "3"


def test_zip_of_an_assignment_keeps_japanese_names_per_person(session, app) -> None:
    cohort = fc.cohort()
    a = fc.participant_in(cohort, name="髙橋 美咲")
    b = fc.participant_in(cohort, factories.KAWASAKI, name="山﨑 健太")
    row = fc.assignment(cohort)
    _submit(session, app, row, a, files=[fc.upload(name="報告書.pdf")])
    _submit(session, app, row, a, text="第2版です", files=[fc.upload(b"%PDF-2", "報告書.pdf")], base=1)
    _submit(session, app, row, b, text="", files=[fc.upload(name="メモ.pdf")])
    session.commit()
    entries = services.archive_entries(
        session,
        row,
        upload_dir=app.config["UPLOAD_DIR"],
        folder=lambda s: exports.folder_name(s.user.name),
        version_folder=lambda v: f"第{v.number}版",
        text_name="提出本文.md",
    )
    buffer = io.BytesIO()
    assert exports.write_zip(buffer, entries, when=utcnow()) == 5
    with zipfile.ZipFile(buffer) as archive:
        names = sorted(archive.namelist())
        assert names == sorted(
            [
                "髙橋 美咲/第1版/報告書.pdf",
                "髙橋 美咲/第1版/提出本文.md",
                "髙橋 美咲/第2版/報告書.pdf",
                "髙橋 美咲/第2版/提出本文.md",
                "山﨑 健太/第1版/メモ.pdf",
            ]
        )
        assert archive.read("髙橋 美咲/第2版/報告書.pdf") == b"%PDF-2"
        assert archive.read("髙橋 美咲/第2版/提出本文.md").decode() == "第2版です"
        assert all(info.flag_bits & 0x800 for info in archive.infolist())  # UTF-8 names


def test_repeated_names_in_a_zip_are_kept_apart() -> None:
    buffer = io.BytesIO()
    exports.write_zip(buffer, [("a/資料.pdf", b"1"), ("a/資料.pdf", b"2")])
    with zipfile.ZipFile(buffer) as archive:
        assert archive.namelist() == ["a/資料.pdf", "a/資料 (2).pdf"]
