"""Property-based fuzzing of the JSON API: whatever query string a script sends, never a 500, and every
answer is one the OpenAPI document lists for that path, with a body that matches its schema.

Query strings are built as raw bytes so they can carry what a browser never sends: invalid UTF-8,
encoded lone surrogates, NUL, very long values, repeated keys, wrong types, unknown names. Requests
come with a bearer token or a signed-in session (tests/web/directory/test_api.py has the fixed cases).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote_from_bytes

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import sign_in
from tests.web.directory.test_api import SPEC, _check

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
PARAMS = [p["name"] for p in SPEC["paths"]["/people"]["get"]["parameters"]]

_surrogates = st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=3)
_text = st.one_of(
    st.text(max_size=30),
    st.text(st.characters(codec="utf-8"), min_size=90, max_size=400),
    st.sampled_from(["さとう", "Satō", "髙橋", "ｻﾄｳ", "%", "_", "\\", "'", "\x00", "a\x00b", "\u202e", "🙂" * 60]),
    st.text(max_size=5).map(lambda s: s + "\x00"),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["0", "1", "100", "101", "500", "501", "2200", "2201", "-1", "", " 1", "1e3", "０", "١"]),
)
# bytes: UTF-8 of the text above, or of lone surrogates (surrogatepass), or anything at all
_value = st.one_of(
    _text.map(lambda s: s.encode("utf-8", "surrogatepass")),
    _surrogates.map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.binary(max_size=40),
    st.just(b"x" * 5000).map(lambda b: b),  # far past every maxLength
)
_name = st.one_of(st.sampled_from(PARAMS), st.sampled_from(PARAMS), st.text(max_size=8)).map(str.encode)
_query = st.lists(st.tuples(_name, _value), max_size=6).map(
    lambda pairs: "&".join(f"{quote_from_bytes(k)}={quote_from_bytes(v)}" for k, v in pairs))


def _auth(app, client, people: dict[str, Any], how: str):  # type: ignore[no-untyped-def]
    if how == "token":
        return client, {"Authorization": f"Bearer {people['token']}"}
    with app.app_context():
        from core.extensions import db
        from people.models import User

        viewer = db.session.get(User, people["viewer"])
        signed_in = sign_in(app.test_client(), viewer)
    return signed_in, {}


def _documented(path: str, response: Any) -> None:
    assert response.status_code != 500, response.get_data(as_text=True)[:500]
    documented = SPEC["paths"][path]["get"]["responses"]
    assert str(response.status_code) in documented, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.is_json, response.get_data(as_text=True)[:300]
    _check(path, "get", response.status_code, response.json)


@FUZZ
@given(query=_query, how=st.sampled_from(["token", "session"]))
def test_search_never_fails_and_always_answers_as_documented(app, client, people, query: str, how: str) -> None:
    c, headers = _auth(app, client, people, how)
    response = c.get(f"/api/v1/people?{query}", headers=headers)
    _documented("/people", response)
    assert response.status_code in (200, 400)


@FUZZ
@given(ident=st.one_of(st.integers(min_value=-(2**70), max_value=2**70), st.sampled_from([0, 1, 2, 3, 4, 2**31,
                                                                                          2**63])),
       query=_query, how=st.sampled_from(["token", "session"]))
def test_person_detail_never_fails_and_always_answers_as_documented(app, client, people, ident: int, query: str,
                                                                    how: str) -> None:
    c, headers = _auth(app, client, people, how)
    segment = str(ident) if ident >= 0 else quote_from_bytes(str(ident).encode())
    response = c.get(f"/api/v1/people/{segment}?{query}", headers=headers)
    if ident < 0:  # not a path the API has: a JSON 404 (400 for a NUL in the query), never a 500
        assert response.status_code in (400, 404) and response.is_json
        return
    _documented("/people/{id}", response)


@FUZZ
@given(segment=st.one_of(_text, _surrogates).map(lambda s: quote_from_bytes(s.encode("utf-8", "surrogatepass"),
                                                                            safe="")))
def test_person_detail_with_any_path_segment_is_a_json_404(app, client, people, segment: str) -> None:
    response = client.get(f"/api/v1/people/{segment}x", headers={"Authorization": f"Bearer {people['token']}"})
    assert response.status_code in (404, 400) and response.is_json, response.get_data(as_text=True)[:300]


@FUZZ
@given(query=_query)
def test_unread_count_never_fails(app, people, query: str) -> None:
    c, headers = _auth(app, None, people, "session")
    response = c.get(f"/api/notifications/unread?{query}", headers=headers)
    assert response.status_code in (200, 400) and response.is_json, response.get_data(as_text=True)[:300]
    if response.status_code == 400:  # a NUL byte in the query string is refused before anything runs
        assert "%00" in query
        return
    assert set(response.json) == {"unread"} and isinstance(response.json["unread"], int)
    assert response.json["unread"] >= 0


def test_ids_past_the_database_integer_are_a_404_on_every_route(app, login) -> None:
    """Found by the fuzzing above: /api/v1/people/<2**64> reached the database and failed with a 500.
    Every ``<int:…>`` in every GET route now stops at PostgreSQL's integer (app.IdConverter)."""
    from flask import url_for
    from werkzeug.routing import AnyConverter, IntegerConverter

    from tests import factories

    with app.app_context():
        admin = factories.admin(name="事務 局")
    client = login(admin)
    checked = 0
    for rule, big in [(r, big) for r in app.url_map.iter_rules() for big in (2**31, 2**64)]:
        converters = rule._converters  # noqa: SLF001 (werkzeug keeps them here)
        ints = [name for name, conv in converters.items() if isinstance(conv, IntegerConverter)]
        if "GET" not in (rule.methods or ()) or not ints:
            continue
        values: dict[str, Any] = {}
        for name, conv in converters.items():
            if isinstance(conv, IntegerConverter):
                values[name] = big
            elif isinstance(conv, AnyConverter):
                values[name] = sorted(conv.items)[0]
            else:
                values[name] = "x"
        with app.test_request_context():
            url = url_for(rule.endpoint, **values)
        response = client.get(url)
        assert response.status_code == 404, (url, response.status_code)
        checked += 1
    assert checked > 60
