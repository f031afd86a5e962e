"""Japanese search keys, n-grams and the reference matcher.

Stored key layout (see ``person_search_key``)::

    identity part|identity part|...||extra part|extra part

Parts are already normalized, so they never contain ``|`` (``normalize`` strips it);
``||`` appears only once, between the identity section (name, reading, romaji) and
the extras (department, interests, ...). Query terms never contain ``|``, so a
substring match can never span two parts.

Database contract: a row matches a query when every term of ``query_terms(q)`` is a
substring of its key (``matches`` is the oracle). Prefilter with the gram table
(``grams``/``query_grams``/``prefix_range``), then verify with
``search_key LIKE '%' || like_escape(term) || '%' ESCAPE '\\'``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

__all__ = [
    "EXTRA_SEPARATOR",
    "SENTINEL",
    "SEPARATOR",
    "grams",
    "highlight",
    "kana_to_romaji",
    "latin_trigrams",
    "like_escape",
    "matches",
    "normalize",
    "person_search_key",
    "prefix_range",
    "query_grams",
    "query_latin_trigrams",
    "query_terms",
    "rank",
    "romaji_key",
]

SEPARATOR = "|"
EXTRA_SEPARATOR = SEPARATOR * 2
SENTINEL = "\x01"
PREFIX_END = "\U0010ffff"

# Name variants people treat as the same name (NFKC folds none of these).
ITAIJI: dict[str, str] = {
    "髙": "高", "﨑": "崎", "嵜": "崎", "𥔎": "崎", "邉": "辺", "邊": "辺",
    "齋": "斎", "齊": "斎", "濵": "浜", "濱": "浜", "槗": "橋", "冨": "富",
    "德": "徳", "廣": "広", "澤": "沢", "櫻": "桜", "國": "国", "嶋": "島",
    "嶌": "島", "𠮷": "吉", "栁": "柳", "桒": "桑", "瀨": "瀬", "槇": "槙",
    "眞": "真", "惠": "恵", "榮": "栄", "實": "実", "壽": "寿", "淺": "浅",
    "藏": "蔵", "條": "条", "曾": "曽", "峯": "峰", "澁": "渋", "舘": "館",
}
# Katakana ァ..ヶ (incl. ヴ) and the iteration marks to hiragana; ー is kept.
KANA_FOLD: dict[str, str] = {chr(c): chr(c - 0x60) for c in range(0x30A1, 0x30F7)}
KANA_FOLD.update({"ヽ": "ゝ", "ヾ": "ゞ"})
_FOLD_TABLE = str.maketrans({**ITAIJI, **KANA_FOLD})
# Whitespace, middle dots, hyphens/dashes, underscore, the separator, zero-width chars.
_STRIP_RE = re.compile(r"[\s・･\-‐‑‒–—―－−_|｜\u200b\ufeff]+")

_ROMAJI_TERM_RE = re.compile(r"[a-z'’\-]*[a-z][a-z'’\-]*")
_LATIN_JOINERS = frozenset(" '’-‐.")


def normalize(text: str) -> str:
    """NFKC, casefold, itaiji fold, katakana→hiragana, strip spaces/dots/hyphens/``|``."""
    s = unicodedata.normalize("NFKC", text).casefold()
    s = unicodedata.normalize("NFKC", s).translate(_FOLD_TABLE)
    s = _STRIP_RE.sub("", s)
    return unicodedata.normalize("NFKC", s)


def _romaji_once(s: str) -> str:
    s = re.sub(r"oh(?=[^aeiouy]|$)", "o", s)
    s = re.sub(r"o[ou]", "o", s)
    s = re.sub(r"uu", "u", s)
    return re.sub(r"m(?=[bmp])", "n", s)


def romaji_key(s: str) -> str:
    """Canonical romaji (tech.md 1(d)): satou/satoh/Satō/SATOO → sato, namba → nanba.

    The rewrite rules are applied until stable, so the key is idempotent
    (``romaji_key(romaji_key(x)) == romaji_key(x)``).
    """
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"[^a-z]", "", s)
    while (t := _romaji_once(s)) != s:
        s = t
    return s


@lru_cache(maxsize=1)
def _kakasi() -> Any:
    import pykakasi  # slow import/dictionary load (~0.6 s): only on first use

    return pykakasi.kakasi()


def _is_kana_or_latin(c: str) -> bool:
    return "\u3041" <= c <= "\u30ff" or ("a" <= c <= "z") or ("A" <= c <= "Z") or c == " "


@lru_cache(maxsize=65536)
def _hepburn(kana: str) -> str:
    """Raw hepburn of the kana/latin characters of ``kana`` (anything else dropped)."""
    s = "".join(c for c in unicodedata.normalize("NFKC", kana) if _is_kana_or_latin(c))
    if not s.strip():
        return ""
    return "".join(item["hepburn"] for item in _kakasi().convert(s))


def kana_to_romaji(kana: str) -> str:
    """``romaji_key`` of the hepburn reading of typed kana; kanji are dropped, never read."""
    return romaji_key(_hepburn(kana))


def _is_latin_char(c: str) -> bool:
    base = unicodedata.normalize("NFKD", c)[:1]
    return base.isascii() and base.isalpha()


def _latin_folds(text: str) -> list[str]:
    """``romaji_key`` of each Latin run of ``text`` (runs broken by non-Latin chars)."""
    out: list[str] = []
    run: list[str] = []
    for c in unicodedata.normalize("NFKC", text) + "\0":
        if _is_latin_char(c) or c in _LATIN_JOINERS or (run and unicodedata.combining(c)):
            run.append(c)
            continue
        if run and (k := romaji_key("".join(run))):
            out.append(k)
        run = []
    return out


def _with_latin_folds(text: str) -> list[str]:
    """``normalize(text)`` plus romaji-keyed Latin runs it does not already contain."""
    n = normalize(text)
    return [n] + [k for k in _latin_folds(text) if k not in n]


def _words(text: str) -> list[str]:
    return unicodedata.normalize("NFKC", text).split()


def _both_orders(words: list[str]) -> list[str]:
    """Family-given and given-family joins (space-separated); one entry if one word."""
    if len(words) < 2:
        return [" ".join(words)]
    return [" ".join(words), " ".join(reversed(words))]


def _romaji_variants(raw_words: list[str]) -> list[str]:
    """Romaji keys of raw romaji words in both orders, keyed per word and as a whole."""
    raw_words = [w for w in raw_words if w]
    out: list[str] = []
    for ws in ([raw_words, raw_words[::-1]] if len(raw_words) > 1 else [raw_words]):
        out.append("".join(romaji_key(w) for w in ws))
        out.append(romaji_key("".join(ws)))
    return out


def _dedup(parts: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(p for p in parts if p))


def person_search_key(
    name: str, name_kana: str, romaji: str | None = None, extra: Iterable[str] = ()
) -> str:
    """Stored search key of a person (name/reading with a space between family and given).

    Identity parts: name and reading (both orders), romaji of the reading and of
    ``romaji`` (both orders), romaji-keyed Latin runs; then ``||`` and the extras.
    """
    identity: list[str] = []
    for variant in _both_orders(_words(name)):
        identity += _with_latin_folds(variant)
    identity += [normalize(v) for v in _both_orders(_words(name_kana))]
    identity += _romaji_variants([_hepburn(w) for w in _words(name_kana)])
    if romaji:
        identity += _romaji_variants(_words(romaji))
    extras: list[str] = []
    for x in extra:
        extras += _with_latin_folds(x)
    key = SEPARATOR.join(_dedup(identity))
    extras = _dedup(extras)
    return key + EXTRA_SEPARATOR + SEPARATOR.join(extras) if extras else key


def _is_romaji_term(term: str) -> bool:
    d = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", term)).lower()
    base = "".join(c for c in d if not unicodedata.combining(c))
    return _ROMAJI_TERM_RE.fullmatch(base) is not None


def query_terms(q: str) -> list[str]:
    """Split on whitespace; romaji terms → ``romaji_key``, others → ``normalize``."""
    terms = (romaji_key(t) if _is_romaji_term(t) else normalize(t) for t in q.split())
    return [t for t in terms if t]


def matches(q: str, key: str) -> bool:
    """Reference semantics: every query term is a substring of ``key`` (empty query: True)."""
    return all(t in key for t in query_terms(q))


def _bigrams(s: str) -> list[str]:
    return [s[i : i + 2] for i in range(len(s) - 1)]


def grams(key: str) -> set[str]:
    """Distinct bigrams of each ``|``-separated part + SENTINEL (none contain ``|``)."""
    out: set[str] = set()
    for part in key.split(SEPARATOR):
        if part:
            out.update(_bigrams(part + SENTINEL))
    return out


def query_grams(term: str) -> tuple[str, ...]:
    """Distinct bigrams of a (normalized) term, in order; ``()`` for 1 char (use ``prefix_range``)."""
    return tuple(dict.fromkeys(_bigrams(term))) if len(term) >= 2 else ()


_LATIN_TRIGRAM_RE = re.compile(r"(?=([a-z0-9]{3}))")


def latin_trigrams(key: str) -> set[str]:
    """Distinct trigrams of ``a-z0-9`` only, of each ``|``-separated part.

    Romaji bigrams are shared by most names (``sa``, ``to``), trigrams are not: an index that
    also stores these lets a Latin term of 3+ characters start from a selective gram.
    """
    out: set[str] = set()
    for part in key.split(SEPARATOR):
        out.update(m.group(1) for m in _LATIN_TRIGRAM_RE.finditer(part))
    return out


def query_latin_trigrams(term: str) -> tuple[str, ...]:
    """The ``latin_trigrams`` of a (normalized) term, in order: each is in every key containing it."""
    return tuple(dict.fromkeys(m.group(1) for m in _LATIN_TRIGRAM_RE.finditer(term)))


def prefix_range(term: str) -> tuple[str, str]:
    """``(lo, hi)`` for ``gram >= lo AND gram < hi`` (compare by code point / ``COLLATE "C"``)."""
    return term, term + PREFIX_END


def like_escape(term: str) -> str:
    """Escape ``\\``, ``%`` and ``_`` for ``LIKE ... ESCAPE '\\'``."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def clusters(text: str) -> list[str]:
    """Base characters with their following combining/voicing marks (highlight whole letters)."""
    out: list[str] = []
    for c in text:
        if out and (unicodedata.combining(c) or c in "\uff9e\uff9f"):
            out[-1] += c
        else:
            out.append(c)
    return out


@lru_cache(maxsize=16384)
def cluster_norm(cluster: str) -> str:
    """``normalize`` of one cluster (cached: highlighting normalizes text a letter at a time)."""
    return normalize(cluster)


def highlight_terms(text: str, terms: Sequence[str]) -> Markup:
    """Escaped ``text`` with ``<mark>`` around the parts whose normalized form holds one of ``terms``
    (already normalized). When letters normalize differently alone than in context, nothing is marked
    rather than the wrong thing."""
    if not text or not terms:
        return Markup(escape(text or ""))
    parts = clusters(text)
    owner: list[int] = []  # normalized char index -> cluster index
    pieces: list[str] = []
    for i, cl in enumerate(parts):
        n = cluster_norm(cl)
        pieces.append(n)
        owner += [i] * len(n)
    norm = "".join(pieces)
    if norm != normalize(text):
        return Markup(escape(text))
    marked = [False] * len(parts)
    for t in terms:
        start = norm.find(t) if t else -1
        while start >= 0:
            for i in range(owner[start], owner[start + len(t) - 1] + 1):
                marked[i] = True
            start = norm.find(t, start + 1)
    out: list[str] = []
    i = 0
    while i < len(parts):
        j = i
        while j < len(parts) and marked[j] == marked[i]:
            j += 1
        chunk = str(escape("".join(parts[i:j])))
        out.append(f"<mark>{chunk}</mark>" if marked[i] else chunk)
        i = j
    return Markup("".join(out))


def highlight(text: str, q: str) -> Markup:
    """Escaped ``text`` with ``<mark>`` around spans whose normalized form holds a term of query ``q``."""
    return highlight_terms(text, query_terms(q))


def rank(q: str, name: str, name_kana: str, key: str) -> int:
    """0 exact name/reading, 1 name/reading prefix, 2 some term in identity part, 3 extras only."""
    terms = query_terms(q)
    joined = "".join(terms)
    if not joined:
        return 3
    forms: list[str] = []
    for variant in _both_orders(_words(name)) + _both_orders(_words(name_kana)):
        forms.append(normalize(variant))
    forms += _romaji_variants([_hepburn(w) for w in _words(name_kana)])
    forms = [f for f in forms if f]
    if joined in forms:
        return 0
    if any(f.startswith(joined) for f in forms):
        return 1
    identity = key.split(EXTRA_SEPARATOR, 1)[0]
    return 2 if any(t in identity for t in terms) else 3
