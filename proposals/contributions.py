"""What the directory shows of a person's proposals: finished ones only (drafts stay with the team),
with their field, cities, directions and outcome as searchable words ("防災 藤沢")."""
from __future__ import annotations

from collections.abc import Sequence

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from curriculum.models import Cohort, TeamMember
from directory import contributions
from directory.contributions import Contribution
from people.models import City
from proposals.models import Proposal, ProposalCity
from proposals.vocab import DIRECTION_JA, FIELD_JA, PUBLISHED, STATUS_JA, Direction


def provider(session: Session, user_ids: Sequence[int]) -> list[Contribution]:
    """One query: each member's finished proposals with their cities (one row per city)."""
    rows = session.execute(
        select(TeamMember.user_id, Proposal.id, Proposal.title, Proposal.status, Proposal.policy_field,
               Proposal.dir_threats, Proposal.dir_opportunities, Proposal.dir_resources, Cohort.fiscal_year,
               City.name_ja, City.name_en)
        .join(Proposal, Proposal.team_id == TeamMember.team_id).join(Cohort, Cohort.id == Proposal.cohort_id)
        .outerjoin(ProposalCity, ProposalCity.proposal_id == Proposal.id)
        .outerjoin(City, City.id == ProposalCity.city_id)
        .where(TeamMember.user_id.in_(list(user_ids)), Proposal.status.in_(PUBLISHED))
        .order_by(TeamMember.user_id, Proposal.id, City.sort_order))
    found: dict[tuple[int, int], dict] = {}  # type: ignore[type-arg]
    for (user_id, pid, title, status, field, threats, opportunities, resources, fiscal_year, city_ja,
         city_en) in rows:
        entry = found.get((user_id, pid))
        if entry is None:
            flags = {Direction.THREATS: threats, Direction.OPPORTUNITIES: opportunities,
                     Direction.RESOURCES: resources}
            terms = [STATUS_JA[status], *(DIRECTION_JA[d] for d, on in flags.items() if on)]
            if field is not None:
                terms.append(FIELD_JA[field])
            entry = found[(user_id, pid)] = {"title": title or f"#{pid}", "year": fiscal_year, "terms": terms}
        if city_ja:
            entry["terms"] += [city_ja, city_en]
    return [Contribution(user_id=user_id, kind="proposal", title=e["title"], url=f"/proposals/{pid}",
                         fiscal_year=e["year"], terms=tuple(e["terms"])) for (user_id, pid), e in found.items()]


def refresh_members(session: Session, team_id: int) -> None:
    """After a proposal's public state changed: the directory's search follows (its team's members)."""
    ids = list(session.scalars(select(TeamMember.user_id).where(TeamMember.team_id == team_id)))
    if ids:
        contributions.refresh(session, ids, contributions.providers_of(current_app))
