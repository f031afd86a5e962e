"""Reading a module file: YAML front matter between ``---`` lines, then the Markdown body."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MODULE_DIR = Path(__file__).resolve().parent / "modules"
SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
_FRONT_RE = re.compile(r"\A---\s*\n(.*?)\n---\s*\n(.*)\Z", re.S)


class ModuleFileError(ValueError):
    """A module file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class ModuleText:
    slug: str
    order: int
    title_ja: str
    title_en: str
    summary_en: str
    goals_ja: tuple[str, ...]
    goals_en: tuple[str, ...]
    minutes: int
    related_cases: tuple[str, ...]
    body: str
    source_hash: str


def _strings(meta: dict[str, Any], key: str, name: str) -> tuple[str, ...]:
    value = meta.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ModuleFileError(f"{name}: {key} must be a list of strings")
    return tuple(v.strip() for v in value if v.strip())


def parse(text: str, name: str = "module") -> ModuleText:
    match = _FRONT_RE.match(text.replace("\r\n", "\n"))
    if not match:
        raise ModuleFileError(f"{name}: no front matter (--- … ---) at the top")
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise ModuleFileError(f"{name}: front matter is not valid YAML ({exc})") from exc
    if not isinstance(meta, dict):
        raise ModuleFileError(f"{name}: front matter must be a mapping")
    missing = [k for k in ("slug", "order", "title_ja", "title_en") if not meta.get(k) and meta.get(k) != 0]
    if missing:
        raise ModuleFileError(f"{name}: missing {', '.join(missing)}")
    slug = str(meta["slug"])
    if not SLUG_RE.fullmatch(slug):
        raise ModuleFileError(f"{name}: slug {slug!r} must be lower-case letters, digits and hyphens")
    try:
        order, minutes = int(meta["order"]), int(meta.get("minutes") or 0)
    except (TypeError, ValueError) as exc:
        raise ModuleFileError(f"{name}: order and minutes must be whole numbers") from exc
    if minutes < 0:
        raise ModuleFileError(f"{name}: minutes must not be negative")
    return ModuleText(
        slug=slug,
        order=order,
        title_ja=str(meta["title_ja"]).strip(),
        title_en=str(meta["title_en"]).strip(),
        summary_en=str(meta.get("summary_en") or "").strip(),
        goals_ja=_strings(meta, "goals_ja", name),
        goals_en=_strings(meta, "goals_en", name),
        minutes=minutes,
        related_cases=_strings(meta, "related_cases", name),
        body=match.group(2).strip() + "\n",
        source_hash=hashlib.sha256(text.encode()).hexdigest(),
    )


def load_dir(directory: Path = MODULE_DIR) -> list[ModuleText]:
    """Every ``*.md`` in ``directory``, in module order; two files with one slug are refused."""
    found = [parse(p.read_text(encoding="utf-8"), p.name) for p in sorted(directory.glob("*.md"))]
    slugs = [m.slug for m in found]
    duplicates = sorted({s for s in slugs if slugs.count(s) > 1})
    if duplicates:
        raise ModuleFileError(f"slug used by more than one file: {', '.join(duplicates)}")
    return sorted(found, key=lambda m: (m.order, m.slug))
