"""The route × role authorization matrix.

Each area declares, in ``tests/web/<area>/access.py``, a ``RULES`` list: one ``Rule`` per route
(endpoint), with the roles allowed to use it. ``tests/web/test_access_matrix.py`` walks the app's
URL map, fails for any endpoint without a rule, and checks every rule against every role below:
allowed roles must get through, all others must be refused (401/403/404, or a redirect to sign-in
for the anonymous visitor).

An area that needs objects in the world (a cohort, a team page …) adds a ``build(world)`` function
to its access module; builders run in the order of their module's ``ORDER`` constant.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

ANONYMOUS = "anonymous"
ADMIN = "admin"
FACILITATOR = "facilitator"  # facilitator of cohort A (the world's current cohort)
FACILITATOR_OTHER = "facilitator_other"  # facilitator of another cohort only
COORDINATOR = "coordinator"  # coordinator of Yokohama
COORDINATOR_OTHER = "coordinator_other"  # coordinator of Kawasaki
PARTICIPANT = "participant"  # participant of cohort A, Yokohama, team 1
PARTICIPANT_OTHER = "participant_other"  # participant of cohort A, Kawasaki, team 2
ALUMNUS = "alumnus"  # alumnus of an earlier cohort (Fujisawa)

ROLES = (ANONYMOUS, ADMIN, FACILITATOR, FACILITATOR_OTHER, COORDINATOR, COORDINATOR_OTHER, PARTICIPANT,
         PARTICIPANT_OTHER, ALUMNUS)
SIGNED_IN = frozenset(ROLES) - {ANONYMOUS}
EVERYONE = frozenset(ROLES)
NOBODY: frozenset[str] = frozenset()
STAFF = frozenset({ADMIN, FACILITATOR})


class World(SimpleNamespace):
    """The people and objects every rule's path can refer to (``world.users[PARTICIPANT]`` …)."""

    users: dict[str, Any]


PathSpec = str | Callable[[World], str]


@dataclass(frozen=True)
class Rule:
    endpoint: str
    path: PathSpec
    allow: frozenset[str]
    method: str = "GET"
    data: dict[str, Any] | Callable[[World], dict[str, Any]] | None = None
    ok: frozenset[int] = field(default_factory=lambda: frozenset({200}))
    note: str = ""

    def url(self, world: World) -> str:
        return self.path(world) if callable(self.path) else self.path

    def form(self, world: World) -> dict[str, Any]:
        if callable(self.data):
            return self.data(world)
        return dict(self.data or {})


DENIED = frozenset({401, 403, 404})
POST_OK = frozenset({200, 201, 204, 302, 303, 400, 409, 422})
