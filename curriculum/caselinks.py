"""Links from modules to the case library at ``/cases/<slug>`` (served by the wiki area).

The curriculum cannot import the wiki (dependencies point one way), so the wiki may register a
resolver that turns slugs into case titles::

    from curriculum import caselinks
    caselinks.register(app, lambda slugs: {slug: title, ...})

Without one, the link text is the slug itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask, current_app

Resolver = Callable[[list[str]], dict[str, str]]
KEY = "renkei_case_titles"


def register(app: Flask, resolver: Resolver) -> None:
    app.extensions[KEY] = resolver


def case_links(slugs: Iterable[str]) -> list[tuple[str, str]]:
    """(path, label) for each case slug, in the given order."""
    wanted = [s for s in slugs if s]
    resolver: Resolver | None = current_app.extensions.get(KEY)
    titles = resolver(wanted) if resolver and wanted else {}
    return [(f"/cases/{slug}", titles.get(slug) or slug) for slug in wanted]
