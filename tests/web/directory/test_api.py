"""The JSON API against its OpenAPI 3.1 description: every response validates against the documented schema."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from referencing import Registry, Resource

from core.extensions import db

SPEC = json.loads((Path(__file__).resolve().parents[3] / "directory" / "openapi.json").read_text())


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    registry = Registry().with_resource("urn:renkei-openapi", Resource.from_contents(
        {**SPEC, "$schema": "https://json-schema.org/draft/2020-12/schema"}))
    rebased = json.loads(json.dumps(schema).replace('"#/components', '"urn:renkei-openapi#/components'))
    return Draft202012Validator(rebased, registry=registry)


def _check(path: str, method: str, status: int, body: Any) -> None:
    operation = SPEC["paths"][path][method]
    response = operation["responses"][str(status)]
    schema = response["content"]["application/json"]["schema"]
    errors = sorted(_validator(schema).iter_errors(body), key=str)
    assert errors == [], [e.message for e in errors]


def test_the_document_is_valid_openapi_31(client) -> None:
    validate_spec(SPEC)
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200 and served.json == SPEC and served.json["openapi"].startswith("3.1")


QUERIES = ["", "さとう", "sato", "satoh", "Satō", "髙橋", "高橋", "ｻﾄｳ", "防災", "藤", "存在しない", "%", "a_b"]


@pytest.mark.parametrize("q", QUERIES)
def test_search_responses_match_the_schema(client, people, q: str) -> None:
    r = client.get("/api/v1/people", query_string={"q": q}, headers={"Authorization": f"Bearer {people['token']}"})
    assert r.status_code == 200 and r.is_json
    _check("/people", "get", 200, r.json)


def test_search_finds_by_any_script_and_pages(client, people) -> None:
    auth = {"Authorization": f"Bearer {people['token']}"}
    body = client.get("/api/v1/people?q=satou", headers=auth).json
    assert [p["name"] for p in body["items"]] == ["佐藤 花子"] and body["total"] == 1 and body["capped"] is False
    page = client.get("/api/v1/people?per_page=2&page=2", headers=auth).json
    assert page["page"] == 2 and page["per_page"] == 2 and page["total"] == 4 and len(page["items"]) == 2
    _check("/people", "get", 200, page)


def test_person_detail_matches_the_schema(client, people) -> None:
    auth = {"Authorization": f"Bearer {people['token']}"}
    r = client.get(f"/api/v1/people/{people['sato']}", headers=auth)
    assert r.status_code == 200
    _check("/people/{id}", "get", 200, r.json)
    assert r.json["department"] == "危機管理部 防災課" and r.json["cohorts"][0]["fiscal_year"] == 2023


@pytest.mark.parametrize(("url", "status"), [
    ("/api/v1/people?page=0", 400), ("/api/v1/people?per_page=1000", 400), ("/api/v1/people?city=x", 400),
    ("/api/v1/people?role=king", 400), ("/api/v1/people/999999", 404)])
def test_errors_match_the_schema(client, people, url: str, status: int) -> None:
    r = client.get(url, headers={"Authorization": f"Bearer {people['token']}"})
    assert r.status_code == status and r.is_json
    path = "/people/{id}" if url.startswith("/api/v1/people/") else "/people"
    _check(path, "get", status, r.json)


@pytest.mark.parametrize("header", [None, "Bearer rk_not-a-real-token", "Basic abc", "Bearer "])
def test_without_a_valid_token_the_answer_is_401(client, people, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    r = client.get("/api/v1/people", headers=headers)
    assert r.status_code == 401
    _check("/people", "get", 401, r.json)


def test_revoked_token_and_closed_account_are_refused(app, client, people) -> None:
    from sqlalchemy import select

    from directory.models import ApiToken
    from people.models import User

    with app.app_context():
        revoked = db.session.scalar(select(ApiToken).where(ApiToken.revoked_at.is_not(None)))
        assert revoked is not None
        db.session.get(User, people["viewer"]).is_active = False
        db.session.commit()
    assert client.get("/api/v1/people", headers={"Authorization": f"Bearer {people['token']}"}).status_code == 401


def test_session_works_too_and_token_use_is_recorded(app, login, people) -> None:
    from sqlalchemy import select

    from directory.models import ApiToken
    from people.models import User

    with app.app_context():
        viewer = db.session.get(User, people["viewer"])
        client = login(viewer)
    assert client.get("/api/v1/people?q=かとう").json["total"] == 1
    anonymous = app.test_client()
    anonymous.get("/api/v1/people", headers={"Authorization": f"Bearer {people['token']}"})
    with app.app_context():
        token = db.session.scalar(select(ApiToken).where(ApiToken.name == "スクリプト"))
        assert token.last_used_at is not None and token.token_hash != people["token"]
