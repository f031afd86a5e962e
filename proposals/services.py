"""The proposal lifecycle: create, tag, submit (snapshot), revise, finalise, present, decide, follow up.

Plain functions: a session, plain values, keyword ``actor`` and ``now``. They flush, never commit.
Each step of the lifecycle is recorded (``ProposalStep``: when, by whom, which snapshot) and told
to the team through a ``proposal.status`` event.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import nh3
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import search, searchindex, text
from core.dates import fiscal_year_label
from core.errors import ConflictError, DomainError
from core.events import Event, publish
from curriculum.models import CohortFacilitator, CohortStatus, Team, TeamMember
from people.models import City, User
from proposals.models import (FollowUp, Proposal, ProposalCity, ProposalSnapshot, ProposalStep, SnapshotSection,
                              TemplateSection)
from proposals.vocab import (DIRECTION_JA, EDITABLE, FIELD_JA, OUTCOMES, PUBLISHED, STATUS_JA, Direction,
                             PolicyField, ProposalStatus, SnapshotKind)


class Incomplete(DomainError):
    """Submitting refused: these sections are empty and these tags are missing."""

    def __init__(self, sections: Sequence[TemplateSection], tags: Sequence[str]) -> None:
        super().__init__("incomplete")
        self.sections = list(sections)
        self.tags = list(tags)


@dataclass(frozen=True)
class SectionText:
    """What a snapshot copies from one section (built from ``sections.SectionState``)."""

    spec: TemplateSection
    text: str
    revision_id: int | None


# --- creating and tagging ---------------------------------------------------------------------

def create_proposal(session: Session, team: Team, *, actor: User, now: datetime) -> Proposal:
    if team.cohort.status is CohortStatus.CLOSED:
        raise DomainError("cohort_closed")
    proposal = Proposal(team_id=team.id, cohort_id=team.cohort_id, created_by_id=actor.id,
                        status=ProposalStatus.DRAFT, created_at=now, updated_at=now)
    session.add(proposal)
    session.flush()
    # The team's cities are the natural first guess for the participating cities.
    city_ids = sorted(set(session.scalars(
        select(User.city_id).join(TeamMember, TeamMember.user_id == User.id)
        .where(TeamMember.team_id == team.id, User.city_id.is_not(None)))))
    for city_id in city_ids:
        proposal.cities.append(ProposalCity(city_id=city_id))
    _step(session, proposal, None, ProposalStatus.DRAFT, actor=actor, now=now, notify=False)
    session.flush()
    return proposal


def _check_version(proposal: Proposal, version: int | None) -> None:
    if version is not None and version != proposal.version:
        raise ConflictError("stale")


def update_tags(session: Session, proposal: Proposal, *, city_ids: Iterable[int], policy_field: PolicyField | None,
                directions: Iterable[Direction], version: int | None, actor: User, now: datetime) -> None:
    """Participating cities, policy field and directions (the form's version guards a stale page)."""
    if proposal.status not in EDITABLE:
        raise DomainError("not_editable")
    _check_version(proposal, version)
    wanted = set(city_ids)
    known = set(session.scalars(select(City.id).where(City.id.in_(wanted)))) if wanted else set()
    if wanted - known:
        raise DomainError("unknown_city", field="cities")
    for pc in list(proposal.cities):
        if pc.city_id not in wanted:
            proposal.cities.remove(pc)
    have = {pc.city_id for pc in proposal.cities}
    for city_id in sorted(wanted - have):
        proposal.cities.append(ProposalCity(city_id=city_id))
    chosen = set(directions)
    proposal.policy_field = policy_field
    proposal.dir_threats = Direction.THREATS in chosen
    proposal.dir_opportunities = Direction.OPPORTUNITIES in chosen
    proposal.dir_resources = Direction.RESOURCES in chosen
    proposal.version += 1
    proposal.updated_at = now
    session.flush()


# --- snapshots --------------------------------------------------------------------------------

def missing(proposal: Proposal, texts: Sequence[SectionText]) -> tuple[list[TemplateSection], list[str]]:
    """Required sections still empty, and missing tags ("cities", "policy_field", "directions")."""
    empty = [t.spec for t in texts if t.spec.required and t.spec.retired_at is None and not t.text.strip()]
    tags = []
    if not proposal.cities:
        tags.append("cities")
    if proposal.policy_field is None:
        tags.append("policy_field")
    if not proposal.directions:
        tags.append("directions")
    return empty, tags


def _same_as(snapshot: ProposalSnapshot, proposal: Proposal, texts: Sequence[SectionText]) -> bool:
    mine = {t.spec.key: t.text for t in texts if t.text.strip()}
    theirs = {s.section_key: s.text for s in snapshot.sections if s.text.strip()}
    return (mine == theirs and snapshot.policy_field == proposal.policy_field
            and sorted(snapshot.directions) == sorted(d.value for d in proposal.directions)
            and sorted(snapshot.city_ids) == sorted(pc.city_id for pc in proposal.cities))


def _snapshot(session: Session, proposal: Proposal, texts: Sequence[SectionText], kind: SnapshotKind, *,
              expected: int, actor: User | None, now: datetime) -> ProposalSnapshot:
    """Copy the live sections into snapshot number ``expected + 1`` (unique per proposal)."""
    if len(proposal.snapshots) != expected:
        raise ConflictError("already_submitted")
    snapshot = ProposalSnapshot(
        proposal_id=proposal.id, number=expected + 1, kind=kind, created_at=now,
        created_by_id=actor.id if actor else None, title=proposal.title, policy_field=proposal.policy_field,
        directions=[d.value for d in proposal.directions], city_ids=sorted(pc.city_id for pc in proposal.cities))
    for t in texts:
        if t.spec.retired_at is not None and not t.text.strip():
            continue
        snapshot.sections.append(SnapshotSection(section_key=t.spec.key, position=t.spec.position,
                                                 heading=t.spec.heading, text=t.text, revision_id=t.revision_id))
    try:
        with session.begin_nested():
            session.add(snapshot)
            session.flush()
    except IntegrityError as error:  # the same submit, twice at the same moment: one snapshot wins
        raise ConflictError("already_submitted") from error
    session.refresh(proposal, ["snapshots"])
    proposal.search_key = search_key(snapshot, proposal)
    return snapshot


def search_key(snapshot: ProposalSnapshot, proposal: Proposal) -> str:
    """What the archive search matches: title, sections, cities, field, directions, year, outcome."""
    parts = [snapshot.title, *(s.text for s in snapshot.sections if s.section_key != "title")]
    parts += [pc.city.name_ja for pc in proposal.cities] + [pc.city.name_en for pc in proposal.cities]
    if snapshot.policy_field is not None:
        parts.append(FIELD_JA[snapshot.policy_field])
    parts += [DIRECTION_JA[Direction(d)] for d in snapshot.directions]
    parts.append(STATUS_JA[proposal.status])
    return search.normalize(" ".join(parts))


def _plain(markdown: str) -> str:
    """Markdown as plain text (for the search index, which shows excerpts)."""
    return " ".join(nh3.clean(text.render(markdown).html, tags=set()).split())


def index_for_search(session: Session, proposal: Proposal) -> None:
    """Put the latest snapshot in the site-wide search: for everyone once finished, else for the team."""
    snapshot = proposal.latest_snapshot
    if snapshot is None:
        searchindex.remove_document(session, "proposal", proposal.id)
        return
    tags = [pc.city.name_ja for pc in proposal.cities]
    if snapshot.policy_field is not None:
        tags.append(FIELD_JA[snapshot.policy_field])
    tags += [DIRECTION_JA[Direction(d)] for d in snapshot.directions]
    tags += [fiscal_year_label(proposal.cohort.fiscal_year), STATUS_JA[proposal.status], proposal.team.name]
    body = " ".join([" ".join(tags), *(_plain(s.text) for s in snapshot.sections if s.section_key != "title")])
    published = proposal.status in PUBLISHED
    searchindex.index_document(session, kind="proposal", ref_id=proposal.id, title=snapshot.title, body=body,
                               url=f"/proposals/{proposal.id}", scope_type="public" if published else "team",
                               scope_id=None if published else proposal.team_id, updated_at=snapshot.created_at)


def submit(session: Session, proposal: Proposal, texts: Sequence[SectionText], *, expected: int, actor: User,
           now: datetime) -> ProposalSnapshot:
    """提出: draft → submitted (or a corrected 提出版 before any review started)."""
    if proposal.status not in (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED):
        raise DomainError("wrong_status")
    return _hand_in(session, proposal, texts, SnapshotKind.SUBMITTED, ProposalStatus.SUBMITTED, expected=expected,
                    actor=actor, now=now)


def submit_revision(session: Session, proposal: Proposal, texts: Sequence[SectionText], *, expected: int,
                    actor: User, now: datetime, released: bool) -> ProposalSnapshot:
    """修正版: after the reviews were released, in review → revised (again while revised)."""
    if proposal.status not in (ProposalStatus.IN_REVIEW, ProposalStatus.REVISED):
        raise DomainError("wrong_status")
    if proposal.status is ProposalStatus.IN_REVIEW and not released:
        raise DomainError("reviews_not_released")
    return _hand_in(session, proposal, texts, SnapshotKind.REVISED, ProposalStatus.REVISED, expected=expected,
                    actor=actor, now=now)


def finalize(session: Session, proposal: Proposal, texts: Sequence[SectionText], *, expected: int, actor: User,
             now: datetime, released: bool) -> ProposalSnapshot:
    """最終版: the version that goes to the meeting. Made from the live text (a new snapshot)."""
    if proposal.status not in (ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW, ProposalStatus.REVISED):
        raise DomainError("wrong_status")
    if proposal.status is ProposalStatus.IN_REVIEW and not released:
        raise DomainError("reviews_not_released")
    empty, tags = missing(proposal, texts)
    if empty or tags:
        raise Incomplete(empty, tags)
    snapshot = _snapshot(session, proposal, texts, SnapshotKind.FINAL, expected=expected, actor=actor, now=now)
    _step(session, proposal, proposal.status, ProposalStatus.FINAL, actor=actor, now=now, snapshot=snapshot)
    proposal.search_key = search_key(snapshot, proposal)
    index_for_search(session, proposal)
    return snapshot


def _hand_in(session: Session, proposal: Proposal, texts: Sequence[SectionText], kind: SnapshotKind,
             to: ProposalStatus, *, expected: int, actor: User, now: datetime) -> ProposalSnapshot:
    empty, tags = missing(proposal, texts)
    if empty or tags:
        raise Incomplete(empty, tags)
    latest = proposal.latest_snapshot
    if len(proposal.snapshots) != expected:
        raise ConflictError("already_submitted")
    if latest is not None and latest.kind is kind and _same_as(latest, proposal, texts):
        raise DomainError("no_changes")
    snapshot = _snapshot(session, proposal, texts, kind, expected=expected, actor=actor, now=now)
    _step(session, proposal, proposal.status, to, actor=actor, now=now, snapshot=snapshot)
    index_for_search(session, proposal)
    return snapshot


def withdraw(session: Session, proposal: Proposal, *, in_round: bool, actor: User, now: datetime) -> None:
    """取り下げ: back to draft before any review round took the snapshot."""
    if proposal.status is not ProposalStatus.SUBMITTED:
        raise DomainError("wrong_status")
    if in_round:
        raise DomainError("in_round")
    _step(session, proposal, proposal.status, ProposalStatus.DRAFT, actor=actor, now=now)
    index_for_search(session, proposal)


def start_review(session: Session, proposal: Proposal, snapshot: ProposalSnapshot, *, actor: User | None,
                 now: datetime) -> None:
    """A review round took this snapshot: submitted/revised → in review."""
    if proposal.status in (ProposalStatus.SUBMITTED, ProposalStatus.REVISED):
        _step(session, proposal, proposal.status, ProposalStatus.IN_REVIEW, actor=actor, now=now, snapshot=snapshot)


# --- after the final version --------------------------------------------------------------------

def record_presentation(session: Session, proposal: Proposal, *, on: date, meeting: str, note: str, actor: User,
                        now: datetime) -> None:
    if proposal.status is not ProposalStatus.FINAL:
        raise DomainError("wrong_status")
    proposal.presented_on = on
    proposal.presented_to = meeting
    _step(session, proposal, proposal.status, ProposalStatus.PRESENTED, actor=actor, now=now, note=note.strip(),
          snapshot=proposal.latest_snapshot)
    latest = proposal.latest_snapshot
    if latest is not None:  # the archive search matches the outcome: 発表済み, no longer 最終版
        proposal.search_key = search_key(latest, proposal)
    index_for_search(session, proposal)


def record_decision(session: Session, proposal: Proposal, *, adopted: bool, note: str, actor: User,
                    now: datetime) -> None:
    """検討テーマとして採択 (or not). A decision can be corrected; each one is a dated step."""
    if proposal.status not in (ProposalStatus.PRESENTED, *OUTCOMES):
        raise DomainError("wrong_status")
    target = ProposalStatus.ADOPTED if adopted else ProposalStatus.NOT_ADOPTED
    proposal.decision_note = note.strip()
    proposal.decided_at = now
    _step(session, proposal, proposal.status, target, actor=actor, now=now, note=note.strip())
    latest = proposal.latest_snapshot
    if latest is not None:
        proposal.search_key = search_key(latest, proposal)
    index_for_search(session, proposal)


def add_follow_up(session: Session, proposal: Proposal, *, text: str, noted_on: date, actor: User,
                  now: datetime) -> FollowUp:
    if proposal.status not in (ProposalStatus.PRESENTED, *OUTCOMES):
        raise DomainError("wrong_status")
    if not text.strip():
        raise DomainError("empty", field="text")
    note = FollowUp(proposal_id=proposal.id, author_id=actor.id, noted_on=noted_on, text=text.strip(),
                    created_at=now)
    session.add(note)
    session.flush()
    return note


# --- steps and events -------------------------------------------------------------------------

def _step(session: Session, proposal: Proposal, from_status: ProposalStatus | None, to: ProposalStatus, *,
          actor: User | None, now: datetime, note: str = "", snapshot: ProposalSnapshot | None = None,
          notify: bool = True) -> ProposalStep:
    step = ProposalStep(proposal_id=proposal.id, from_status=from_status, to_status=to, at=now,
                        by_id=actor.id if actor else None, note=note, snapshot_id=snapshot.id if snapshot else None)
    session.add(step)
    proposal.status = to
    proposal.version += 1
    proposal.updated_at = now
    session.flush()
    if notify:
        publish(session, Event(
            kind="proposal.status", recipient_ids=tuple(sorted(_audience(session, proposal) - {getattr(actor, "id", 0)})),
            target_type="proposal", target_id=proposal.id, url=f"/proposals/{proposal.id}",
            params={"title": proposal.title, "status": to.value, "status_ja": STATUS_JA[to],
                    "team": proposal.team.name},
            actor_id=actor.id if actor else None))
    return step


def _audience(session: Session, proposal: Proposal) -> set[int]:
    """Who hears of a status change: the team, its mentor, the cohort's facilitators."""
    ids = set(session.scalars(select(TeamMember.user_id).where(TeamMember.team_id == proposal.team_id)))
    ids |= set(session.scalars(select(CohortFacilitator.user_id)
                               .where(CohortFacilitator.cohort_id == proposal.cohort_id)))
    if proposal.team.mentor_id:
        ids.add(proposal.team.mentor_id)
    return ids


def snapshot_count(session: Session, proposal_id: int) -> int:
    return int(session.scalar(select(func.count(ProposalSnapshot.id))
                              .where(ProposalSnapshot.proposal_id == proposal_id)) or 0)
