"""Synthetic data at national scale (`flask seed-scale`): each area registers what it generates.

``register_scale(app, name, hook, order=…)``; a hook gets a ``ScaleContext`` with the requested
sizes (``ctx.sizes["people"]``, ``["proposals"]``, ``["pages"]`` …), a seeded random source, a
``progress(label, total)`` factory for a progress bar, and ``made`` to share ids with later hooks.
Hooks use bulk inserts and commit in batches themselves (the data is throw-away benchmark data).
"""
from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

ProgressFactory = Callable[[str, int], AbstractContextManager[Any]]


@dataclass
class ScaleContext:
    session: Session
    rng: random.Random
    sizes: dict[str, int]
    progress: ProgressFactory
    made: dict[str, Any] = field(default_factory=dict)


ScaleHook = Callable[[ScaleContext], str]


def register_scale(app: Flask, name: str, hook: ScaleHook, *, order: int = 100, sizes: tuple[str, ...] = ()) -> None:
    """``sizes`` names the counts the hook consumes (so the command can say what nobody generates)."""
    app.extensions.setdefault("renkei_scale", []).append((order, name, hook, sizes))


def hooks(app: Flask) -> Iterator[tuple[str, ScaleHook, tuple[str, ...]]]:
    for _order, name, hook, sizes in sorted(app.extensions.get("renkei_scale", []), key=lambda t: t[0]):
        yield name, hook, sizes
