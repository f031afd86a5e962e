"""Proposal web tests: the year is built in a short app context, so each request has its own."""
from types import SimpleNamespace

import pytest

from tests.fixtures_proposals import build_year, events  # noqa: F401


@pytest.fixture()
def year(app) -> SimpleNamespace:  # type: ignore[no-untyped-def]
    with app.app_context():
        return build_year()
