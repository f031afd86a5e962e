"""Who may see and change notifications. Deny by default."""
from __future__ import annotations

from typing import Any

from notify.models import Notification
from people import policy as people_policy
from people.models import User


def _user(actor: Any) -> User | None:
    return actor if isinstance(actor, User) and actor.is_active else None


def view_own(actor: Any) -> bool:
    """Everyone signed in has their own list and preferences."""
    return _user(actor) is not None


def read(actor: Any, notification: Notification) -> bool:
    """Only the person a notification was for may open it or mark it read."""
    user = _user(actor)
    return bool(user and notification.user_id == user.id)


def view_jobs(actor: Any) -> bool:
    """The secretariat watches the scheduler and failed e-mails."""
    return people_policy.is_admin(actor)


def retry_delivery(actor: Any) -> bool:
    return people_policy.is_admin(actor)
