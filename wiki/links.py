"""Page titles and slugs, the wiki's Markdown syntax (``[[page links]]``, ``@mentions``) and plain text.

``[[タイトル]]`` and ``[[タイトル|表示する文字]]`` link to a page of the same space; a page that does not
exist yet gets a red link that opens "create". ``[[case:slug]]`` (or ``[[事例:slug]]``) links to the case
library; given the case titles (``CaseTitles``), a case link shows the case's title and a slug that is not
in the library is marked missing. The extensions only emit ``<a class="wikilink|wikilink-new|caselink">``
and ``<span class="mention">``, which ``core.text`` allows; everything still goes through its sanitiser.
"""
from __future__ import annotations

import html
import re
import unicodedata
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import nh3
from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString

from core import text as core_text
from core.errors import DomainError

TITLE_MAX = 120
SLUG_MAX = 160
# Characters that cannot appear in a URL path segment unescaped or that Markdown links use.
_SLUG_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f#?/\\%\[\]{}|<>\"^`]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
WIKILINK_RE = r"\[\[([^\[\]\n|]{1,200})(?:\|([^\[\]\n]{1,200}))?\]\]"
CASE_PREFIXES = ("case:", "事例:")


def clean_title(title: str | None) -> str:
    """A title as stored: one line, single spaces, no control characters."""
    return " ".join(_CONTROL.sub(" ", title or "").split())


def slugify(title: str) -> str:
    """The URL form of a title: NFKC, spaces → ``_``, no characters that break a path.

    Raises ``DomainError("title_invalid", field="title")`` when nothing usable is left.
    Slugs never start with ``-`` or ``.`` (``/wiki/-/…`` holds the workspace's own pages).
    """
    s = unicodedata.normalize("NFKC", clean_title(title))
    s = _SLUG_FORBIDDEN.sub("", s)
    s = "_".join(s.split()).lstrip(".-_")
    s = s[:SLUG_MAX].rstrip("_")
    if not s:
        raise DomainError("title_invalid", field="title")
    return s


def check_title(title: str) -> str:
    """The cleaned title, or ``DomainError`` (field "title") if it is empty, too long or unusable."""
    cleaned = clean_title(title)
    if not cleaned:
        raise DomainError("title_required", field="title")
    if len(cleaned) > TITLE_MAX:
        raise DomainError("title_too_long", field="title")
    slugify(cleaned)
    return cleaned


def slug_or_none(title: str) -> str | None:
    try:
        return slugify(title)
    except DomainError:
        return None


# --- [[page links]] -------------------------------------------------------------------------------

@dataclass(frozen=True)
class LinkTarget:
    href: str  # empty: no link for this reader, only the text
    exists: bool


Resolver = Callable[[str], LinkTarget | None]  # title -> where it leads (None: not a valid title)


@dataclass(frozen=True)
class CaseTitles:
    """What ``[[case:slug]]`` shows: the titles of the cases in the library (by slug), and for any other slug
    the text of a link marked missing (e.g. "slug（事例集にない事例）", also its tooltip)."""

    titles: Mapping[str, str]
    missing: Callable[[str], str]


def _no_pages(title: str) -> None:
    return None


class _WikiLinkProcessor(InlineProcessor):
    def __init__(self, pattern: str, md: Markdown, resolve: Resolver, case_href: Callable[[str], str],
                 cases: CaseTitles | None) -> None:
        super().__init__(pattern, md)
        self.resolve = resolve
        self.case_href = case_href
        self.cases = cases

    def _case(self, element: etree.Element, slug: str, label: str) -> etree.Element:
        element.set("href", self.case_href(slug))
        element.set("class", "caselink")
        element.text = label or slug
        if self.cases is not None:
            title = self.cases.titles.get(slug)
            if title is None:
                element.set("class", "caselink wikilink-new")
                element.set("title", self.cases.missing(slug))
                element.text = AtomicString(self.cases.missing(label or slug))
            elif not label:
                element.text = AtomicString(title)  # the case's title as written, not read as Markdown
        return element

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element | None, int, int]:  # noqa: N802
        target = m.group(1).strip()
        label = (m.group(2) or "").strip()
        element = etree.Element("a")
        slug = case_slug(target)
        if slug is not None:
            return self._case(element, slug, label), m.start(0), m.end(0)
        found = self.resolve(target)
        if found is None:
            return None, m.start(0), m.end(0)
        if not found.href:
            span = etree.Element("span")
            span.text = label or target
            return span, m.start(0), m.end(0)
        element.set("href", found.href)
        element.set("class", "wikilink" if found.exists else "wikilink wikilink-new")
        if not found.exists:
            element.set("title", target)
        element.text = label or target
        return element, m.start(0), m.end(0)


class WikiLinkExtension(Extension):
    """``[[タイトル]]`` / ``[[タイトル|表示]]`` / ``[[case:slug]]`` for ``core.text.render``.

    ``cases``: show case titles (and mark unknown slugs); without it a case link shows its label or slug.
    """

    def __init__(self, resolve: Resolver, case_href: Callable[[str], str] = lambda s: f"/cases/{s}",
                 cases: CaseTitles | None = None) -> None:
        super().__init__()
        self.resolve = resolve
        self.case_href = case_href
        self.cases = cases

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802
        # Above links (160) so "[[" is not read as a link, below code spans (190) so `[[x]]` stays code.
        processor = _WikiLinkProcessor(WIKILINK_RE, md, self.resolve, self.case_href, self.cases)
        md.inlinePatterns.register(processor, "wikilink", 175)


def case_link_extension(cases: CaseTitles) -> WikiLinkExtension:
    """Only ``[[case:slug]]`` (under the case's title), for text outside a workspace such as a proposal:
    ``[[other brackets]]`` stay as written."""
    return WikiLinkExtension(_no_pages, cases=cases)


def case_slug(target: str) -> str | None:
    """The slug of a ``[[case:slug]]`` / ``[[事例:slug]]`` target, None for a page title."""
    for prefix in CASE_PREFIXES:
        if target.lower().startswith(prefix):
            return target[len(prefix):].strip()
    return None


def case_slugs(source: str | None) -> list[str]:
    """Case slugs linked from ``source``, in order, without repeats."""
    seen: dict[str, None] = {}
    for m in re.finditer(WIKILINK_RE, source or ""):
        slug = case_slug(m.group(1).strip())
        if slug:
            seen.setdefault(slug, None)
    return list(seen)


def link_targets(source: str) -> list[str]:
    """Page titles linked from ``source`` (case links left out), in order, without repeats."""
    seen: dict[str, None] = {}
    for m in re.finditer(WIKILINK_RE, source or ""):
        target = m.group(1).strip()
        if not target.lower().startswith(CASE_PREFIXES):
            seen.setdefault(target, None)
    return list(seen)


# --- @mentions ------------------------------------------------------------------------------------

def mention_handles(name: str, email: str) -> list[str]:
    """What may follow ``@`` to name a person: "佐藤花子", "佐藤 花子", the e-mail's local part."""
    handles = {name.replace(" ", "").replace("\u3000", ""), " ".join(name.split()), email.split("@", 1)[0]}
    return sorted((h for h in handles if h), key=len, reverse=True)


def mentioned(body: str, people: Iterable[tuple[int, str, str]]) -> list[int]:
    """Ids of the people (id, name, email) that ``body`` @mentions."""
    found = []
    for person_id, name, email in people:
        if any(f"@{h}" in (body or "") for h in mention_handles(name, email)):
            found.append(person_id)
    return found


class _MentionProcessor(InlineProcessor):
    def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element, int, int]:  # noqa: N802
        element = etree.Element("span")
        element.set("class", "mention")
        element.text = m.group(0)
        return element, m.start(0), m.end(0)


class MentionExtension(Extension):
    """Marks ``@name`` of the given people as ``<span class="mention">``."""

    def __init__(self, people: Iterable[tuple[int, str, str]]) -> None:
        super().__init__()
        handles = sorted({h for _, name, email in people for h in mention_handles(name, email)}, key=len,
                         reverse=True)
        self.pattern = "@(?:" + "|".join(re.escape(h) for h in handles) + ")" if handles else None

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802
        if self.pattern:
            md.inlinePatterns.register(_MentionProcessor(self.pattern, md), "mention", 174)


# --- plain text -----------------------------------------------------------------------------------

def _link_label(m: re.Match[str], case_titles: Mapping[str, str] | None = None) -> str:
    target, label = m.group(1).strip(), (m.group(2) or "").strip()
    slug = case_slug(target)
    if slug is not None:
        return label or (case_titles or {}).get(slug) or slug
    return label or target


def plain_links(source: str | None, case_titles: Mapping[str, str] | None = None) -> str:
    """``source`` with every ``[[link]]`` replaced by what it shows (a case link: its label, else the case's
    title from ``case_titles``, else the slug) — for exports that cannot link."""
    return re.sub(WIKILINK_RE, lambda m: _link_label(m, case_titles), source or "")


def plain_text(source: str | None) -> str:
    """What a reader sees of some Markdown, as plain text (for the search index and excerpts)."""
    source = plain_links(source)
    rendered = core_text.render(source).html
    rendered = re.sub(r"</(p|li|h[1-6]|tr|blockquote|pre|dd|dt)>", " ", str(rendered))
    rendered = re.sub(r"<(br|hr)\s*/?>", " ", rendered)
    return " ".join(html.unescape(nh3.clean(rendered, tags=set())).split())
