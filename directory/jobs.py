"""Scheduled upkeep: the April request to confirm department and position (once per fiscal year).

``open_confirmation_round`` selects what is due (a fiscal year without a round), records the round
(unique per year, so a second run does nothing), and publishes ``directory.confirm`` to every
alumnus who has not confirmed yet; the notification area turns that into messages and e-mail.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from core import dates
from core.events import Event, publish
from core.scheduler import JobContext
from directory.models import AffiliationConfirmation, ConfirmationRound, Profile
from people.models import Role, RoleGrant, User


def unconfirmed_alumni(session: Session, fiscal_year: int) -> list[int]:
    return list(session.scalars(
        select(User.id).join(Profile, Profile.user_id == User.id)
        .where(User.is_active.is_(True), User.anonymized_at.is_(None),
               exists().where(RoleGrant.user_id == User.id, RoleGrant.role == Role.ALUMNUS,
                              RoleGrant.revoked_at.is_(None)),
               ~exists().where(AffiliationConfirmation.user_id == User.id,
                               AffiliationConfirmation.fiscal_year == fiscal_year))
        .order_by(User.id)))


def open_confirmation_round(session: Session, *, now: datetime) -> ConfirmationRound | None:
    """Open this fiscal year's round if it is not open yet; None when there was nothing to do."""
    fy = dates.fiscal_year(dates.to_tokyo(now))
    if session.scalar(select(ConfirmationRound.id).where(ConfirmationRound.fiscal_year == fy)) is not None:
        return None
    recipients = unconfirmed_alumni(session, fy)
    row = ConfirmationRound(fiscal_year=fy, opened_at=now, recipients=len(recipients))
    session.add(row)
    session.flush()
    publish(session, Event(kind="directory.confirm", recipient_ids=tuple(recipients),
                           target_type="confirmation_round", target_id=row.id, url="/me/profile#affiliation",
                           params={"fiscal_year": fy}))
    return row


def round_open(session: Session, fiscal_year: int) -> bool:
    return session.scalar(select(ConfirmationRound.id).where(ConfirmationRound.fiscal_year == fiscal_year)) is not None


def confirmation_round_job(ctx: JobContext) -> str:
    """The scheduled April run (registered in ``directory.init_app``); a second run does nothing."""
    row = open_confirmation_round(ctx.session, now=ctx.now)
    if row is None:
        return "this fiscal year's round is already open"
    return f"round for FY{row.fiscal_year} opened: {row.recipients} alumni asked"
