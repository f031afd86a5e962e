"""The home page's "this week" per role, and the demo year that `make run` opens on."""

from __future__ import annotations

from datetime import timedelta

from core.dates import utcnow
from core.extensions import db
from curriculum.models import AssignmentKind, CohortStatus, EnrolmentStatus, SubmissionStatus
from curriculum.services import assignments as assignment_services
from tests import factories
from tests import factories_curriculum as fc


def test_this_week_for_each_role(app, login) -> None:
    with app.app_context():
        facilitator = factories.facilitator()
        cohort = fc.cohort(facilitators=(facilitator,))
        me = fc.participant_in(cohort, name="今週 花子")
        slow = fc.participant_in(cohort, factories.KAWASAKI, name="未提出 太郎")
        fc.study_session(cohort, starts_in=timedelta(days=3), title="中間発表")
        fc.modules()
        due = fc.assignment(cohort, title="今週の課題", due=timedelta(days=2))
        fc.assignment(
            cohort,
            title="遅れた課題",
            published=timedelta(days=-9),
            due=timedelta(days=-1),
            late=timedelta(days=2),
        )
        version = assignment_services.submit(
            db.session,
            due,
            user=me,
            text="出しました",
            uploads=[],
            base_version=0,
            upload_dir=app.config["UPLOAD_DIR"],
            now=utcnow(),
        )
        assignment_services.give_feedback(
            db.session,
            version.submission,
            author=facilitator,
            status=SubmissionStatus.NEEDS_REVISION,
            body="もう一歩",
            version_id=version.id,
            request_key=None,
            now=utcnow(),
        )
        db.session.commit()
        old = fc.cohort(2024, status=CohortStatus.CLOSED)
        alumnus = factories.alumnus(name="先輩 修了")
        fc.enrol(old, alumnus, status=EnrolmentStatus.COMPLETED)
        coordinator = factories.coordinator(factories.YOKOHAMA)
        admin = factories.admin()
        assert slow.id

    mine = login(me).get("/").get_data(as_text=True)
    for text in (
        "今週の研修",
        "第1回 中間発表",
        "今週の課題",
        "要修正",
        "締切を過ぎた課題",
        "遅れた課題",
        "届いたフィードバック",
        "モジュール",
        "残り7 / 7",
    ):
        assert text in mine, text
    staff = login(facilitator).get("/").get_data(as_text=True)
    assert "まだ提出していない人" in staff and "未提出 太郎" in staff
    city = login(coordinator).get("/").get_data(as_text=True)
    assert "市の参加者" in city and "今週 花子" in city and "未提出 太郎" not in city
    overview = login(admin).get("/").get_data(as_text=True)
    assert "期の状況" in overview and "参加者 2 / 24 名" in overview
    alumni = login(alumnus).get("/").get_data(as_text=True)
    assert "修了生のみなさんへ" in alumni and "2024年度 テスト期" in alumni and 'href="/directory"' in alumni


def test_demo_year_is_lived_in(app) -> None:
    from core.cli import load_demo, run_sync

    with app.app_context():
        run_sync(app)
        ctx = load_demo(app)
        made = ctx.made
        current = made["cohort:current"]
        assert (
            current.status is CohortStatus.OPEN
            and current.title_ja == "令和8年度 8市連携スタディミーティング"
        )
        assert sorted(made["cohorts"]) == list(range(2020, 2027))
        assert all(c.status is CohortStatus.CLOSED for fy, c in made["cohorts"].items() if fy < 2026)
        participants = made["participants:current"]
        assert len(participants) == 24 and made["user:participant"] in participants
        assert 95 <= len(made["alumni"]) <= 125 and made["user:alumnus"] in made["alumni"]
        assert made["user:alumnus"].city.name_en == "Fujisawa"
        names = {u.name.split(" ")[0] for u in made["alumni"] + participants}
        assert names & {"髙橋", "山﨑", "渡邉", "齋藤"}
        assert all(" " in u.name and " " in u.name_kana for u in participants)
        teams = made["teams:current"]
        assert 5 <= len(teams) <= 6 and current.teams_published
        assert any(m.user_id == made["user:participant"].id for t in teams for m in t.members)
        from curriculum.services.teams import cities_by_user, rule_problems

        city_of = cities_by_user(db.session, current)
        assert all(rule_problems(t, city_of) == [] for t in teams)
        now = utcnow()
        assignments = made["assignments:current"]
        assert any(now < a.due_at <= now + timedelta(days=7) and a.submissions for a in assignments)
        assert any(f for a in assignments for s in a.submissions for f in s.feedback)
        assert any(a.kind is AssignmentKind.TEAM for a in assignments)
        sessions = made["sessions:current"]
        assert any(s.ends_at < now and s.attendance for s in sessions) and any(
            s.starts_at > now for s in sessions
        )
        coordinator = made["user:coordinator"]
        assert any(e.nominated_by_id == coordinator.id for e in current.enrolments)
