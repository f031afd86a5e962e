"""Deny by default, proven: every route × every role, generated from the URL map."""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

import tests.web
from tests import factories
from tests.access import (ADMIN, ALUMNUS, ANONYMOUS, COORDINATOR, COORDINATOR_OTHER, DENIED, FACILITATOR,
                          FACILITATOR_OTHER, PARTICIPANT, PARTICIPANT_OTHER, ROLES, Rule, World)
from tests.conftest import sign_in


def _access_modules() -> list[Any]:
    mods = []
    base = Path(tests.web.__file__).parent
    for info in pkgutil.iter_modules([str(base)]):
        if info.ispkg and (base / info.name / "access.py").exists():
            mods.append(importlib.import_module(f"tests.web.{info.name}.access"))
    return sorted(mods, key=lambda m: getattr(m, "ORDER", 100))


MODULES = _access_modules()
ALL_RULES: list[Rule] = [rule for mod in MODULES for rule in mod.RULES]


def build_world() -> World:
    from people.models import Role

    world = World(users={})
    world.users[ADMIN] = factories.admin(name="管理 一郎")
    world.users[FACILITATOR] = factories.facilitator(name="進行 二郎")
    world.users[FACILITATOR_OTHER] = factories.facilitator(name="別期 三郎")
    world.users[COORDINATOR] = factories.coordinator(factories.YOKOHAMA, name="横浜 担当")
    world.users[COORDINATOR_OTHER] = factories.coordinator(factories.KAWASAKI, name="川崎 担当")
    world.users[PARTICIPANT] = factories.participant(factories.YOKOHAMA, name="参加 横子")
    world.users[PARTICIPANT_OTHER] = factories.participant(factories.KAWASAKI, name="参加 川子")
    world.users[ALUMNUS] = factories.user(Role.ALUMNUS, city_code=factories.FUJISAWA, name="修了 藤夫")
    for mod in MODULES:
        if hasattr(mod, "build"):
            mod.build(world)
    return world


def test_every_route_has_a_rule(app: Flask) -> None:
    covered = {(r.endpoint, r.method) for r in ALL_RULES}
    missing = []
    for url_rule in app.url_map.iter_rules():
        if url_rule.endpoint == "static":
            continue
        for method in sorted((url_rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if (url_rule.endpoint, method) not in covered:
                missing.append(f"{method} {url_rule.rule} ({url_rule.endpoint})")
    assert not missing, "routes without an access rule in tests/web/<area>/access.py:\n" + "\n".join(missing)


def test_rules_name_real_endpoints(app: Flask) -> None:
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    unknown = [r.endpoint for r in ALL_RULES if r.endpoint not in endpoints]
    assert not unknown


@pytest.mark.parametrize("rule", ALL_RULES, ids=[f"{r.method} {r.endpoint}" for r in ALL_RULES])
def test_route_allows_exactly_its_roles(app: Flask, rule: Rule) -> None:
    with app.app_context():
        world = build_world()
        users = {role: world.users.get(role) for role in ROLES}
        url = rule.url(world)
        data = rule.form(world)
    failures = []
    for role in ROLES:
        client = app.test_client()
        if role != ANONYMOUS:
            sign_in(client, users[role])
        response = client.open(url, method=rule.method, data=data)
        status = response.status_code
        if role in rule.allow:
            if status not in rule.ok:
                failures.append(f"{role}: expected {sorted(rule.ok)}, got {status}")
        else:
            refused = status in DENIED or (role == ANONYMOUS and status == 302
                                           and "/login" in response.headers.get("Location", ""))
            if not refused:
                failures.append(f"{role}: should be refused, got {status}")
    assert not failures, f"{rule.method} {url}:\n" + "\n".join(failures)
