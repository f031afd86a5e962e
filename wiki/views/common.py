"""What every workspace view needs: load the workspace and page (404), render wiki Markdown, report errors."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import LazyString, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from core import text as core_text
from core.errors import DomainError
from core.extensions import db
from core.security import authorize
from wiki import policy, revisions
from wiki.cases import services as case_services
from wiki.links import CaseTitles, LinkTarget, MentionExtension, WikiLinkExtension, case_slugs, slug_or_none
from wiki.models import Page, PageRedirect
from wiki.workspace import Workspace, load, of_space

OWNER = "<any(teams, cohorts):owner>/<int:owner_id>/wiki"


def workspace_or_404(owner: str, owner_id: int) -> Workspace:
    ws = load(db.session, owner, owner_id)
    if ws is None:
        abort(404)
    return ws


def page_or_404(ws: Workspace, slug: str, endpoint: str | None = None, **values: Any) -> Page | Response:
    """The page at ``slug``; a redirect to its current address when it was renamed or moved.

    A form sent to the old address (an edit that was open while a teammate renamed or moved the
    page) is sent on with 307, so the browser posts it again, text and base revision included.
    """
    if ws.space is None:
        abort(404)
    page, redirected = revisions.find_page(db.session, ws.space, slug)
    if page is None:
        abort(404)
    if redirected and endpoint:
        authorize(policy.read_page(current_user, page))  # the new address is only told to those who may read
        target = workspace_of_page(page)
        return redirect(url_for(endpoint, owner=target.owner, owner_id=target.owner_id, slug=page.slug, **values),
                        code=302 if request.method in ("GET", "HEAD") else 307)
    return page


def workspace_of_page(page: Page) -> Workspace:
    ws = of_space(db.session, page.space)
    if ws is None:
        abort(404)
    return ws


def page_url(ws: Workspace, page: Page, endpoint: str = "wiki.page", **values: Any) -> str:
    return url_for(endpoint, owner=ws.owner, owner_id=ws.owner_id, slug=page.slug, **values)


def _resolver(ws: Workspace):  # type: ignore[no-untyped-def]
    """[[title]] → the page for those who work in the workspace (a red "create" link when there is none);
    for a reader from elsewhere in the cohort (a published page), only the pages they may read are
    links and the rest is plain text: a link's colour must not tell that an unpublished page exists."""
    writer = policy.edit_workspace(current_user, ws)
    slugs: set[str] = set()
    if ws.space is not None:
        pages = select(Page.slug).where(Page.space_id == ws.space.id, Page.deleted.is_(False))
        if writer or policy.insider(current_user, ws):
            slugs = set(db.session.scalars(pages))
            slugs |= set(db.session.scalars(select(PageRedirect.slug)
                                            .where(PageRedirect.space_id == ws.space.id)))
        else:
            slugs = set(db.session.scalars(pages.where(Page.published.is_(True))))

    def resolve(title: str) -> LinkTarget | None:
        slug = slug_or_none(title)
        if slug is None:
            return None
        if slug in slugs:
            return LinkTarget(ws.page_path(slug), True)
        if not writer:
            return LinkTarget("", False)  # only the text: no "create" link for someone who cannot create
        return LinkTarget(url_for("wiki.new", owner=ws.owner, owner_id=ws.owner_id, title=title), False)

    return resolve


def _case_titles(source: str) -> CaseTitles | None:
    slugs = case_slugs(source)
    if not slugs:
        return None
    return CaseTitles(case_services.titles_by_slug(db.session, slugs, str(get_locale() or "ja")),
                      lambda slug: _("%(slug)s（事例集にない事例）", slug=slug))


def render_wiki(ws: Workspace, source: str) -> core_text.Rendered:
    """A page's Markdown with [[links]] resolved in its workspace (red links open "create") and
    [[case:slug]] under the case's title."""
    return core_text.render(source, extensions=[WikiLinkExtension(_resolver(ws), cases=_case_titles(source))])


def render_comment(source: str, people: list[tuple[int, str, str]]) -> core_text.Rendered:
    return core_text.render(source, extensions=[MentionExtension(people)])


def field_error(form: Any, error: DomainError, messages: Mapping[str, LazyString]) -> None:
    """Show a service's refusal at its field (or on top of the page when it has none)."""
    message = str(messages.get(error.message, messages.get("_default", error.message)))
    field = getattr(form, error.field or "", None)
    if field is not None:
        field.errors = [*(field.errors or []), message]
    else:
        flash(message, "error")


def draft_key(ws: Workspace, page: Page | None) -> str:
    """localStorage key of the browser-side draft of an edit: one per page, by its id, so that a draft
    follows the page when it is renamed or moved; one per workspace for a new page."""
    return f"renkei-wiki:page:{page.id}" if page else f"renkei-wiki:{ws.owner}:{ws.owner_id}:new"
