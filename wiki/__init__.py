"""Team workspaces and the cohort space (a revisioned wiki), the case library and search."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from wiki import models  # noqa: F401
    from wiki.cases import models as case_models  # noqa: F401
