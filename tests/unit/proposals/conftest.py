"""Proposal unit tests: the year is built in the test's own session."""
from types import SimpleNamespace

import pytest

from tests.fixtures_proposals import build_year, events  # noqa: F401


@pytest.fixture()
def year(session) -> SimpleNamespace:  # type: ignore[no-untyped-def]
    return build_year()
