"""Who may do what with proposals and templates. Deny by default.

* insiders of a proposal: its team's members, the team's mentor, the cohort's facilitators and the
  secretariat. They see the live draft, its history and every snapshot.
* coordinators see (read only) the proposals of teams with someone their city nominated.
* everyone signed in sees finished proposals (最終版 and after): the archive of past proposals.
"""
from __future__ import annotations

from typing import Any

from curriculum.models import Cohort, CohortStatus, Team
from people.models import Role
from proposals.models import Proposal
from proposals.ties import active_user, ties
from proposals.vocab import EDITABLE, OUTCOMES, PUBLISHED, ProposalStatus


def signed_in(actor: Any) -> bool:
    return active_user(actor) is not None


def is_admin(actor: Any) -> bool:
    user = active_user(actor)
    return bool(user and user.has_role(Role.ADMIN))


def staff_for(actor: Any, cohort_id: int) -> bool:
    """Secretariat, or a facilitator of this cohort."""
    return ties(actor).staff_for(cohort_id)


def member(actor: Any, proposal: Proposal) -> bool:
    return proposal.team_id in ties(actor).member_of


def insider(actor: Any, proposal: Proposal) -> bool:
    t = ties(actor)
    return t.staff_for(proposal.cohort_id) or proposal.team_id in t.member_of or proposal.team_id in t.mentor_of


def author_side(actor: Any, proposal: Proposal) -> bool:
    """The team and its mentor: those who receive the reviews."""
    t = ties(actor)
    return proposal.team_id in t.member_of or proposal.team_id in t.mentor_of


def view(actor: Any, proposal: Proposal) -> bool:
    if not signed_in(actor):
        return False
    return proposal.status in PUBLISHED or insider(actor, proposal) or proposal.team_id in ties(actor).city_teams


def view_history(actor: Any, proposal: Proposal) -> bool:
    """The live draft, section history and diffs: the team's working material."""
    return insider(actor, proposal)


def _open(cohort: Cohort) -> bool:
    return cohort.status is not CohortStatus.CLOSED


def edit(actor: Any, proposal: Proposal) -> bool:
    return member(actor, proposal) and proposal.status in EDITABLE and _open(proposal.cohort)


def submit(actor: Any, proposal: Proposal) -> bool:
    return edit(actor, proposal) and proposal.status in (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED)


def withdraw(actor: Any, proposal: Proposal) -> bool:
    return edit(actor, proposal) and proposal.status is ProposalStatus.SUBMITTED


def revise(actor: Any, proposal: Proposal) -> bool:
    return edit(actor, proposal) and proposal.status in (ProposalStatus.IN_REVIEW, ProposalStatus.REVISED)


def finalize(actor: Any, proposal: Proposal) -> bool:
    allowed = member(actor, proposal) or staff_for(actor, proposal.cohort_id)
    return allowed and _open(proposal.cohort) and proposal.status in (
        ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW, ProposalStatus.REVISED)


def record_outcome(actor: Any, proposal: Proposal) -> bool:
    """Presentation and the decision on 検討テーマ: the cohort's facilitators and the secretariat."""
    return staff_for(actor, proposal.cohort_id) and proposal.status in (
        ProposalStatus.FINAL, ProposalStatus.PRESENTED, *OUTCOMES)


def follow_up(actor: Any, proposal: Proposal) -> bool:
    """Later notes on a presented proposal: staff, its team (now often alumni) and its mentor."""
    return insider(actor, proposal) and proposal.status in (ProposalStatus.PRESENTED, *OUTCOMES)


def view_team(actor: Any, team: Team) -> bool:
    t = ties(actor)
    return (t.staff_for(team.cohort_id) or team.id in t.member_of or team.id in t.mentor_of
            or team.id in t.city_teams)


def create_in(actor: Any, team: Team) -> bool:
    return team.id in ties(actor).member_of and _open(team.cohort)


def edit_template(actor: Any, cohort: Cohort) -> bool:
    """The secretariat shapes the template of each cohort."""
    return is_admin(actor)


def view_template(actor: Any, cohort: Cohort) -> bool:
    return staff_for(actor, cohort.id)


def list_templates(actor: Any) -> bool:
    return is_admin(actor)
