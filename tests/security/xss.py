"""Where user-written text is stored and shown: each area lists its targets in tests/web/<area>/xss.py.

A target plants payloads through the real services (in an app context) and returns who looks and
which pages show the text; tests/browser/test_xss.py opens each page in Chromium with traps set.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Planted:
    viewer: Any  # a User who may see the pages
    paths: Sequence[str]


@dataclass(frozen=True)
class XssTarget:
    """``plant(payloads)`` stores every payload (one record each, or several per long field) and says
    who looks at which pages."""

    name: str  # e.g. "people: account name"
    plant: Callable[[list[str]], Planted]


def packed(payloads: list[str], limit: int) -> list[str]:
    """Join payloads (newline-separated) into as few strings of at most ``limit`` characters as possible."""
    out: list[str] = []
    current = ""
    for p in payloads:
        p = p[:limit]
        if current and len(current) + 1 + len(p) > limit:
            out.append(current)
            current = p
        else:
            current = f"{current}\n{p}" if current else p
    if current:
        out.append(current)
    return out
