"""What a viewer is shown of people: one builder for the pages, the API and the export to others.

Hidden fields are dropped here, before any template or JSON sees them, so no page can leak them by
accident.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from curriculum.models import Cohort, Enrolment, EnrolmentStatus, Team, TeamMember
from directory import contributions as contrib
from directory.models import PRIVATE_FIELDS, Affiliation, Profile, ProfileTag, TagKind
from directory.services import current_affiliation
from directory.visibility import Viewer, levels
from people.models import User


@dataclass(frozen=True)
class CohortPlace:
    fiscal_year: int
    status: EnrolmentStatus
    city_id: int
    team: str = ""


@dataclass
class PersonCard:
    user: User
    profile: Profile
    shown: frozenset[str]
    current: Affiliation | None = None
    history: list[Affiliation] = field(default_factory=list)  # newest first, incl. the current one
    interests: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    cohorts: list[CohortPlace] = field(default_factory=list)
    contributions: list[contrib.Contribution] = field(default_factory=list)

    def shows(self, name: str) -> bool:
        return name in self.shown

    @property
    def department(self) -> str:
        return self.current.department if self.current and self.shows("department") else ""

    @property
    def position(self) -> str:
        return self.current.position if self.current and self.shows("position") else ""

    @property
    def bio(self) -> str:
        return self.profile.bio if self.shows("bio") else ""

    @property
    def contact(self) -> dict[str, str]:
        p = self.profile
        if not self.shows("contact"):
            return {}
        return {k: v for k, v in (("email", p.contact_email), ("phone", p.contact_phone),
                                  ("note", p.contact_note)) if v}

    @property
    def has_contact(self) -> bool:
        p = self.profile
        return self.shows("contact") and bool(p.contact_email or p.contact_phone or p.contact_note)

    def as_json(self, *, detail: bool = False) -> dict[str, Any]:
        """The API representation (docs: directory/openapi.json); hidden fields are absent."""
        u, p = self.user, self.profile
        out: dict[str, Any] = {
            "id": u.id, "name": u.name, "name_kana": u.name_kana, "romaji": p.romaji,
            "city": {"code": u.city.code, "name": u.city.name_ja, "name_en": u.city.name_en} if u.city else None,
            "cohorts": [{"fiscal_year": c.fiscal_year, "status": c.status.value, **({"team": c.team} if c.team else {})}
                        for c in self.cohorts],
            "welcomes_mentoring": p.welcomes_mentoring,
        }
        if self.shows("department"):
            out["department"] = self.current.department if self.current else ""
        if self.shows("position"):
            out["position"] = self.current.position if self.current else ""
        if self.shows("interests"):
            out["interests"] = self.interests
        if self.shows("skills"):
            out["skills"] = self.skills
        if detail:
            if self.shows("bio"):
                out["bio"] = p.bio
            if self.shows("contact"):
                out["contact"] = {"email": p.contact_email, "phone": p.contact_phone, "note": p.contact_note}
            if self.shows("department") and self.shows("position"):
                out["affiliations"] = [{"valid_from": a.valid_from.isoformat(), "department": a.department,
                                        "position": a.position} for a in self.history]
            out["contributions"] = [{"kind": c.kind, "title": c.title, "url": c.url, "fiscal_year": c.fiscal_year}
                                    for c in self.contributions]
        return out


def cards(session: Session, viewer: Viewer, user_ids: Sequence[int], *, today: date,
          providers: Sequence[contrib.Provider] = ()) -> list[PersonCard]:
    """Cards in the order of ``user_ids``, with only the fields ``viewer`` may see."""
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return []
    # One statement for people and profiles; role grants are not shown here, so not loaded.
    users: dict[int, User] = {}
    profiles: dict[int, Profile] = {}
    for u, p in session.execute(select(User, Profile).join(Profile, Profile.user_id == User.id)
                                .where(User.id.in_(ids)).options(lazyload(User.grants))):
        users[u.id], profiles[u.id] = u, p
    rel = levels(session, viewer, ids)
    affs: dict[int, list[Affiliation]] = defaultdict(list)
    for a in session.scalars(select(Affiliation).where(Affiliation.user_id.in_(ids))
                             .order_by(Affiliation.valid_from.desc(), Affiliation.id.desc())):
        affs[a.user_id].append(a)
    tags: dict[tuple[int, TagKind], list[str]] = defaultdict(list)
    for t in session.scalars(select(ProfileTag).where(ProfileTag.user_id.in_(ids))
                             .order_by(ProfileTag.position, ProfileTag.id)):
        tags[(t.user_id, t.kind)].append(t.label)
    teams = {(cohort_id, uid): name for cohort_id, uid, name in session.execute(
        select(TeamMember.cohort_id, TeamMember.user_id, Team.name).join(Team, Team.id == TeamMember.team_id)
        .where(TeamMember.user_id.in_(ids)))}
    places: dict[int, list[CohortPlace]] = defaultdict(list)
    for e, fy in session.execute(select(Enrolment, Cohort.fiscal_year).join(Cohort, Cohort.id == Enrolment.cohort_id)
                                 .where(Enrolment.user_id.in_(ids)).order_by(Cohort.fiscal_year)):
        places[e.user_id].append(CohortPlace(fy, e.status, e.city_id, teams.get((e.cohort_id, e.user_id), "")))
    found = contrib.collect(session, ids, providers) if providers else {}
    out = []
    for uid in ids:
        user, profile = users.get(uid), profiles.get(uid)
        if user is None or profile is None:
            continue
        allowed = rel.get(uid, frozenset())
        shown = frozenset(f for f in PRIVATE_FIELDS if profile.visibility(f) in allowed)
        history = affs[uid] if "department" in shown or "position" in shown else []
        out.append(PersonCard(
            user=user, profile=profile, shown=shown, current=current_affiliation(history, today) if history else None,
            history=history, interests=tags[(uid, TagKind.INTEREST)] if "interests" in shown else [],
            skills=tags[(uid, TagKind.SKILL)] if "skills" in shown else [], cohorts=places[uid],
            contributions=found.get(uid, [])))
    return out
