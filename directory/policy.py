"""Who may do what in the directory. Deny by default; field visibility lives in ``directory.visibility``."""
from __future__ import annotations

from typing import Any

from people.models import Role, User


def _user(actor: Any) -> User | None:
    return actor if isinstance(actor, User) and actor.is_active and actor.anonymized_at is None else None


def is_admin(actor: Any) -> bool:
    user = _user(actor)
    return bool(user and user.has_role(Role.ADMIN))


def view_directory(actor: Any) -> bool:
    """The directory is for signed-in members only (every role)."""
    return _user(actor) is not None


def view_profile(actor: Any, person: User) -> bool:
    """A listed person (active, not anonymised); the secretariat also sees closed accounts."""
    if _user(actor) is None:
        return False
    if person.anonymized_at is not None or not person.is_active:
        return is_admin(actor)
    return True


def edit_own_profile(actor: Any) -> bool:
    return _user(actor) is not None


def view_statistics(actor: Any) -> bool:
    """Counts per city and year only (no field a person could hide): every member."""
    return _user(actor) is not None


def manage_directory(actor: Any) -> bool:
    """Import, export, erasure requests, anonymisation: the secretariat."""
    return is_admin(actor)


def view_unconfirmed(actor: Any) -> bool:
    """Who has not confirmed their affiliation this year: the secretariat and city coordinators."""
    user = _user(actor)
    return bool(user and (user.has_role(Role.ADMIN) or user.coordinator_city_ids()))


def unconfirmed_city_ids(actor: Any) -> frozenset[int] | None:
    """The cities whose list the actor may see; None means every city (the secretariat)."""
    user = _user(actor)
    if user is None:
        return frozenset()
    if user.has_role(Role.ADMIN):
        return None
    return user.coordinator_city_ids()


def anonymize(actor: Any, person: User) -> bool:
    return is_admin(actor) and person.anonymized_at is None and person.id != actor.id


def asked_to_confirm(actor: Any) -> bool:
    """Alumni are asked each April to confirm their department and position."""
    user = _user(actor)
    return bool(user and user.has_role(Role.ALUMNUS))
