"""Demo data of the proposals area (hook order 50).

Reads: ``cohort:current`` and ``teams:current`` (curriculum), ``cohorts`` (past cohorts), ``cities``,
``user:facilitator``, ``user:admin``, ``user:alumnus``, ``user:participant``. Without a current cohort
and its teams nothing team-related is made. Adds: ``proposals:current``, ``proposals:past`` (lists of
Proposal) and ``review_round:current`` (the open round, or absent).

Each current team has a draft with sections written over several weeks (some with an earlier
version in their history); most are submitted; an open review round has some reviews done. Past
cohorts have final proposals, presented, some adopted as 検討テーマ with follow-up notes.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from core.cli import DemoContext
from core.dates import TOKYO, UTC
from core.errors import DomainError
from curriculum.models import Cohort, CohortStatus, Enrolment, EnrolmentStatus, Team, TeamMember
from people.models import Role, RoleGrant, User
from proposals import contributions, sections, services
from proposals.demo_texts import CURRENT, OVERALLS, PAST, REVIEW_COMMENTS, Theme
from proposals.models import Proposal, ProposalTemplate
from proposals.review import services as review_services
from proposals.review.models import AssignmentStatus
from proposals.template import ensure_template
from proposals.vocab import Direction, PolicyField

DEFAULT_SECTION_KEYS = ("summary", "purpose", "activities", "novelty", "effect", "continuity", "rollout",
                        "partnership")


def _members(session: Any, team: Team) -> list[User]:
    return list(session.scalars(select(User).join(TeamMember, TeamMember.user_id == User.id)
                                .where(TeamMember.team_id == team.id).order_by(User.id)))


def _write(ctx: DemoContext, template: ProposalTemplate, team: Team, theme: Theme, start: datetime) -> Proposal:
    """Create a proposal and write its sections the way a team does: several people, several days."""
    s = ctx.session
    members = _members(s, team) or [ctx.made["user:facilitator"]]
    proposal = services.create_proposal(s, team, actor=members[0], now=start)
    when = start
    title_spec = next(spec for spec in template.sections if spec.single_line)
    sections.save(s, proposal, title_spec, theme.title, author=members[0], base_revision_id=None, now=when)
    for n, key in enumerate(DEFAULT_SECTION_KEYS):
        spec = template.section(key)
        text = theme.sections.get(key, "")
        if spec is None or not text:
            continue
        when += timedelta(hours=ctx.rng.randint(5, 40))
        author = members[n % len(members)]
        base = None
        if theme.early and key in theme.early:
            base = sections.save(s, proposal, spec, theme.early[key], author=author, base_revision_id=None,
                                 now=when, comment="たたき台").id
            when += timedelta(hours=ctx.rng.randint(20, 60))
            author = members[(n + 1) % len(members)]
        sections.save(s, proposal, spec, text, author=author, base_revision_id=base, now=when,
                      comment="" if base is None else "具体的に書き直し")
    city_ids = {pc.city_id for pc in proposal.cities}
    all_cities = list(ctx.made.get("cities", {}).values())
    extra = [c.id for c in all_cities if c.id not in city_ids]
    ctx.rng.shuffle(extra)
    services.update_tags(s, proposal, city_ids=sorted(city_ids | set(extra[:ctx.rng.randint(0, 2)])),
                         policy_field=PolicyField(theme.field), directions=[Direction(d) for d in theme.directions],
                         version=None, actor=members[0], now=when)
    return proposal


def _texts(session: Any, proposal: Proposal, template: ProposalTemplate) -> list[services.SectionText]:
    return [services.SectionText(st.spec, st.text, st.revision_id)
            for st in sections.load(session, proposal, template, include_retired=True)]


def _current_year(ctx: DemoContext, cohort: Cohort, teams: list[Team]) -> None:
    s = ctx.session
    template = ensure_template(s, cohort, actor=ctx.made.get("user:admin"))
    made: list[Proposal] = []
    now = ctx.now
    complete = [t for t in CURRENT if all(t.sections.get(k) for k in DEFAULT_SECTION_KEYS)]
    unfinished = [t for t in CURRENT if t not in complete]
    for i, team in enumerate(teams):
        # Most teams have submitted; with three teams or more, the last one is still drafting.
        theme = unfinished[0] if (unfinished and len(teams) >= 3 and i == len(teams) - 1) else \
            complete[i % len(complete)]
        start = now - timedelta(days=42 - 2 * i, hours=ctx.rng.randint(0, 8))
        proposal = _write(ctx, template, team, theme, start)
        made.append(proposal)
        if theme in complete:
            author = (_members(s, team) or [ctx.made["user:facilitator"]])[0]
            services.submit(s, proposal, _texts(s, proposal, template), expected=0, actor=author,
                            now=start + timedelta(days=20))
    ctx.made["proposals:current"] = made
    submitted = [p for p in made if p.snapshots]
    facilitator = ctx.made.get("user:facilitator")
    if len(submitted) < 2 or facilitator is None:
        return
    alumni = [ctx.made["user:alumnus"].id] if "user:alumnus" in ctx.made else []
    alumni += _some_alumni(s, exclude=set(alumni), count=3, rng=ctx.rng)
    opened = now - timedelta(days=5)
    rnd = review_services.create_round(
        s, cohort, title="中間発表後の相互評価", deadline=_tokyo(now + timedelta(days=7), 17),
        reviews_per_proposal=3, hide_reviewers=True, hide_authors=False, include_alumni=bool(alumni),
        alumni_ids=alumni, proposal_ids=[p.id for p in submitted],
        instructions="評価の観点ごとに1〜5で採点し、良い点と改善の提案をコメントしてください。"
                     "査読者の名前は提案チームには伝わりません。率直に、しかし敬意をもって書きましょう。",
        seed=2026, actor=facilitator, now=opened)
    participant = ctx.made.get("user:participant")
    if participant is not None and not any(a.reviewer_id == participant.id for a in rnd.assignments):
        for assignment in sorted(rnd.assignments, key=lambda a: a.id):  # the demo login gets a review to write
            try:
                with s.begin_nested():
                    review_services.reassign(s, assignment, participant.id, actor=facilitator, now=opened)
                break
            except DomainError:
                continue
    review_services.publish_round(s, rnd, actor=facilitator, now=opened)
    for n, assignment in enumerate(sorted(rnd.assignments, key=lambda a: a.id)):
        if participant is not None and assignment.reviewer_id == participant.id:
            continue  # the demo participant still has a review to write
        if n % 3 == 2:
            continue  # not started yet
        reviewer = s.get(User, assignment.reviewer_id)
        comments = REVIEW_COMMENTS[n % len(REVIEW_COMMENTS)]
        scores = [review_services.ScoreInput(c.id, ctx.rng.randint(2, 5), comments[k % len(comments)] if k < 4 else "")
                  for k, c in enumerate(rnd.criteria)]
        done = n % 3 == 0
        review_services.save_review(s, assignment, scores=scores, overall=OVERALLS[n % len(OVERALLS)] if done else "",
                                    version=None, submit=done, actor=reviewer,
                                    now=opened + timedelta(days=1 + n % 4, hours=n))
    ctx.made["review_round:current"] = rnd
    assert any(a.status is AssignmentStatus.SUBMITTED for a in rnd.assignments)


def _tokyo(moment: datetime, hour: int) -> datetime:
    local = moment.astimezone(TOKYO).replace(hour=hour, minute=0, second=0, microsecond=0)
    return local.astimezone(UTC)


def _some_alumni(session: Any, *, exclude: set[int], count: int, rng: Any) -> list[int]:
    ids = list(session.scalars(select(RoleGrant.user_id).where(RoleGrant.role == Role.ALUMNUS,
                                                               RoleGrant.revoked_at.is_(None))
                               .order_by(RoleGrant.user_id)))
    ids = [i for i in ids if i not in exclude]
    rng.shuffle(ids)
    return sorted(ids[:count])


def _past_cohorts(made: dict[str, Any]) -> list[Cohort]:
    found = made.get("cohorts") or []
    values: Iterable[Any] = found.values() if isinstance(found, dict) else found
    current = made.get("cohort:current")
    return sorted((c for c in values if isinstance(c, Cohort) and c is not current
                   and c.status is CohortStatus.CLOSED), key=lambda c: c.fiscal_year)


def _teams_of(ctx: DemoContext, cohort: Cohort) -> list[Team]:
    """The cohort's teams; for a year without any, two mixed-city teams of its alumni."""
    s = ctx.session
    teams = list(s.scalars(select(Team).where(Team.cohort_id == cohort.id).order_by(Team.number)))
    if teams:
        return teams[:3]
    enrolments = list(s.scalars(select(Enrolment).where(Enrolment.cohort_id == cohort.id,
                                                        Enrolment.status == EnrolmentStatus.COMPLETED)
                                .order_by(Enrolment.city_id, Enrolment.user_id)))
    if len(enrolments) < 2:
        return []
    made = []
    for number in (1, 2):
        team = Team(cohort_id=cohort.id, number=number, name=f"{cohort.fiscal_year}年度 チーム{number}")
        s.add(team)
        made.append(team)
    s.flush()
    for i, enrolment in enumerate(enrolments):
        s.add(TeamMember(team_id=made[i % 2].id, cohort_id=cohort.id, user_id=enrolment.user_id))
    s.flush()
    return made


ADOPTION_NOTES = (
    "8市連携市長会議で、翌年度の検討テーマとすることが決まった。幹事市を中心に担当課長会議で具体化を進める。",
    "部局長級会議で高く評価され、関係課による検討テーマとして採択された。まず2市で試行する。",
)
DECLINE_NOTES = (
    "方向性は評価されたが、既存の県の事業と重なる部分が多いため、今回は採択を見送った。県との調整を続ける。",
    "費用負担の考え方に課題が残るとして採択は見送り。提案の一部（研修）は各市の人事課で参考にする。",
)
FOLLOW_UPS = (
    "担当課長会議で検討を開始。各市の現状調査を行った。",
    "2市で試行を開始し、利用実績を8市で共有した。",
    "試行の結果を受けて、8市での本格実施に向けた協定案の協議を始めた。",
)


def _past_years(ctx: DemoContext) -> None:
    s = ctx.session
    admin = ctx.made.get("user:admin")
    if admin is None:
        return
    made: list[Proposal] = []
    themes = list(PAST)
    for year_index, cohort in enumerate(_past_cohorts(ctx.made)):
        template = ensure_template(s, cohort, actor=admin)
        cohort.status = CohortStatus.OPEN  # written while that year ran; closed again below
        for team_index, team in enumerate(_teams_of(ctx, cohort)[:2]):
            theme = themes[(2 * year_index + team_index) % len(themes)]
            fy = cohort.fiscal_year
            start = datetime(fy, 10, 1 + 3 * team_index, 1, 0, tzinfo=UTC)
            try:
                proposal = _write(ctx, template, team, theme, start)
                author = (_members(s, team) or [admin])[0]
                services.submit(s, proposal, _texts(s, proposal, template), expected=0, actor=author,
                                now=datetime(fy, 12, 10, 3, 0, tzinfo=UTC))
                services.finalize(s, proposal, _texts(s, proposal, template), expected=1, actor=author,
                                  now=datetime(fy + 1, 2, 5, 3, 0, tzinfo=UTC), released=True)
            except DomainError:
                continue
            meeting = "8市連携市長会議" if team_index == 0 else "部局長級会議"
            presented = datetime(fy + 1, 2, 20, 5, 0, tzinfo=UTC)
            services.record_presentation(s, proposal, on=presented.astimezone(TOKYO).date(), meeting=meeting, note="",
                                         actor=admin, now=presented)
            adopted = (year_index + team_index) % 3 != 2
            notes = ADOPTION_NOTES if adopted else DECLINE_NOTES
            services.record_decision(s, proposal, adopted=adopted, note=notes[team_index % len(notes)], actor=admin,
                                     now=datetime(fy + 1, 3, 15, 2, 0, tzinfo=UTC))
            if adopted:
                years_since = max(0, ctx.now.year - fy - 1)
                for k, text in enumerate(FOLLOW_UPS[: min(len(FOLLOW_UPS), years_since + 1)]):
                    noted = datetime(fy + 1 + k, 7, 1, tzinfo=UTC)
                    if noted > ctx.now:
                        break
                    services.add_follow_up(s, proposal, text=text, noted_on=noted.date(), actor=admin, now=noted)
            made.append(proposal)
        cohort.status = CohortStatus.CLOSED
    ctx.made["proposals:past"] = made


def seed(ctx: DemoContext) -> None:
    cohort = ctx.made.get("cohort:current")
    teams = [t for t in (ctx.made.get("teams:current") or []) if isinstance(t, Team)]
    if isinstance(cohort, Cohort) and teams:
        _current_year(ctx, cohort, teams)
    _past_years(ctx)
    ctx.session.flush()
    for proposal in ctx.made.get("proposals:past", []):  # finished proposals appear on directory profiles
        contributions.refresh_members(ctx.session, proposal.team_id)



