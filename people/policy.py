"""Who may do what with accounts, cities and invitations. Deny by default."""
from __future__ import annotations

from typing import Any

from people.models import City, Role, User


def _user(actor: Any) -> User | None:
    return actor if isinstance(actor, User) and actor.is_active else None


def is_admin(actor: Any) -> bool:
    user = _user(actor)
    return bool(user and user.has_role(Role.ADMIN))


def is_staff(actor: Any) -> bool:
    """Secretariat or facilitator: runs the programme."""
    user = _user(actor)
    return bool(user and user.has_role(Role.ADMIN, Role.FACILITATOR))


def manage_cities(actor: Any) -> bool:
    return is_admin(actor)


def view_admin(actor: Any) -> bool:
    return is_admin(actor)


def invitable_roles(actor: Any) -> list[Role]:
    """The roles this person may invite others to."""
    user = _user(actor)
    if user is None:
        return []
    if user.has_role(Role.ADMIN):
        return list(Role)
    if user.has_role(Role.COORDINATOR):
        return [Role.PARTICIPANT]
    return []


def invite_any(actor: Any) -> bool:
    return bool(invitable_roles(actor))


def invite(actor: Any, role: Role, city: City | None) -> bool:
    """Admins invite anyone; a coordinator invites participants of their own city only."""
    user = _user(actor)
    if user is None or role not in invitable_roles(user):
        return False
    if user.has_role(Role.ADMIN):
        return True
    return city is not None and city.id in user.coordinator_city_ids()


def view_audit(actor: Any) -> bool:
    return is_admin(actor)
