"""Team workspaces and the cohort space (a revisioned wiki), the case library and search."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from core import nav, panels, searchindex
from core.nav import NavItem


def init_app(app: Flask) -> None:
    from core import policy as core_policy
    from curriculum import caselinks
    from wiki import cli, labels, models, policy, views  # noqa: F401  (models: registers the tables)
    from wiki.cases import models as case_models  # noqa: F401
    from wiki.home_panel import workspace_panels

    views.register(app)
    labels.init_app(app)
    cli.init_app(app)
    core_policy.register(app, "wiki", policy)
    nav.register(
        app,
        NavItem("wiki.index", _l("ワークスペース"), policy.has_workspace, order=40, match="/wiki"),
        NavItem("cases.index", _l("事例集"), policy.read_cases, order=50, match="/cases"),
        NavItem("search.index", _l("検索"), policy.search, order=90),
    )
    nav.register_stylesheet(app, "css/wiki.css")
    panels.register(app, workspace_panels)
    caselinks.register(app, _case_titles)
    searchindex.register_kind(app, "page", _l("ワークスペースのページ"))
    searchindex.register_kind(app, "case", _l("事例"))


def _case_titles(slugs: list[str]) -> dict[str, str]:
    """Module pages' related cases under their titles (``curriculum.caselinks``, which cannot import us)."""
    from core.extensions import db
    from core.i18n import current_locale
    from wiki.cases import services as case_services

    return case_services.titles_by_slug(db.session, slugs, current_locale())
