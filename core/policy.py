"""The permission vocabulary shared by views and templates.

Each area keeps its predicates in its own ``policy.py`` and registers the module here under its
name, so a template asks ``can.people.invite(current_user, role)`` exactly as the view does.
"""
from __future__ import annotations

from types import ModuleType, SimpleNamespace

from flask import Flask

can = SimpleNamespace()


def register(app: Flask, area: str, module: ModuleType) -> None:
    setattr(can, area, module)
    app.jinja_env.globals["can"] = can
