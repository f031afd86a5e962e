"""Home-page panels: each area contributes what matters now for a person, without home importing it.

An area calls ``register(app, provider)`` in its ``init_app``; a provider takes the signed-in user
and returns a list of ``Panel`` (possibly empty). Lower numbers of ``order`` come first.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask


@dataclass(frozen=True)
class Panel:
    template: str  # rendered with ``panel`` and ``context`` in scope
    order: int = 100
    context: dict[str, Any] = field(default_factory=dict)


Provider = Callable[[Any], list[Panel]]


def register(app: Flask, provider: Provider) -> None:
    app.extensions.setdefault("renkei_panels", []).append(provider)


def panels_for(app: Flask, user: Any) -> list[Panel]:
    found: list[Panel] = []
    for provider in app.extensions.get("renkei_panels", []):
        found.extend(provider(user))
    return sorted(found, key=lambda p: p.order)
