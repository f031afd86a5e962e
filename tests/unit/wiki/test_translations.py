"""Catalogues are merged into one at run time: a Japanese msgid the wiki shares with another area must
have the same English there, or one area's wording silently replaces the other's."""
from __future__ import annotations

from babel.messages.pofile import read_po

from tools.i18n import LOCALES, TRANSLATIONS, areas, po_path


def _catalogue(area: str, locale: str) -> dict[object, object]:
    path = po_path(area, locale)
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        return {m.id: m.string for m in read_po(fh, locale=locale) if m.id}


def test_shared_msgids_translate_the_same_way() -> None:
    assert (TRANSLATIONS / "wiki").is_dir()
    clashes = []
    for locale in LOCALES:
        ours = _catalogue("wiki", locale)
        for area in areas():
            if area == "wiki":
                continue
            theirs = _catalogue(area, locale)
            clashes += [f"{area}/{locale} {k!r}: wiki {ours[k]!r} vs {theirs[k]!r}"
                        for k in set(ours) & set(theirs) if ours[k] != theirs[k]]
    assert clashes == []
