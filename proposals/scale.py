"""The proposals part of `flask seed-scale`: past cohorts' teams and their finished proposals.

Each proposal is a final snapshot (the archive at national scale: thousands of past proposals), with
its cities, steps, search key and site-search entry. Rows go in with bulk Core inserts and explicit
ids, committed in batches. Sections vary by combining phrases, so searches hit realistic subsets.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from core import search, searchindex
from core.dates import fiscal_year_label
from core.scale import ScaleContext
from curriculum.models import Cohort, Enrolment, EnrolmentStatus, Team, TeamMember
from people.models import City
from proposals.defaults import DEFAULT_SECTIONS
from proposals.demo_texts import CURRENT, PAST
from proposals.models import Proposal, ProposalCity, ProposalSnapshot, ProposalStep, SnapshotSection
from proposals.template import ensure_template
from proposals.vocab import DIRECTION_JA, FIELD_JA, STATUS_JA, Direction, PolicyField, ProposalStatus, SnapshotKind

TEAM_SIZE = 4
OUTCOMES = (ProposalStatus.ADOPTED, ProposalStatus.NOT_ADOPTED, ProposalStatus.PRESENTED, ProposalStatus.FINAL)


def _next_id(session: Session, column: Any) -> int:
    return (session.scalar(select(func.max(column))) or 0) + 1


def _teams(session: Session, ctx: ScaleContext, needed: int) -> list[tuple[int, int, int]]:
    """(team id, cohort id, fiscal year) for enough teams, made of each past cohort's completed participants."""
    have = [(t.id, t.cohort_id, fy) for t, fy in session.execute(
        select(Team, Cohort.fiscal_year).join(Cohort).order_by(Team.id))]
    if len(have) >= needed:
        return have
    members = session.execute(select(Enrolment.cohort_id, Enrolment.user_id, Cohort.fiscal_year).join(Cohort)
                              .where(Enrolment.status == EnrolmentStatus.COMPLETED)
                              .outerjoin(TeamMember, (TeamMember.user_id == Enrolment.user_id)
                                         & (TeamMember.cohort_id == Enrolment.cohort_id))
                              .where(TeamMember.id.is_(None)).order_by(Enrolment.cohort_id, Enrolment.id)).all()
    numbers = dict(session.execute(select(Team.cohort_id, func.max(Team.number)).group_by(Team.cohort_id)).all())
    tid, mid = _next_id(session, Team.id), _next_id(session, TeamMember.id)
    teams, links = [], []
    current: dict[int, tuple[int, int]] = {}  # cohort -> (team id, size)
    for cohort_id, user_id, fiscal_year in members:
        if len(have) + len(teams) >= needed and cohort_id not in current:
            break
        team_id, size = current.get(cohort_id, (0, TEAM_SIZE))
        if size >= TEAM_SIZE:
            numbers[cohort_id] = numbers.get(cohort_id, 0) + 1
            teams.append({"id": tid, "cohort_id": cohort_id, "number": numbers[cohort_id],
                          "name": f"{fiscal_year}年度 チーム{numbers[cohort_id]}"})
            have.append((tid, cohort_id, fiscal_year))
            team_id, size = tid, 0
            tid += 1
        links.append({"id": mid, "team_id": team_id, "cohort_id": cohort_id, "user_id": user_id})
        mid += 1
        current[cohort_id] = (team_id, size + 1)
    for start in range(0, len(teams), 2000):
        session.execute(insert(Team.__table__), teams[start:start + 2000])
    for start in range(0, len(links), 5000):
        session.execute(insert(TeamMember.__table__), links[start:start + 5000])
    session.commit()
    return have


def seed_proposals(ctx: ScaleContext) -> str:
    n = ctx.sizes.get("proposals", 0)
    if n <= 0:
        return "nothing requested"
    s, rng = ctx.session, ctx.rng
    cities = list(s.scalars(select(City).order_by(City.sort_order)))
    teams = _teams(s, ctx, n)
    if not teams or not cities:
        return "no past cohorts with participants: generate people first"
    themes = list(CURRENT[:4]) + list(CURRENT[5:]) + list(PAST)
    headings = {spec.key: spec.heading for spec in DEFAULT_SECTIONS}
    for cohort_id in {c for _t, c, _fy in teams}:
        ensure_template(s, s.get(Cohort, cohort_id))
    s.commit()
    pid, sid, ssid, cid, stid = (_next_id(s, Proposal.id), _next_id(s, ProposalSnapshot.id),
                                 _next_id(s, SnapshotSection.id), _next_id(s, ProposalCity.id),
                                 _next_id(s, ProposalStep.id))
    start = pid
    with ctx.progress("proposals", n) as bar:
        for offset in range(0, n, 500):
            proposals, snaps, secs, pcs, steps, docs = [], [], [], [], [], []
            for _ in range(min(500, n - offset)):
                team_id, cohort_id, fy = teams[(pid - start) % len(teams)]
                theme, other = rng.choice(themes), rng.choice(themes)
                status = rng.choice(OUTCOMES)
                when = datetime(fy + 1, 2, rng.randint(1, 27), 3, tzinfo=timezone.utc)
                chosen = rng.sample(cities, rng.randint(2, min(5, len(cities))))
                title = f"{theme.title}（{fy}年度・{chosen[0].name_ja}ほか）"
                texts = {k: f"{v}\n\n{other.sections.get(k, '')}".strip() for k, v in theme.sections.items()}
                directions = list(theme.directions)
                field = PolicyField(theme.field)
                key_parts = [title, *texts.values(), *(c.name_ja for c in chosen), *(c.name_en for c in chosen),
                             FIELD_JA[field], *(DIRECTION_JA[Direction(d)] for d in directions), STATUS_JA[status]]
                proposals.append({
                    "id": pid, "team_id": team_id, "cohort_id": cohort_id, "title": title[:200],
                    "status": status.value, "policy_field": field.value, "dir_threats": "threats" in directions,
                    "dir_opportunities": "opportunities" in directions, "dir_resources": "resources" in directions,
                    "version": 1, "presented_to": "部局長級会議" if status is not ProposalStatus.FINAL else "",
                    "decision_note": "", "search_key": search.normalize(" ".join(key_parts)),
                    "created_at": when, "updated_at": when})
                snaps.append({"id": sid, "proposal_id": pid, "number": 1, "kind": SnapshotKind.FINAL.value,
                              "created_at": when, "title": title[:200], "policy_field": field.value,
                              "directions": directions, "city_ids": [c.id for c in chosen]})
                for position, (key, body) in enumerate(texts.items(), start=2):
                    secs.append({"id": ssid, "snapshot_id": sid, "section_key": key, "position": position * 10,
                                 "heading": headings.get(key, key), "text": body})
                    ssid += 1
                for c in chosen:
                    pcs.append({"id": cid, "proposal_id": pid, "city_id": c.id})
                    cid += 1
                steps.append({"id": stid, "proposal_id": pid, "from_status": ProposalStatus.FINAL.value,
                              "to_status": status.value, "at": when, "note": "", "snapshot_id": sid})
                stid += 1
                docs.append((pid, title, " ".join([*(c.name_ja for c in chosen), FIELD_JA[field],
                                                   fiscal_year_label(fy), STATUS_JA[status], *texts.values()]), when))
                pid += 1
                sid += 1
            s.execute(insert(Proposal.__table__), proposals)
            s.execute(insert(ProposalSnapshot.__table__), snaps)
            s.execute(insert(SnapshotSection.__table__), secs)
            s.execute(insert(ProposalCity.__table__), pcs)
            s.execute(insert(ProposalStep.__table__), steps)
            for ref_id, title, body, when in docs:
                searchindex.index_document(s, kind="proposal", ref_id=ref_id, title=title, body=body,
                                           url=f"/proposals/{ref_id}", scope_type="public", scope_id=None,
                                           updated_at=when)
            s.commit()
            bar.update(len(proposals))
    if s.get_bind().dialect.name == "postgresql":
        for table in ("team", "team_member", "proposal", "proposal_snapshot", "proposal_snapshot_section",
                      "proposal_city", "proposal_step"):
            s.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                           f"(SELECT max(id) FROM \"{table}\"))"))
    s.execute(text("ANALYZE"))
    s.commit()
    return f"{pid - start} finished proposals with snapshots, cities, steps and search entries"
