"""Directory test data: cohorts and enrolments, affiliations, profiles with visibility, tokens."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from core.extensions import db
from curriculum.models import Cohort, CohortStatus, Enrolment, EnrolmentStatus
from directory import services
from directory.models import Affiliation, Visibility
from people.models import User


def cohort(fiscal_year: int, status: CohortStatus = CohortStatus.CLOSED) -> Cohort:
    found = db.session.scalar(select(Cohort).where(Cohort.fiscal_year == fiscal_year))
    if found is not None:
        return found
    row = Cohort(fiscal_year=fiscal_year, title_ja=f"{fiscal_year}年度", title_en=f"FY{fiscal_year}", status=status,
                 starts_on=date(fiscal_year, 4, 1), ends_on=date(fiscal_year + 1, 3, 31))
    db.session.add(row)
    db.session.flush()
    return row


def enrol(user: User, fiscal_year: int, status: EnrolmentStatus = EnrolmentStatus.COMPLETED,
          commit: bool = True) -> Enrolment:
    row = Enrolment(cohort=cohort(fiscal_year), user_id=user.id, city_id=user.city_id, status=status)
    db.session.add(row)
    db.session.flush()
    if commit:
        db.session.commit()
    return row


def affiliation(user: User, department: str, position: str = "", valid_from: date = date(2025, 4, 1),
                commit: bool = True) -> Affiliation:
    row = Affiliation(user_id=user.id, city_id=user.city_id, department=department, position=position,
                      valid_from=valid_from)
    db.session.add(row)
    db.session.flush()
    services.reindex(db.session, user.id)
    if commit:
        db.session.commit()
    return row


def profile(user: User, *, interests: str = "", skills: str = "", bio: str = "", contact_email: str = "",
            romaji: str = "", hide: dict[str, Visibility] | None = None, commit: bool = True, **kw: Any):  # type: ignore[no-untyped-def]
    visibility = {f: Visibility.MEMBERS for f in ("department", "position", "interests", "skills", "bio", "contact")}
    visibility.update(hide or {})
    row = services.save_profile(db.session, user, services.ProfileInput(
        romaji=romaji, interests=interests, skills=skills, bio=bio, contact_email=contact_email,
        visibility=visibility, **kw))
    if commit:
        db.session.commit()
    return row
