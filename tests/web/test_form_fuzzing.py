"""Property-based fuzzing of every form: whatever a person (or a script) posts, the answer is never a 500.

For each page of the access matrix that contains a POST form, one allowed role opens it, the form's
fields are read from the HTML, and Hypothesis posts random values (Japanese text, control characters,
huge strings, wrong types, the field's real options) to the form's action.
"""
from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.access import ANONYMOUS
from tests.conftest import sign_in
from tests.web.test_access_matrix import ALL_RULES, build_world
from tests.web.test_query_budget import _role_for

SKIP_ACTIONS = ("/logout",)  # signing out is not a form to fuzz


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []  # {"action": str, "fields": {name: [options]}}
        self._current: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._current = {"action": a.get("action", ""), "fields": {}, "files": []}
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "textarea", "select") and a.get("name"):
            name = a["name"]
            if a.get("type") == "file":
                self._current["files"].append(name)
            elif name != "csrf_token":
                self._current["fields"].setdefault(name, [])
                if a.get("value") and a.get("type") in ("radio", "checkbox", "hidden"):
                    self._current["fields"][name].append(a["value"])
            if tag == "select":
                self._select = name
        elif tag == "option" and self._current is not None and self._select:
            self._current["fields"][self._select].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


NASTY = st.sampled_from(["", " ", "0", "-1", "99999999999999999999", "1e308", "NaN", "null", "true",
                         "2026-02-30T25:61", "9999-12-31T23:59", "1900-01-01", "<script>alert(1)</script>",
                         "' OR 1=1 --", "\x00", "\u202e", "😀" * 50, "あ" * 5000, "=cmd|' /C calc'!A0",
                         "../../etc/passwd", "%s%s%s", "{{7*7}}", "ｱｲｳ", "\r\n\r\n"])


def _value(options: list[str]) -> st.SearchStrategy[str]:
    choices = [st.text(max_size=200), NASTY]
    if options:
        choices.append(st.sampled_from(options))
    return st.one_of(*choices)


def _form_pages() -> list:  # type: ignore[type-arg]
    return [r for r in ALL_RULES if r.method == "GET" and _role_for(r) not in (None,)]


@pytest.mark.parametrize("rule", _form_pages(), ids=[f"{r.endpoint}" for r in _form_pages()])
def test_forms_never_answer_500(app: Flask, rule) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        world = build_world()
    role = _role_for(rule)
    client = app.test_client()
    if role != ANONYMOUS:
        sign_in(client, world.users[role])
    url = rule.url(world)
    page = client.get(url)
    if page.status_code != 200 or "text/html" not in page.content_type:
        pytest.skip(f"{url} is not an HTML page for {role}")
    parser = _Forms()
    parser.feed(page.get_data(as_text=True))
    forms = [f for f in parser.forms if not any(f["action"].endswith(s) for s in SKIP_ACTIONS)]
    if not forms:
        pytest.skip(f"no form on {url}")

    for form in forms:
        action = urljoin(url, form["action"]) if form["action"] else url
        fields = form["fields"]

        @settings(max_examples=5, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
        @given(st.fixed_dictionaries({name: _value(options) for name, options in fields.items()}))
        def post(data: dict[str, str]) -> None:
            response = client.post(action, data=data)
            assert response.status_code < 500, f"POST {action} {data!r} -> {response.status_code}"

        post()
