"""Message catalogues, one per area: translations/<area>/en/LC_MESSAGES/messages.po.

Japanese is the source language (msgids are Japanese); English is the translation.

    python -m tools.i18n update   # extract each area's messages and merge them into its catalogue
    python -m tools.i18n check    # fail if any message lacks an English translation (make test runs this)
    python -m tools.i18n compile  # build the .mo files the app loads
"""
from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
LOCALES = ("en",)
METHOD_MAP = [("**.py", "python"), ("**.html", "jinja2"), ("**.txt", "jinja2")]
OPTIONS = {"**.html": {"extensions": "jinja2.ext.i18n"}, "**.txt": {"extensions": "jinja2.ext.i18n"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "lazy_ngettext": (1, 2), "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2)}
# Templates that belong to no area package live with "core".
CORE_TEMPLATE_DIRS = ("macros", "errors")


def areas() -> list[str]:
    """Every top-level package with an __init__.py is an area; "core" also owns app.py and shared templates."""
    names = [p.name for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name not in {"tests", "tools",
                                                                                               "bench", "migrations"}]
    return sorted(names)


def sources(area: str) -> Iterator[tuple[Path, str]]:
    """(directory or file, method) pairs holding the area's translatable strings."""
    if area == "core":
        yield ROOT / "app.py", "python"
        for p in sorted((ROOT / "templates").glob("*.html")):
            yield p, "jinja2"
        for d in CORE_TEMPLATE_DIRS:
            if (ROOT / "templates" / d).is_dir():
                yield ROOT / "templates" / d, "dir"
    yield ROOT / area, "dir"
    if area != "core" and (ROOT / "templates" / area).is_dir():
        yield ROOT / "templates" / area, "dir"


def extract(area: str) -> Catalog:
    catalog = Catalog(project="renkei", locale=None, charset="utf-8")
    for path, method in sources(area):
        if method == "dir":
            found = extract_from_dir(str(path), METHOD_MAP, OPTIONS, KEYWORDS, strip_comment_tags=True)
            for filename, lineno, message, comments, context in found:
                catalog.add(message, None, [(str(path.relative_to(ROOT) / filename), lineno)],
                            auto_comments=comments, context=context)
        else:
            for lineno, message, comments, context in extract_from_file(method, str(path), KEYWORDS,
                                                                         options=OPTIONS.get("**.html", {})
                                                                         if method == "jinja2" else {}):
                catalog.add(message, None, [(str(path.relative_to(ROOT)), lineno)], auto_comments=comments,
                            context=context)
    return catalog


def po_path(area: str, locale: str) -> Path:
    return TRANSLATIONS / area / locale / "LC_MESSAGES" / "messages.po"


def load(path: Path, locale: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=locale, project="renkei", charset="utf-8")
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def update() -> None:
    for area in areas():
        template = extract(area)
        if not len(template):
            continue
        for locale in LOCALES:
            path = po_path(area, locale)
            catalog = load(path, locale)
            catalog.update(template, no_fuzzy_matching=True)
            catalog.obsolete.clear()
            path.parent.mkdir(parents=True, exist_ok=True)
            buf = io.BytesIO()
            write_po(buf, catalog, width=100, sort_output=False, omit_header=False, include_previous=False)
            path.write_bytes(buf.getvalue())
            print(f"{area}/{locale}: {len(catalog)} messages")


def problems() -> list[str]:
    """Messages missing from a catalogue or without an English translation."""
    found: list[str] = []
    for area in areas():
        template = extract(area)
        for locale in LOCALES:
            catalog = load(po_path(area, locale), locale)
            for message in template:
                if not message.id:
                    continue
                have = catalog.get(message.id, context=message.context)
                where = ", ".join(f"{f}:{n}" for f, n in message.locations[:2])
                if have is None:
                    found.append(f"{area}/{locale}: not in catalogue: {message.id!r} ({where})")
                elif not have.string or (isinstance(have.string, tuple) and not all(have.string)):
                    found.append(f"{area}/{locale}: untranslated: {message.id!r} ({where})")
                elif have.fuzzy:
                    found.append(f"{area}/{locale}: fuzzy: {message.id!r} ({where})")
    return found


def clashes() -> list[str]:
    """Catalogues are merged at run time, so one Japanese msgid must have one English wording everywhere."""
    found: list[str] = []
    for locale in LOCALES:
        wording: dict[str, dict[str, list[str]]] = {}
        for area in areas():
            path = po_path(area, locale)
            if not path.exists():
                continue
            for message in load(path, locale):
                if message.id and message.string:
                    wording.setdefault(str(message.id), {}).setdefault(str(message.string), []).append(area)
        for msgid, variants in wording.items():
            if len(variants) > 1:
                found.append(f"{locale}: {msgid!r} is translated differently: {variants}")
    return found


def compile_all() -> None:
    for po in sorted(TRANSLATIONS.glob("*/*/LC_MESSAGES/messages.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh)
        with po.with_suffix(".mo").open("wb") as out:
            write_mo(out, catalog, use_fuzzy=False)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "check":
        issues = problems() + clashes()
        for line in issues:
            print(line)
        if issues:
            print(f"{len(issues)} message(s) need an English translation: run `make i18n` and fill the msgstr.")
            return 1
        print("catalogues complete")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
