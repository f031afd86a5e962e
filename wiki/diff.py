"""Readable, word-level diffs for Japanese (and mixed-script) wiki text.

Pure text engine: no Flask, no database.  Japanese has no spaces, so a
"word" is a run of characters of the same script class (see ``tokenize``).

Conventions shared by every function in this module:

* Line endings are normalised first (CRLF and CR become LF), so a change of
  line-ending style is never reported as a change.
* Lines are compared without their terminator and a single final newline
  does not create an extra empty line, so adding or removing the final
  newline of a page is not a change either.
* Matching uses ``TextSequenceMatcher``: ``autojunk`` off (in long Japanese
  paragraphs particles such as 「の」 and 「、」 are frequent and the
  heuristic would throw them away and produce unreadable diffs), except
  for pathological inputs where it is needed to stay fast.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any, Literal, TypeAlias

from markupsafe import Markup, escape

__all__ = [
    "DEFAULT_LABELS",
    "DiffLabels",
    "DiffLine",
    "Hunk",
    "InlineOp",
    "TextSequenceMatcher",
    "diff_stats",
    "inline_diff",
    "line_diff",
    "normalize_newlines",
    "render_diff_html",
    "split_lines",
    "tokenize",
]

OpKind: TypeAlias = Literal["equal", "insert", "delete"]
InlineOp: TypeAlias = tuple[OpKind, str]
LineKind: TypeAlias = Literal["context", "removed", "added"]

#: Below this similarity a changed line is shown as a whole-line replacement.
SIMILARITY_THRESHOLD = 0.3
#: Above this many equal item pairs difflib's autojunk is switched back on.
_MAX_EQUAL_PAIRS = 100_000
#: Largest removed x added block for which lines are paired by similarity.
_MAX_PAIRING_CELLS = 100


# --------------------------------------------------------------------------
# Newlines and lines
# --------------------------------------------------------------------------


def normalize_newlines(text: str) -> str:
    """Turn CRLF and lone CR into LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_lines(text: str) -> list[str]:
    """Split into lines without terminators.

    ``""`` has no lines; ``"\\n"`` is one empty line; a final newline does
    not start an extra empty line (``"a\\n"`` and ``"a"`` are both ``["a"]``).
    Only CR/LF are line breaks (not U+2028 and friends, unlike
    ``str.splitlines``).
    """
    text = normalize_newlines(text)
    if not text:
        return []
    if text.endswith("\n"):
        text = text[:-1]
    return text.split("\n")


class TextSequenceMatcher(difflib.SequenceMatcher[Any]):
    """``difflib.SequenceMatcher`` that keeps frequent items as anchors.

    difflib's ``autojunk`` heuristic ignores items that make up more than
    1% of a long sequence - in Japanese that is 「の」「、」「。」, which
    makes paragraph diffs unreadable - so it is switched off, unless the
    inputs share so many equal items (e.g. hundreds of blank lines on both
    sides of a rewritten page) that difflib would go quadratic.
    Accepts the positional ``(isjunk, a, b)`` call used by ``merge3``; an
    explicit ``autojunk`` overrides the adaptive choice.
    """

    def __init__(
        self,
        isjunk: Any = None,
        a: Sequence[Any] = "",
        b: Sequence[Any] = "",
        autojunk: bool | None = None,
    ) -> None:
        if autojunk is None:
            autojunk = _equal_pairs(a, b) > _MAX_EQUAL_PAIRS
        super().__init__(isjunk, a, b, autojunk=autojunk)


def _equal_pairs(a: Sequence[Any], b: Sequence[Any]) -> int:
    """Number of (i, j) with a[i] == b[j]: what difflib may have to visit."""
    counts = Counter(b)
    return sum(counts[item] for item in a)


# --------------------------------------------------------------------------
# Tokenizer
# --------------------------------------------------------------------------


class _Cls(Enum):
    KANJI = "kanji"
    HIRAGANA = "hiragana"
    KATAKANA = "katakana"
    WORD = "word"
    SPACE = "space"
    NEWLINE = "newline"
    PUNCT = "punct"
    MARK = "mark"  # combining mark: sticks to the previous token
    CHOON = "choon"  # ー: extends a kana run, else katakana


_RUN_CLASSES = frozenset(
    {_Cls.KANJI, _Cls.HIRAGANA, _Cls.KATAKANA, _Cls.WORD, _Cls.SPACE}
)
_KANJI_EXTRA = frozenset("々〆ヶ〇")
_KANJI_RANGES = (
    (0x3400, 0x4DBF),  # CJK Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0x20000, 0x3FFFF),  # Extensions B and later, compatibility supplement
)
_HIRAGANA_RANGES = ((0x3041, 0x309F),)
_KATAKANA_RANGES = (
    (0x30A1, 0x30FA),
    (0x30FD, 0x30FF),
    (0x31F0, 0x31FF),  # phonetic extensions (small ㇰ etc.)
    (0xFF66, 0xFF9F),  # half-width katakana
)


def _in_ranges(code: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(low <= code <= high for low, high in ranges)


@lru_cache(maxsize=8192)
def _classify(char: str) -> _Cls:
    if char in "\r\n":
        return _Cls.NEWLINE
    if char.isspace():
        return _Cls.SPACE
    if char == "ー":
        return _Cls.CHOON
    if char in _KANJI_EXTRA:
        return _Cls.KANJI
    return _classify_by_code(char)


def _classify_by_code(char: str) -> _Cls:
    code = ord(char)
    if _in_ranges(code, _KANJI_RANGES):
        return _Cls.KANJI
    if _in_ranges(code, _HIRAGANA_RANGES):
        return _Cls.HIRAGANA
    if _in_ranges(code, _KATAKANA_RANGES):
        return _Cls.KATAKANA
    if unicodedata.category(char).startswith("M"):
        return _Cls.MARK
    if char.isalnum():
        return _Cls.WORD
    return _Cls.PUNCT


def _joins(previous: _Cls | None, current: _Cls, char: str, prev_char: str) -> bool:
    """Whether ``char`` continues the token whose class is ``previous``."""
    if previous is None:
        return False
    if current is _Cls.NEWLINE:
        return prev_char == "\r" and char == "\n"
    if previous is _Cls.NEWLINE:
        return False
    if current is _Cls.MARK:
        return True
    if current is _Cls.CHOON:
        return previous in (_Cls.HIRAGANA, _Cls.KATAKANA)
    return current is previous and current in _RUN_CLASSES


def _effective(previous: _Cls | None, current: _Cls, joined: bool) -> _Cls:
    """Class of the token after appending a character of class ``current``."""
    if joined and previous is not None:
        return previous
    if current is _Cls.CHOON:
        return _Cls.KATAKANA
    if current is _Cls.MARK:
        return _Cls.PUNCT
    return current


def tokenize(text: str) -> list[str]:
    """Split ``text`` into runs of the same script class.

    Classes: kanji (incl. 々〆ヶ〇), hiragana, katakana (ー extends a
    preceding kana run), letters+digits of other scripts (a "word"),
    whitespace runs, newlines (each ``\\n``, ``\\r`` or ``\\r\\n`` alone) and
    every other character (punctuation, symbols) alone.  Combining marks
    stay with the preceding character.  ``"".join(tokenize(t)) == t``.
    """
    tokens: list[str] = []
    current: list[str] = []
    cls: _Cls | None = None
    prev_char = ""
    for char in text:
        char_cls = _classify(char)
        joined = _joins(cls, char_cls, char, prev_char)
        if not joined and current:
            tokens.append("".join(current))
            current = []
        current.append(char)
        cls = _effective(cls, char_cls, joined)
        prev_char = char
    if current:
        tokens.append("".join(current))
    return tokens


# --------------------------------------------------------------------------
# Inline (token-level) diff
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Change:
    deleted: str
    inserted: str


_Piece: TypeAlias = "str | _Change"


def _token_pieces(a_tokens: list[str], b_tokens: list[str]) -> list[_Piece]:
    matcher = TextSequenceMatcher(None, a_tokens, b_tokens)
    pieces: list[_Piece] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        deleted = "".join(a_tokens[i1:i2])
        inserted = "".join(b_tokens[j1:j2])
        pieces.append(deleted if tag == "equal" else _Change(deleted, inserted))
    return pieces


def _char_ratio(pieces: list[_Piece], a: str, b: str) -> float:
    """Similarity 0..1 weighted by characters (kanji tokens are short)."""
    total = len(a) + len(b)
    if total == 0:
        return 1.0
    matched = sum(len(piece) for piece in pieces if isinstance(piece, str))
    return 2.0 * matched / total


def _absorbable(equal: str, before: _Change, after: _Change) -> bool:
    """A short equality sandwiched between changes only makes confetti."""
    size = len(equal)
    return size <= max(len(before.deleted), len(before.inserted)) and size <= max(
        len(after.deleted), len(after.inserted)
    )


def _absorb_short_equalities(pieces: list[_Piece]) -> list[_Piece]:
    out: list[_Piece] = []
    for piece in pieces:
        if isinstance(piece, _Change) and len(out) >= 2:
            equal, before = out[-1], out[-2]
            if (
                isinstance(equal, str)
                and isinstance(before, _Change)
                and _absorbable(equal, before, piece)
            ):
                del out[-2:]
                piece = _Change(
                    before.deleted + equal + piece.deleted,
                    before.inserted + equal + piece.inserted,
                )
        out.append(piece)
    return out


def _flatten(pieces: list[_Piece]) -> list[InlineOp]:
    ops: list[InlineOp] = []
    for piece in pieces:
        if isinstance(piece, str):
            _append_op(ops, "equal", piece)
        else:
            _append_op(ops, "delete", piece.deleted)
            _append_op(ops, "insert", piece.inserted)
    return ops


def _append_op(ops: list[InlineOp], kind: OpKind, text: str) -> None:
    """Append, skipping empty text and merging with a same-kind neighbour."""
    if not text:
        return
    if ops and ops[-1][0] == kind:
        ops[-1] = (kind, ops[-1][1] + text)
    else:
        ops.append((kind, text))


def _whole_line(a_line: str, b_line: str) -> list[InlineOp]:
    ops: list[InlineOp] = []
    _append_op(ops, "delete", a_line)
    _append_op(ops, "insert", b_line)
    return ops


@lru_cache(maxsize=256)  # line pairing and rendering ask for the same pairs
def _inline_ops(a_line: str, b_line: str) -> tuple[tuple[InlineOp, ...], float]:
    """Inline ops and the character similarity of the two lines."""
    if a_line == b_line:
        return ((("equal", a_line),) if a_line else ()), 1.0
    pieces = _token_pieces(tokenize(a_line), tokenize(b_line))
    ratio = _char_ratio(pieces, a_line, b_line)
    if ratio < SIMILARITY_THRESHOLD:
        return tuple(_whole_line(a_line, b_line)), ratio
    return tuple(_flatten(_absorb_short_equalities(pieces))), ratio


def inline_diff(a_line: str, b_line: str) -> list[InlineOp]:
    """Token-level ops turning ``a_line`` into ``b_line``.

    Returns ``("equal" | "insert" | "delete", text)`` pairs; adjacent ops of
    the same kind are merged and short equalities squeezed between two
    changes are folded into them.  If the lines are too different
    (character similarity < 0.3) the result is a whole-line delete followed
    by a whole-line insert.  Empty texts never appear in the result.
    """
    return list(_inline_ops(a_line, b_line)[0])


# --------------------------------------------------------------------------
# Line diff
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffLine:
    """One line of a hunk.

    ``old_lineno`` / ``new_lineno`` are 1-based; ``None`` on the side where
    the line does not exist.  ``segments`` is set on a removed/added line
    that was paired with a similar line on the other side: for a removed
    line it holds ``"equal"``/``"delete"`` ops, for an added line
    ``"equal"``/``"insert"`` ops, and joining their texts gives ``text``.
    It is empty for context lines and for unpaired (whole) changes.
    """

    kind: LineKind
    text: str
    old_lineno: int | None
    new_lineno: int | None
    segments: tuple[InlineOp, ...] = ()


@dataclass(frozen=True)
class Hunk:
    """A group of changes with surrounding context, as in a unified diff.

    ``old_start``/``new_start`` are 1-based; when a side has a count of 0
    the start is the line *after which* the change happens (0 = top), as in
    ``diff -u``.
    """

    old_start: int
    old_count: int
    new_start: int
    new_count: int
    lines: tuple[DiffLine, ...]


_Opcode: TypeAlias = tuple[str, int, int, int, int]


def _hunk_start(start: int, count: int) -> int:
    return start + 1 if count else start


def _context_lines(a_lines: list[str], op: _Opcode) -> Iterator[DiffLine]:
    _, i1, i2, j1, _ = op
    for offset in range(i2 - i1):
        yield DiffLine("context", a_lines[i1 + offset], i1 + offset + 1, j1 + offset + 1)


def _pair_positions(removed: list[str], added: list[str]) -> dict[int, int]:
    """Pair removed lines with added lines (monotone, best similarity).

    Small blocks use a weighted LCS on line similarity so an inserted
    paragraph does not steal the pairing of an edited one; big blocks fall
    back to positional pairing.
    """
    if len(removed) * len(added) > _MAX_PAIRING_CELLS:
        return {k: k for k in range(min(len(removed), len(added)))}
    scores = [[_pair_score(r, a) for a in added] for r in removed]
    return _best_monotone_pairs(scores)


def _pair_score(removed: str, added: str) -> float:
    ratio = _inline_ops(removed, added)[1]
    return ratio if ratio >= SIMILARITY_THRESHOLD else 0.0


def _best_monotone_pairs(scores: list[list[float]]) -> dict[int, int]:
    rows = len(scores)
    cols = len(scores[0]) if scores else 0
    best = [[0.0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(cols - 1, -1, -1):
            take = scores[i][j] + best[i + 1][j + 1] if scores[i][j] > 0 else 0.0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    return _trace_pairs(scores, best)


def _trace_pairs(scores: list[list[float]], best: list[list[float]]) -> dict[int, int]:
    pairs: dict[int, int] = {}
    i = j = 0
    while i < len(scores) and j < len(scores[0]):
        if scores[i][j] > 0 and best[i][j] == scores[i][j] + best[i + 1][j + 1]:
            pairs[i] = j
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def _changed_lines(a_lines: list[str], b_lines: list[str], op: _Opcode) -> Iterator[DiffLine]:
    _, i1, i2, j1, j2 = op
    removed, added = a_lines[i1:i2], b_lines[j1:j2]
    pairs = _pair_positions(removed, added)
    added_segments: dict[int, tuple[InlineOp, ...]] = {}
    for k, text in enumerate(removed):
        segments: tuple[InlineOp, ...] = ()
        ops, ratio = _inline_ops(text, added[pairs[k]]) if k in pairs else ((), 0.0)
        if ratio >= SIMILARITY_THRESHOLD:
            segments = tuple(o for o in ops if o[0] != "insert")
            added_segments[pairs[k]] = tuple(o for o in ops if o[0] != "delete")
        yield DiffLine("removed", text, i1 + k + 1, None, segments)
    for k, text in enumerate(added):
        yield DiffLine("added", text, None, j1 + k + 1, added_segments.get(k, ()))


def _hunk(a_lines: list[str], b_lines: list[str], group: list[_Opcode]) -> Hunk:
    lines: list[DiffLine] = []
    for op in group:
        if op[0] == "equal":
            lines.extend(_context_lines(a_lines, op))
        else:
            lines.extend(_changed_lines(a_lines, b_lines, op))
    first, last = group[0], group[-1]
    old_count, new_count = last[2] - first[1], last[4] - first[3]
    return Hunk(
        old_start=_hunk_start(first[1], old_count),
        old_count=old_count,
        new_start=_hunk_start(first[3], new_count),
        new_count=new_count,
        lines=tuple(lines),
    )


def line_diff(a: str, b: str, context: int = 3) -> list[Hunk]:
    """Line-oriented diff grouped into hunks with ``context`` lines around.

    Identical texts (after newline normalisation) give ``[]``.  Changed
    lines that pair up with a similar line carry inline ``segments``.
    """
    a_lines, b_lines = split_lines(a), split_lines(b)
    if a_lines == b_lines:
        return []
    matcher = TextSequenceMatcher(None, a_lines, b_lines)
    return [
        _hunk(a_lines, b_lines, group)
        for group in matcher.get_grouped_opcodes(max(context, 0))
    ]


# --------------------------------------------------------------------------
# HTML rendering
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffLabels:
    """Screen-reader / header texts; pass translated ones from the UI."""

    removed: str = "削除"
    added: str = "追加"
    old: str = "旧"
    new: str = "新"


DEFAULT_LABELS = DiffLabels()

_SIGNS: dict[LineKind, str] = {"context": " ", "removed": "−", "added": "+"}
_INLINE_TAGS: dict[OpKind, str] = {"delete": "del", "insert": "ins"}


def _range_text(start: int, count: int) -> str:
    if count == 0:
        return "—"
    if count == 1:
        return str(start)
    return f"{start}–{start + count - 1}"


def _render_header(hunk: Hunk, labels: DiffLabels) -> Markup:
    return Markup(
        '<p class="diff-hunk-header">'
        '<span class="diff-range diff-range-old">{} {}</span> '
        '<span class="diff-range diff-range-new">{} {}</span></p>'
    ).format(
        labels.old,
        _range_text(hunk.old_start, hunk.old_count),
        labels.new,
        _range_text(hunk.new_start, hunk.new_count),
    )


def _render_text(line: DiffLine) -> Markup:
    if not line.segments:
        return escape(line.text)
    parts: list[Markup] = []
    for kind, text in line.segments:
        tag = _INLINE_TAGS.get(kind)
        if tag is None:
            parts.append(escape(text))
        else:
            parts.append(Markup("<{0}>{1}</{0}>").format(Markup(tag), text))
    return Markup("").join(parts)


def _render_lineno(side: str, number: int | None) -> Markup:
    return Markup('<span class="diff-lineno diff-lineno-{}">{}</span>').format(
        side, "" if number is None else number
    )


def _sr_label(line: DiffLine, labels: DiffLabels) -> Markup:
    text = {"removed": labels.removed, "added": labels.added}.get(line.kind)
    if not text:
        return Markup("")
    return Markup('<span class="visually-hidden">{}: </span>').format(text)


def _render_line(line: DiffLine, labels: DiffLabels) -> Markup:
    return Markup(
        '<li class="diff-line diff-line-{kind}">{old}{new}'
        '<span class="diff-sign" aria-hidden="true">{sign}</span>'
        '{label}<span class="diff-text">{text}</span></li>'
    ).format(
        kind=line.kind,
        old=_render_lineno("old", line.old_lineno),
        new=_render_lineno("new", line.new_lineno),
        sign=_SIGNS[line.kind],
        label=_sr_label(line, labels),
        text=_render_text(line),
    )


def _render_hunk(hunk: Hunk, labels: DiffLabels) -> Markup:
    lines = Markup("\n").join(_render_line(line, labels) for line in hunk.lines)
    return Markup(
        '<li class="diff-hunk">{}\n<ol class="diff-lines">\n{}\n</ol></li>'
    ).format(_render_header(hunk, labels), lines)


def render_diff_html(
    a: str, b: str, context: int = 3, *, labels: DiffLabels = DEFAULT_LABELS
) -> Markup:
    """Render the diff of ``a`` → ``b`` as accessible, CSP-safe HTML.

    Output is ``<ol class="diff-hunks">`` with one ``<li class="diff-hunk">``
    per hunk, each holding a header and ``<ol class="diff-lines">`` whose
    items have class ``diff-line-context`` / ``-removed`` / ``-added``, line
    numbers, a sign hidden from screen readers, a visually hidden label and
    the text (``<del>``/``<ins>`` inside paired changed lines).  All text is
    escaped; no ``style`` attributes or scripts.  Identical inputs give
    ``<ol class="diff-hunks diff-hunks-empty"></ol>`` - the caller shows a
    "no changes" message.
    """
    hunks = line_diff(a, b, context)
    if not hunks:
        return Markup('<ol class="diff-hunks diff-hunks-empty"></ol>')
    body = Markup("\n").join(_render_hunk(hunk, labels) for hunk in hunks)
    return Markup('<ol class="diff-hunks">\n{}\n</ol>').format(body)


# --------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------


def _block_stats(removed: list[str], added: list[str]) -> tuple[int, int]:
    """Characters added/removed between two replaced line blocks."""
    a_tokens = tokenize("\n".join(removed))
    b_tokens = tokenize("\n".join(added))
    plus = minus = 0
    for piece in _token_pieces(a_tokens, b_tokens):
        if isinstance(piece, _Change):
            plus += len(piece.inserted)
            minus += len(piece.deleted)
    return plus, minus


def _line_block_size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def diff_stats(a: str, b: str) -> tuple[int, int]:
    """``(added, removed)`` character counts for a history list (+123/−45).

    Each whole added/removed line counts its newline; inside replaced
    blocks characters are counted on a token-level diff.  Newline style
    and a missing final newline are not counted (see module docstring).
    """
    a_lines, b_lines = split_lines(a), split_lines(b)
    if not a_lines or not b_lines:  # no newline between nothing and a line
        return len("\n".join(b_lines)), len("\n".join(a_lines))
    plus = minus = 0
    for tag, i1, i2, j1, j2 in TextSequenceMatcher(None, a_lines, b_lines).get_opcodes():
        if tag == "insert":
            plus += _line_block_size(b_lines[j1:j2])
        elif tag == "delete":
            minus += _line_block_size(a_lines[i1:i2])
        elif tag == "replace":
            block_plus, block_minus = _block_stats(a_lines[i1:i2], b_lines[j1:j2])
            plus, minus = plus + block_plus, minus + block_minus
    return plus, minus
