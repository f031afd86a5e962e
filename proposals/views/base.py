"""The proposals blueprint and the helpers its views share (loading with 404, messages)."""
from __future__ import annotations

from flask import Blueprint, abort, flash
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.errors import DomainError
from core.extensions import db
from core.i18n import current_locale
from curriculum.models import Team
from proposals.forms import MESSAGES
from proposals.models import Proposal, ProposalTemplate
from proposals.services import SectionText
from proposals.template import template_or_default
from wiki.cases import services as case_services

bp = Blueprint("proposals", __name__)


def load_proposal(proposal_id: int) -> Proposal:
    proposal = db.session.scalar(select(Proposal).where(Proposal.id == proposal_id)
                                 .options(joinedload(Proposal.team), joinedload(Proposal.cohort)))
    if proposal is None:
        abort(404)
    return proposal


def load_team(team_id: int) -> Team:
    team = db.session.scalar(select(Team).where(Team.id == team_id).options(joinedload(Team.cohort)))
    if team is None:
        abort(404)
    return team


def template_of(proposal: Proposal) -> ProposalTemplate:
    return template_or_default(db.session, proposal.cohort_id)


def section_markdown(source: str | None) -> Markup:
    """The Jinja filter ``|section_markdown``: a proposal section's Markdown, ``[[case:slug]]`` linking to the
    case under its title."""
    return case_services.render_with_case_links(
        db.session, source, locale=current_locale(),
        missing=lambda slug: _("%(slug)s（事例集にない事例）", slug=slug)).html


def texts_of(states: list) -> list[SectionText]:  # type: ignore[type-arg]
    return [SectionText(s.spec, s.text, s.revision_id) for s in states]


def message(error: DomainError) -> str:
    return str(MESSAGES.get(error.message, MESSAGES["wrong_status"]))


def flash_error(error: DomainError) -> None:
    flash(message(error), "error")


def field_error(form: object, error: DomainError) -> None:
    """Put a service's refusal at the field it concerns (or at the top of the page)."""
    target = getattr(form, error.field or "", None)
    if target is not None:
        target.errors = [*target.errors, message(error)]
    else:
        flash_error(error)
