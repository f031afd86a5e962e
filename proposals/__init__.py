"""提案書 (policy proposals) and their peer review: the heart of the year."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from core import nav, searchindex
from core import panels as core_panels
from core.nav import NavItem


def init_app(app: Flask) -> None:
    from proposals import jobs as proposal_jobs

    proposal_jobs.register(app)
    from core import policy as core_policy
    from proposals import cli, policy, views
    from proposals import panels as proposal_panels
    from proposals.review import policy as review_policy
    from proposals.review import views as review_views
    from proposals.views.base import section_markdown
    from proposals.vocab import (DIRECTION_LABELS, FIELD_LABELS, SNAPSHOT_KIND_LABELS, STATUS_BADGE,
                                 STATUS_LABELS)

    app.register_blueprint(views.bp)
    app.register_blueprint(review_views.bp)
    cli.init_app(app)
    core_policy.register(app, "proposals", policy)
    core_policy.register(app, "review", review_policy)
    nav.register(
        app,
        NavItem("proposals.index", _l("提案書"), policy.signed_in, order=40, match="/proposals"),
        NavItem("review.my_reviews", _l("査読"), review_policy.reviews_menu, order=45, match="/reviews"),
        NavItem("review.rounds", _l("査読ラウンド"), review_policy.runs_rounds, order=46, match="/review-rounds"),
        NavItem("proposals.templates_index", _l("提案書テンプレート"), policy.list_templates, order=40,
                section="admin"),
    )
    nav.register_stylesheet(app, "css/proposals.css")
    core_panels.register(app, proposal_panels.provider)
    searchindex.register_kind(app, "proposal", _l("提案書"))
    from directory import contributions as directory_contributions
    from proposals import contributions

    directory_contributions.register(app, contributions.provider)
    app.jinja_env.globals.update(
        proposal_status_label=lambda s: STATUS_LABELS[s], proposal_status_badge=lambda s: STATUS_BADGE[s],
        policy_field_label=lambda f: FIELD_LABELS[f] if f else "", direction_label=lambda d: DIRECTION_LABELS[d],
        snapshot_kind_label=lambda k: SNAPSHOT_KIND_LABELS[k],
    )
    app.jinja_env.filters["section_markdown"] = section_markdown
