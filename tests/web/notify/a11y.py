"""Notification pages checked by axe-core (tests/browser/test_accessibility.py)."""
from __future__ import annotations

from tests.access import ADMIN, ANONYMOUS, PARTICIPANT

PAGES = [
    (PARTICIPANT, "/notifications"),
    (PARTICIPANT, "/notifications/preferences"),
    (ADMIN, "/admin/jobs"),
    (ANONYMOUS, lambda world: f"/unsubscribe/{world.unsubscribe_token}"),
]
