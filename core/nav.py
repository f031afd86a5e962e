"""Navigation entries contributed by each area, shown per role in the base layout.

An entry appears only when its ``visible`` predicate (a policy function) allows it, so the menu
and the route ask the same question.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from flask_babel import LazyString


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: LazyString | str
    visible: Callable[[Any], bool]
    order: int = 100
    section: str = "main"  # "main" (top bar) or "admin" (secretariat menu)
    match: str = ""  # URL prefix that marks the item as current; defaults to the endpoint's URL


def register(app: Flask, *items: NavItem) -> None:
    app.extensions.setdefault("renkei_nav", []).extend(items)


def nav_items(user: Any, section: str = "main") -> list[NavItem]:
    items = [i for i in current_app.extensions.get("renkei_nav", []) if i.section == section and i.visible(user)]
    return sorted(items, key=lambda i: i.order)


def register_stylesheet(app: Flask, filename: str) -> None:
    """An area's stylesheet under static/ (e.g. "css/wiki.css"), linked from every page after app.css."""
    app.extensions.setdefault("renkei_css", []).append(filename)


def stylesheets() -> list[str]:
    return list(current_app.extensions.get("renkei_css", []))


def init_app(app: Flask) -> None:
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["area_stylesheets"] = stylesheets
