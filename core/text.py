"""Markdown → sanitised HTML: the one place user-written text becomes markup.

Python-Markdown passes raw HTML through and has no safe mode, so its output always goes through
nh3 with the allow-list below (see docs/decisions/0001-nh3-sanitizer.md and tech.md §3).
``attr_list`` and ``md_in_html`` are never enabled: they let ``onclick=`` through.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import TocExtension, slugify_unicode
from markupsafe import Markup

SANITIZER_VERSION = "1"  # bump when the allow-list changes, to invalidate cached HTML

TAGS = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "ins", "blockquote",
    "ul", "ol", "li", "a", "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "img",
    "dl", "dt", "dd", "sup", "sub", "span",
})
ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "code": {"class"},
    "span": {"class"},
    **{f"h{n}": {"id"} for n in range(1, 7)},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Classes that our own extensions emit; anything else a user writes is dropped.
ALLOWED_CLASSES = {
    "a": {"wikilink", "wikilink-new", "caselink"},
    "code": {f"language-{lang}" for lang in ("python", "sql", "text", "bash", "json", "yaml", "markdown")},
    "span": {"mention"},
}
HEADING_ID_PREFIX = "h-"


def _slugify(value: str, separator: str) -> str:
    # Prefixed so a heading id can never clobber a DOM property or one of our own element ids.
    return HEADING_ID_PREFIX + slugify_unicode(value, separator)


def _filter_attribute(tag: str, attr: str, value: str) -> str | None:
    if attr == "class":
        allowed = ALLOWED_CLASSES.get(tag, set())
        kept = [c for c in value.split() if c in allowed]
        return " ".join(kept) or None
    if attr == "id" and not value.startswith(HEADING_ID_PREFIX):
        return None
    return value


def sanitize_html(html: str) -> str:
    """Clean HTML with the one allow-list. Use only on HTML we produced from Markdown."""
    return nh3.clean(
        html,
        tags=set(TAGS),
        attributes={k: set(v) for k, v in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
        attribute_filter=_filter_attribute,
    )


@dataclass(frozen=True)
class Rendered:
    html: Markup
    toc: tuple[tuple[int, str, str], ...]  # (level, anchor id, heading text)


def _flatten_toc(tokens: Sequence[dict[str, Any]]) -> list[tuple[int, str, str]]:
    out: list[tuple[int, str, str]] = []
    for tok in tokens:
        out.append((int(tok["level"]), str(tok["id"]), str(tok["name"])))
        out.extend(_flatten_toc(tok.get("children", [])))
    return out


def _build(extra: Sequence[Extension]) -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[
            "fenced_code",
            "sane_lists",
            TableExtension(use_align_attribute=True),
            TocExtension(slugify=_slugify, permalink=False),
            *extra,
        ],
        output_format="html",
    )


def render(source: str, extensions: Sequence[Extension] = ()) -> Rendered:
    """Render user Markdown to sanitised HTML plus its table of contents.

    ``extensions`` lets an area add syntax (the wiki's ``[[links]]``); their output still goes
    through the same sanitiser, so an extension cannot widen what reaches the page.
    """
    if not extensions:
        return _render_cached(source or "")
    return _render(source or "", extensions)


def _render(source: str, extensions: Sequence[Extension]) -> Rendered:
    md = _build(extensions)
    raw = md.convert(source)
    toc = tuple(_flatten_toc(getattr(md, "toc_tokens", [])))
    return Rendered(Markup(sanitize_html(raw)), toc)


@lru_cache(maxsize=4096)
def _render_cached(source: str) -> Rendered:
    return _render(source, ())


def render_markdown(source: str | None) -> Markup:
    """The Jinja filter ``|markdown``: sanitised HTML for any user-written Markdown."""
    return render(source or "").html


def source_hash(source: str) -> str:
    """Key for caching rendered HTML: changes with the text and with the sanitiser version."""
    return hashlib.sha256(f"{SANITIZER_VERSION}\x00{source}".encode()).hexdigest()


def plain_excerpt(source: str | None, length: int = 160) -> str:
    """A short plain-text excerpt of Markdown (for lists and notifications); never markup."""
    text = nh3.clean(render(source or "").html, tags=set())
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


MarkdownExtensionFactory = Callable[[], Extension]
