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
from proposals.models import Proposal
from proposals.vocab import DIRECTION_JA, FIELD_JA, PUBLISHED, STATUS_JA


def provider(session: Session, user_ids: Sequence[int]) -> list[Contribution]:
    rows = session.execute(
        select(TeamMember.user_id, Proposal, Cohort.fiscal_year)
        .join(Proposal, Proposal.team_id == TeamMember.team_id).join(Cohort, Cohort.id == Proposal.cohort_id)
        .where(TeamMember.user_id.in_(list(user_ids)), Proposal.status.in_(PUBLISHED)))
    out = []
    for user_id, proposal, fiscal_year in rows:
        terms = [STATUS_JA[proposal.status], *(DIRECTION_JA[d] for d in proposal.directions)]
        if proposal.policy_field is not None:
            terms.append(FIELD_JA[proposal.policy_field])
        terms += [pc.city.name_ja for pc in proposal.cities] + [pc.city.name_en for pc in proposal.cities]
        out.append(Contribution(user_id=user_id, kind="proposal", title=proposal.display_title(),
                                url=f"/proposals/{proposal.id}", fiscal_year=fiscal_year, terms=tuple(terms)))
    return out


def refresh_members(session: Session, team_id: int) -> None:
    """After a proposal's public state changed: the directory's search follows (its team's members)."""
    ids = list(session.scalars(select(TeamMember.user_id).where(TeamMember.team_id == team_id)))
    if ids:
        contributions.refresh(session, ids, contributions.providers_of(current_app))
