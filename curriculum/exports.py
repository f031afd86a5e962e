"""Downloads for facilitators: CSV that Excel opens correctly, and zip archives with Japanese names."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from core.dates import to_tokyo
from core.storage import clean_filename

# A cell starting with one of these is taken as a formula by spreadsheet software (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value: Any) -> str:
    """Text for one CSV cell; a leading formula character is neutralised with a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark (Excel then reads Japanese correctly), CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(c) for c in header])
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return (BOM + buffer.getvalue()).encode("utf-8")


def folder_name(text: str) -> str:
    """A folder name made from a person's or team's name (keeps Japanese, drops path characters)."""
    return clean_filename(text).strip(". ") or "_"


def write_zip(
    target: IO[bytes], entries: Iterable[tuple[str, bytes | Path]], *, when: datetime | None = None
) -> int:
    """Write ``(path inside the archive, bytes or file path)`` entries; return how many were written.

    Names are stored as UTF-8 (the zip format's language flag is set by ``zipfile`` for non-ASCII
    names), so 日本語 file names survive on Windows 10+, macOS and Linux. A repeated name gets " (2)".
    """
    seen: set[str] = set()
    stamp = to_tokyo(when).timetuple()[:6] if when else (1980, 1, 1, 0, 0, 0)
    count = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            arcname = _unique(name, seen)
            info = zipfile.ZipInfo(arcname, date_time=stamp)  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_DEFLATED
            data = content.read_bytes() if isinstance(content, Path) else content
            archive.writestr(info, data)
            count += 1
    return count


def _unique(name: str, seen: set[str]) -> str:
    candidate, n = name, 2
    while candidate in seen:
        stem, dot, ext = name.rpartition(".")
        candidate = f"{stem} ({n}).{ext}" if dot and "/" not in ext else f"{name} ({n})"
        n += 1
    seen.add(candidate)
    return candidate
