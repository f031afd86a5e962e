"""Three-way merge of concurrent wiki saves ("a team never loses a paragraph").

Pure text engine: no Flask, no database.  Line-based diff3 via ``merge3``
(from the Breezy project), with a token-level second pass for paragraphs
that are a single long line, as Japanese paragraphs usually are.

Nothing is ever dropped: every conflicting region keeps both versions in
the merged text, between markers a non-programmer can read::

    <<<<<<< あなたの編集 / your edit
    (your lines)
    =======
    (the other person's lines)
    >>>>>>> 他の人の編集 / other edit
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import merge3

from wiki.diff import TextSequenceMatcher, normalize_newlines, split_lines, tokenize

__all__ = [
    "DEFAULT_OURS_LABEL",
    "DEFAULT_THEIRS_LABEL",
    "Conflict",
    "MergeResult",
    "has_conflict_markers",
    "merge",
]

DEFAULT_OURS_LABEL = "あなたの編集 / your edit"
DEFAULT_THEIRS_LABEL = "他の人の編集 / other edit"

START_MARKER = "<<<<<<<"
MID_MARKER = "======="
END_MARKER = ">>>>>>>"

# "=======" alone is a Markdown setext heading underline, so only the start
# and end markers (exactly seven characters, then a space or end of line)
# are looked for.  Either one alone is enough: a half-resolved conflict
# (one side and the middle marker deleted) must still be refused.
_MARKER_LINE = re.compile(r"^(?:<{7}|>{7})(?:[ \t].*)?$")
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")


@dataclass(frozen=True)
class Conflict:
    """One region both sides changed differently.

    ``base``/``ours``/``theirs`` are the region's text, every line ending
    in ``\\n`` (so ``""`` means that side has no lines there, e.g. deleted
    them, and ``"\\n"`` is one empty line).
    ``start_line``/``end_line`` are 1-based, inclusive line numbers in
    ``MergeResult.text`` of the start marker and end marker lines.
    """

    base: str
    ours: str
    theirs: str
    start_line: int
    end_line: int


@dataclass(frozen=True)
class MergeResult:
    """Merged text, its conflicts, and ``clean`` (= no conflicts)."""

    text: str
    conflicts: list[Conflict]
    clean: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "clean", not self.conflicts)


@dataclass(frozen=True)
class _Document:
    lines: list[str]
    ends_with_newline: bool


@dataclass(frozen=True)
class _Labels:
    ours: str
    theirs: str


def _parse(text: str) -> _Document:
    normalized = normalize_newlines(text)
    return _Document(split_lines(normalized), normalized.endswith("\n"))


def _merged_flag(base: bool, ours: bool, theirs: bool) -> bool:
    """Three-way merge of a boolean: a side that changed it wins."""
    return ours if ours != base else theirs


def _marker(symbol: str, label: str) -> str:
    label = _LINE_BREAKS.sub(" ", label).strip()
    return f"{symbol} {label}" if label else symbol


def _match3(base: Sequence[str], ours: Sequence[str], theirs: Sequence[str]) -> merge3.Merge3[str]:
    # merge3's protocol wants list[tuple] from get_matching_blocks; difflib's
    # list[Match] (a tuple subclass) trips list invariance, even for difflib's own class.
    return merge3.Merge3(
        base, ours, theirs, sequence_matcher=TextSequenceMatcher  # type: ignore[arg-type]
    )


def _merge_single_line(base: str, ours: str, theirs: str) -> str | None:
    """Token-level merge of one paragraph line; ``None`` if it conflicts."""
    merged: list[str] = []
    for group in _match3(tokenize(base), tokenize(ours), tokenize(theirs)).merge_groups():
        if group[0] == "conflict":
            return None
        merged.extend(group[1])
    return "".join(merged)


def _region(lines: Sequence[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


class _Builder:
    """Accumulates merged lines and records conflict positions."""

    def __init__(self, labels: _Labels) -> None:
        self.labels = labels
        self.lines: list[str] = []
        self.conflicts: list[Conflict] = []

    def add(self, lines: Sequence[str]) -> None:
        self.lines.extend(lines)

    def add_region(self, base: Sequence[str], ours: Sequence[str], theirs: Sequence[str]) -> None:
        if len(base) == len(ours) == len(theirs) == 1:
            merged = _merge_single_line(base[0], ours[0], theirs[0])
            if merged is not None:
                self.lines.append(merged)
                return
        self.add_conflict(base, ours, theirs)

    def add_conflict(self, base: Sequence[str], ours: Sequence[str], theirs: Sequence[str]) -> None:
        start = len(self.lines) + 1
        self.lines.append(_marker(START_MARKER, self.labels.ours))
        self.lines.extend(ours)
        self.lines.append(MID_MARKER)
        self.lines.extend(theirs)
        self.lines.append(_marker(END_MARKER, self.labels.theirs))
        self.conflicts.append(
            Conflict(_region(base), _region(ours), _region(theirs), start, len(self.lines))
        )


def _merge_lines(base: _Document, ours: _Document, theirs: _Document, labels: _Labels) -> _Builder:
    builder = _Builder(labels)
    for group in _match3(base.lines, ours.lines, theirs.lines).merge_groups():
        if group[0] == "conflict":
            builder.add_region(group[1], group[2], group[3])
        else:
            builder.add(group[1])
    return builder


def _join(lines: list[str], ends_with_newline: bool) -> str:
    if not lines:
        return ""
    return "\n".join(lines) + ("\n" if ends_with_newline else "")


def merge(
    base: str,
    ours: str,
    theirs: str,
    *,
    ours_label: str = DEFAULT_OURS_LABEL,
    theirs_label: str = DEFAULT_THEIRS_LABEL,
) -> MergeResult:
    """Merge ``ours`` (the editor's text) and ``theirs`` (current latest),
    both descended from ``base`` (the revision the edit started from).

    Newlines are normalised to LF; the result ends with a newline if the
    side that changed that property says so (else as ``base``).  Changes in
    different places merge; identical changes merge; a region both sides
    changed differently is tried token by token when it is a single line on
    every side, otherwise (or if that still overlaps) it becomes a conflict
    whose two versions are both kept in ``text`` between marker lines.
    Labels are put on the marker lines (line breaks in them become spaces).
    """
    docs = _parse(base), _parse(ours), _parse(theirs)
    builder = _merge_lines(*docs, _Labels(ours_label, theirs_label))
    flag = _merged_flag(*(doc.ends_with_newline for doc in docs))
    return MergeResult(_join(builder.lines, flag), builder.conflicts)


def has_conflict_markers(text: str) -> bool:
    """True if ``text`` still contains a conflict start or end marker line.

    Use it to refuse a save.  Matches any label (translated or not); a
    lone ``=======`` line is *not* a marker (it is a Markdown heading
    underline).
    """
    return any(_MARKER_LINE.match(line) for line in split_lines(text))
