"""Demo data of the curriculum (order 20): past cohorts whose participants are now alumni, and the
current year in the middle of its course.

Reads from earlier hooks: ``user:admin``, ``user:facilitator``, ``user:coordinator``, ``user:participant``,
``user:alumnus``, ``cities``. Leaves for later hooks (see ``made`` below):

- ``cohort:current`` — the running cohort (FY of today, 令和8年度 on 2026-11-25)
- ``cohorts`` — every cohort by fiscal year (FY2020 … current)
- ``teams:current`` — the current cohort's teams (list); ``team:participant`` — the demo participant's team
- ``participants:current`` — the current cohort's participants (users, incl. the demo participant)
- ``alumni`` — everyone who completed an earlier cohort (users, incl. the demo alumnus)
- ``sessions:current``, ``assignments:current`` — the current year's sessions and assignments
"""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from core import storage
from core.cli import DemoContext
from core.dates import TOKYO, UTC, fiscal_year, fiscal_year_bounds, to_tokyo
from core.search import kana_to_romaji
from curriculum import formation
from curriculum.demo import content
from curriculum.demo.names import NameBook
from curriculum.models import (
    Assignment,
    AssignmentKind,
    Attendance,
    AttendanceStatus,
    CityQuota,
    Cohort,
    CohortFacilitator,
    CohortStatus,
    Enrolment,
    EnrolmentStatus,
    Feedback,
    ModuleOverride,
    ModuleProgress,
    SessionMaterial,
    StudySession,
    Submission,
    SubmissionFile,
    SubmissionStatus,
    SubmissionVersion,
    Team,
    TeamMember,
)
from curriculum.services import cohorts as cohort_services
from curriculum.services import modules as module_services
from curriculum.services.cohorts import default_titles
from people import services as people
from people.models import City, Role, User

FIRST_FY = 2020
# Participants per past year: 97 by FY2024, as in reality (DOMAIN.md); FY2025 had 22.
PAST_SIZES = {2020: 18, 2021: 19, 2022: 20, 2023: 20, 2024: 20, 2025: 22}
INTEREST_CODES = [
    "disaster",
    "health_care",
    "childcare",
    "tourism",
    "dx",
    "environment",
    "workforce",
    "transport",
    "infrastructure",
]


class Builder:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.s = ctx.session
        self.rng = ctx.rng
        self.today = to_tokyo(ctx.now).date()
        self.cities: dict[str, City] = ctx.made["cities"]
        self.city_list = sorted(self.cities.values(), key=lambda c: (c.sort_order, c.code))
        self.admin: User = ctx.made["user:admin"]
        self.facilitator: User = ctx.made["user:facilitator"]
        everyone = self.s.scalars(select(User)).all()
        self.names = NameBook(self.rng, {u.name for u in everyone})
        self.hash = people.hash_password(ctx.password)  # one hash for every demo person (argon2 is slow)
        self.emails: set[str] = {u.email for u in everyone}
        self.upload_dir = str(current_app.config["UPLOAD_DIR"])

    # --- helpers ---------------------------------------------------------------------------------
    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=TOKYO).astimezone(UTC)

    def before_now(self, day: date, hour: int) -> datetime:
        """A moment on ``day`` that has already passed (today's early hours may still lie ahead)."""
        return min(self.at(day, hour), self.ctx.now - timedelta(minutes=20))

    def person(self, city: City) -> User:
        name, kana = self.names.next()
        family, given = (kana_to_romaji(part) for part in kana.split(" "))
        local = f"{given}.{family}"
        email, n = f"{local}@{city.name_en.lower()}.example.jp", 2
        while email in self.emails:
            email, n = f"{local}{n}@{city.name_en.lower()}.example.jp", n + 1
        self.emails.add(email)
        user = people.create_user(self.s, email=email, name=name, name_kana=kana, city=city)
        user.password_hash = self.hash
        return user

    def extra_facilitator(self) -> User:
        user = people.get_user_by_email(self.s, "morita.keiichi@renkei.example.jp")
        if user is None:
            user = people.create_user(
                self.s,
                email="morita.keiichi@renkei.example.jp",
                name="森田 敬一",
                name_kana="もりた けいいち",
                role=Role.FACILITATOR,
            )
            user.password_hash = self.hash
        return user

    def cohort(self, fy: int, status: CohortStatus, facilitators: list[User], places: int) -> Cohort:
        first, last = fiscal_year_bounds(fy)
        ja, en = default_titles(fy)
        cohort = Cohort(
            fiscal_year=fy, title_ja=ja, title_en=en, status=status, starts_on=first, ends_on=last
        )
        cohort.facilitators = [CohortFacilitator(user=f) for f in facilitators]
        cohort.quotas = [CityQuota(city_id=c.id, places=places) for c in self.city_list]
        self.s.add(cohort)
        self.s.flush()
        return cohort

    def enrol(self, cohort: Cohort, user: User, city: City, *, by: User | None = None) -> Enrolment:
        picks = self.rng.sample(INTEREST_CODES, 2)
        enrolment = Enrolment(
            cohort=cohort,
            user=user,
            city_id=city.id,
            nominated_by_id=by.id if by else None,
            interests=",".join(picks),
        )
        self.s.add(enrolment)
        people.grant_role(self.s, user, Role.PARTICIPANT)
        return enrolment

    def teams(
        self,
        cohort: Cohort,
        enrolments: list[Enrolment],
        count: int,
        names: list[str],
        seed: int,
        published: datetime,
    ) -> list[Team]:
        persons = [
            formation.Person(e.user_id, e.city_id, formation.parse_interests(e.interests))
            for e in enrolments
            if e.status is not EnrolmentStatus.WITHDRAWN
        ]
        suggestion = formation.suggest(persons, count, seed)
        made = []
        for number, ids in enumerate(suggestion.teams, start=1):
            team = Team(cohort_id=cohort.id, number=number, name=names[number - 1])
            team.members = [TeamMember(cohort_id=cohort.id, user_id=uid) for uid in ids]
            self.s.add(team)
            made.append(team)
        cohort.teams_published_at = published
        self.s.flush()
        return made

    def store(self, data: bytes, name: str, uploader: User) -> storage.StoredFile:
        return storage.store(
            self.s,
            io.BytesIO(data),
            name,
            rules=storage.UploadRules(),
            upload_dir=self.upload_dir,
            uploaded_by_id=uploader.id,
        )

    def friday(self, offset: int) -> date:
        day = self.today + timedelta(days=offset)
        return day + timedelta(days=(4 - day.weekday()) % 7)

    # --- past years ------------------------------------------------------------------------------
    def past_years(self, current_fy: int) -> tuple[dict[int, Cohort], list[User]]:
        cohorts: dict[int, Cohort] = {}
        alumni: list[User] = []
        demo_alumnus: User = self.ctx.made["user:alumnus"]
        fujisawa = self.cities["142051"]
        alumnus_year = 2023 if current_fy > 2023 else current_fy - 1
        morita = self.extra_facilitator()
        for fy in range(FIRST_FY, current_fy):
            existing = self.existing(fy)
            if existing is not None:  # a year recorded before the demo was loaded: kept as it is
                cohorts[fy] = existing
                alumni.extend(e.user for e in existing.enrolments if e.status is EnrolmentStatus.COMPLETED)
                continue
            size = PAST_SIZES.get(fy, 20)
            facilitators = [morita] if fy < 2024 else [self.facilitator, morita]
            cohort = self.cohort(fy, CohortStatus.OPEN, facilitators, places=3)
            order = self.city_list[:]
            self.rng.shuffle(order)
            enrolments = []
            for i in range(size):
                city = order[i % len(order)]
                if (
                    fy == alumnus_year
                    and city is fujisawa
                    and demo_alumnus not in [e.user for e in enrolments]
                ):
                    user = demo_alumnus
                else:
                    user = self.person(city)
                enrolments.append(self.enrol(cohort, user, city))
            self.s.flush()
            if fy == 2022:  # someone left mid-year (transferred to a busy post): kept as withdrawn
                leaver = enrolments[-1]
                leaver.status, leaver.withdrawn_at = EnrolmentStatus.WITHDRAWN, self.at(date(fy, 10, 1), 9)
                people.revoke_role(self.s, leaver.user, Role.PARTICIPANT, now=leaver.withdrawn_at)
            self.past_sessions(cohort, enrolments)
            end = self.at(date(fy + 1, 3, 20), 17)
            self.teams(
                cohort, enrolments, max(3, size // 4), content.PAST_TEAM_NAMES, fy, self.at(date(fy, 7, 1), 9)
            )
            cohort_services.close_cohort(self.s, cohort, actor=self.admin, now=end)
            cohorts[fy] = cohort
            alumni.extend(e.user for e in enrolments if e.status is EnrolmentStatus.COMPLETED)
        return cohorts, alumni

    def past_sessions(self, cohort: Cohort, enrolments: list[Enrolment]) -> None:
        months = [
            (5, "キックオフ"),
            (7, "広域連携の制度"),
            (9, "事例に学ぶ"),
            (11, "中間発表"),
            (1, "ピアレビュー"),
            (2, "最終発表"),
        ]
        for number, (month, title) in enumerate(months, start=1):
            year = cohort.fiscal_year if month >= 4 else cohort.fiscal_year + 1
            day = date(year, month, 15)
            day += timedelta(days=(4 - day.weekday()) % 7)
            host = self.city_list[(number + cohort.fiscal_year) % len(self.city_list)]
            row = StudySession(
                cohort_id=cohort.id,
                number=number,
                title=title,
                starts_at=self.at(day, 14),
                ends_at=self.at(day, 17),
                host_city_id=host.id,
                venue=f"{host.name_ja}役所 会議室",
                agenda="",
                created_by_id=self.admin.id,
            )
            self.s.add(row)
            self.s.flush()
            for e in enrolments:
                status = AttendanceStatus.PRESENT if self.rng.random() < 0.9 else AttendanceStatus.ABSENT
                self.s.add(
                    Attendance(
                        session=row,
                        user_id=e.user_id,
                        status=status,
                        recorded_at=row.ends_at,
                        recorded_by_id=self.admin.id,
                    )
                )

    # --- the current year -----------------------------------------------------------------------
    def existing(self, fy: int) -> Cohort | None:
        return self.s.scalar(select(Cohort).where(Cohort.fiscal_year == fy))

    def described(self, cohort: Cohort) -> dict[str, Any]:
        """The ``made`` keys for a current year that existed before the demo was loaded."""
        teams = list(cohort.teams)
        participant = self.ctx.made["user:participant"]
        return {
            "cohort:current": cohort,
            "teams:current": teams,
            "team:participant": next(
                (t for t in teams if any(m.user_id == participant.id for m in t.members)), None
            ),
            "participants:current": [
                e.user for e in cohort.enrolments if e.status is not EnrolmentStatus.WITHDRAWN
            ],
            "sessions:current": list(
                self.s.scalars(select(StudySession).where(StudySession.cohort_id == cohort.id))
            ),
            "assignments:current": list(
                self.s.scalars(select(Assignment).where(Assignment.cohort_id == cohort.id))
            ),
        }

    def current_year(self, fy: int) -> dict[str, Any]:
        existing = self.existing(fy)
        if existing is not None:
            return self.described(existing)
        made: dict[str, Any] = {}
        co_facilitator = self.extra_facilitator()
        cohort = self.cohort(fy, CohortStatus.OPEN, [self.facilitator, co_facilitator], places=3)
        participant: User = self.ctx.made["user:participant"]
        coordinator: User = self.ctx.made["user:coordinator"]
        enrolments: list[Enrolment] = []
        for city in self.city_list:
            for i in range(3):
                user = participant if city.code == "141305" and i == 0 else self.person(city)
                by = coordinator if city.code == "141003" else self.admin
                enrolments.append(self.enrol(cohort, user, city, by=by))
        self.s.flush()
        mine = next(e for e in enrolments if e.user_id == participant.id)
        mine.interests = "disaster,dx"

        sessions = self.current_sessions(cohort, enrolments)
        self.current_modules(cohort, enrolments, participant)
        teams = self.teams(
            cohort, enrolments, 6, content.TEAM_NAMES, 2026, self.at(self.today - timedelta(days=46), 18)
        )
        alumni = self.ctx.made.get("alumni", [])
        mentors = [self.ctx.made["user:alumnus"], *alumni[:2]]
        for team, mentor in zip(teams, mentors, strict=False):
            team.mentor_id = mentor.id
        own_team = next(t for t in teams if any(m.user_id == participant.id for m in t.members))
        if own_team.mentor_id is None:
            own_team.mentor_id = self.ctx.made["user:alumnus"].id
        assignments = self.current_assignments(cohort, enrolments, teams, participant)
        made.update(
            {
                "cohort:current": cohort,
                "teams:current": teams,
                "team:participant": own_team,
                "participants:current": [e.user for e in enrolments],
                "sessions:current": sessions,
                "assignments:current": assignments,
            }
        )
        return made

    def current_sessions(self, cohort: Cohort, enrolments: list[Enrolment]) -> list[StudySession]:
        rows = []
        for number, (offset, code, title, venue, agenda) in enumerate(content.CURRENT_SESSIONS, start=1):
            day = self.friday(offset)
            online = code is None or code == "132098"
            row = StudySession(
                cohort_id=cohort.id,
                number=number,
                title=title,
                starts_at=self.at(day, 14),
                ends_at=self.at(day, 17),
                host_city_id=self.cities[code].id if code else None,
                venue=venue,
                online_url=content.ONLINE_URL if online else "",
                agenda=agenda,
                created_by_id=self.facilitator.id,
            )
            self.s.add(row)
            self.s.flush()
            if row.ends_at < self.ctx.now:
                for e in enrolments:
                    roll = self.rng.random()
                    status = (
                        AttendanceStatus.PRESENT
                        if roll < 0.86
                        else AttendanceStatus.LATE
                        if roll < 0.93
                        else AttendanceStatus.ABSENT
                    )
                    note = "業務のため途中参加" if status is AttendanceStatus.LATE else ""
                    self.s.add(
                        Attendance(
                            session=row,
                            user_id=e.user_id,
                            status=status,
                            note=note,
                            recorded_at=row.ends_at,
                            recorded_by_id=self.facilitator.id,
                        )
                    )
            rows.append(row)
        for row, name in (
            (rows[0], "第1回_講義資料_2040年の8市.pdf"),
            (rows[5], "提案書の書き方_ワークシート.pdf"),
        ):
            self.s.add(
                SessionMaterial(
                    session=row,
                    file=self.store(content.PDF, name, self.facilitator),
                    added_by_id=self.facilitator.id,
                )
            )
        self.s.flush()
        return rows

    def current_modules(self, cohort: Cohort, enrolments: list[Enrolment], participant: User) -> None:
        modules = module_services.active_modules(self.s)
        if not modules:
            return
        for e in enrolments:
            done = 4 if e.user_id == participant.id else self.rng.randint(2, min(6, len(modules)))
            for k, module in enumerate(modules[:done]):
                when = self.at(self.today - timedelta(days=170 - 25 * k + self.rng.randint(0, 6)), 21)
                self.s.add(
                    ModuleProgress(cohort_id=cohort.id, module_id=module.id, user_id=e.user_id, done_at=when)
                )
        target = next((m for m in modules if m.slug == "eight-cities"), modules[0])
        extra = (
            "\n\n## 令和8年度の追加ワーク\n\n第3回では、各市の「公共施設等総合管理計画」から更新費用の見通しを"
            "一つ選び、チームで比べます。出典のページ番号を控えておいてください。\n"
        )
        self.s.add(
            ModuleOverride(
                cohort_id=cohort.id,
                module_id=target.id,
                title_ja=target.title_ja,
                body=target.body + extra,
                minutes=target.minutes + 15,
                note="今年度は公共施設の更新費用を比べるワークを追加",
                base_hash=target.source_hash,
                version=1,
                updated_by_id=self.facilitator.id,
            )
        )
        self.s.flush()

    def current_assignments(
        self, cohort: Cohort, enrolments: list[Enrolment], teams: list[Team], participant: User
    ) -> list[Assignment]:
        today = self.today
        f = self.facilitator
        a1 = Assignment(
            cohort_id=cohort.id,
            title=content.A1_TITLE,
            instructions=content.A1_TEXT,
            kind=AssignmentKind.INDIVIDUAL,
            publish_at=self.at(today - timedelta(days=185), 18),
            due_at=self.at(today - timedelta(days=158), 17),
            allowed_types="docx,pdf",
            max_mb=10,
            created_by_id=f.id,
        )
        due_day = today + timedelta(days=2)
        a2 = Assignment(
            cohort_id=cohort.id,
            title=content.A2_TITLE,
            instructions=content.A2_TEXT,
            kind=AssignmentKind.INDIVIDUAL,
            publish_at=self.at(today - timedelta(days=12), 18),
            due_at=self.at(due_day, 17),
            late_until=self.at(due_day + timedelta(days=3), 17),
            allowed_types="docx,pdf,xlsx",
            max_mb=10,
            created_by_id=f.id,
        )
        a3 = Assignment(
            cohort_id=cohort.id,
            title=content.A3_TITLE,
            instructions=content.A3_TEXT,
            kind=AssignmentKind.TEAM,
            publish_at=self.at(today - timedelta(days=6), 9),
            due_at=self.at(today + timedelta(days=13), 17),
            allowed_types="docx,pdf,pptx",
            max_mb=20,
            created_by_id=f.id,
        )
        a4 = Assignment(
            cohort_id=cohort.id,
            title=content.A4_TITLE,
            instructions=content.A4_TEXT,
            kind=AssignmentKind.TEAM,
            publish_at=self.at(today + timedelta(days=8), 9),
            due_at=self.at(today + timedelta(days=15), 12),
            allowed_types="pdf,pptx",
            max_mb=20,
            created_by_id=f.id,
        )
        for a in (a1, a2, a3):
            a.announced_at = a.publish_at
        self.s.add_all([a1, a2, a3, a4])
        self.s.flush()
        texts = content.SUBMISSION_TEXTS
        # A1: everyone handed in; most were accepted.
        for i, e in enumerate(enrolments):
            sub = self.submission(
                a1, e.user, texts[i % len(texts)], a1.due_at - timedelta(days=self.rng.randint(1, 9))
            )
            self.feedback(
                sub, f, SubmissionStatus.COMPLETE, content.FEEDBACK_OK[i % 2], a1.due_at + timedelta(days=5)
            )
        # A2 (due this week): about half handed in so far; some feedback already.
        for i, e in enumerate(enrolments):
            if e.user_id == participant.id:
                sub = self.submission(
                    a2, e.user, texts[1], self.at(today - timedelta(days=4), 22), file_name="将来推計メモ.pdf"
                )
                self.feedback(
                    sub,
                    f,
                    SubmissionStatus.NEEDS_REVISION,
                    content.FEEDBACK_REVISE[0],
                    self.at(today - timedelta(days=2), 10),
                )
                continue
            if i % 2 == 1:
                continue
            sub = self.submission(
                a2,
                e.user,
                texts[i % len(texts)],
                self.at(today - timedelta(days=self.rng.randint(2, 8)), 20),
                file_name=f"将来推計メモ_{e.user.name.split(' ')[0]}.pdf",
            )
            if i % 6 == 0:
                self.feedback(
                    sub,
                    f,
                    SubmissionStatus.COMPLETE,
                    content.FEEDBACK_OK[0],
                    self.at(today - timedelta(days=1), 11),
                )
            elif i % 6 == 2:
                self.feedback(
                    sub,
                    f,
                    SubmissionStatus.NEEDS_REVISION,
                    content.FEEDBACK_REVISE[1],
                    self.at(today - timedelta(days=1), 7),
                )
                self.submission(
                    a2, e.user, texts[(i + 1) % len(texts)], self.before_now(today, 8), existing=sub
                )
        # A3 (team): two teams handed in a first outline.
        for team in teams[:2]:
            author = team.members[0].user
            self.submission(
                a3,
                author,
                "- 提案名（仮）\n- 取組概要\n- 目的\n- 取組内容",
                self.at(today - timedelta(days=1), 19),
                team=team,
                file_name=f"{team.name}_骨子.pdf",
            )
        return [a1, a2, a3, a4]

    def submission(
        self,
        assignment: Assignment,
        user: User,
        text: str,
        when: datetime,
        *,
        team: Team | None = None,
        file_name: str | None = None,
        existing: Submission | None = None,
    ) -> Submission:
        sub = existing or Submission(
            assignment_id=assignment.id,
            user_id=None if team else user.id,
            team_id=team.id if team else None,
            version_count=0,
        )
        if existing is None:
            self.s.add(sub)
        stored = [self.store(content.PDF, file_name, user)] if file_name else []
        sub.version_count += 1
        sub.status = SubmissionStatus.SUBMITTED
        version = SubmissionVersion(
            submission=sub,
            number=sub.version_count,
            text=text,
            submitted_by_id=user.id,
            submitted_at=when,
            is_late=when > assignment.due_at,
        )
        version.files = [SubmissionFile(file=f) for f in stored]
        self.s.add(version)
        self.s.flush()
        return sub

    def feedback(
        self, sub: Submission, author: User, status: SubmissionStatus, body: str, when: datetime
    ) -> None:
        latest = sub.versions[-1]
        self.s.add(
            Feedback(
                submission=sub,
                version_id=latest.id,
                author_id=author.id,
                status=status,
                body=body,
                created_at=when,
            )
        )
        sub.status = status
        self.s.flush()


def seed_curriculum(ctx: DemoContext) -> None:
    module_services.sync_modules(ctx.session, now=ctx.now)
    builder = Builder(ctx)
    current_fy = fiscal_year(ctx.now)
    cohorts, alumni = builder.past_years(current_fy)
    ctx.made["alumni"] = alumni
    made = builder.current_year(current_fy)
    cohorts[current_fy] = made["cohort:current"]
    ctx.made["cohorts"] = cohorts
    ctx.made.update(made)
