"""Curriculum modules: files → database, a cohort's view of them (with adaptations), progress."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import and_, delete, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from curriculum.models import Cohort, Enrolment, Module, ModuleOverride, ModuleProgress
from curriculum.moduletext import MODULE_DIR, ModuleText, load_dir
from curriculum.services import Conflict, Refused
from people import services as people
from people.models import User


def sync_modules(session: Session, *, now: datetime, directory: Path = MODULE_DIR) -> str:
    """Bring the module files into the database: add new, update changed, retire removed ones.

    Retired modules keep their progress marks and adaptations; a file that comes back revives them.
    """
    texts = load_dir(directory)
    existing = {m.slug: m for m in session.scalars(select(Module))}
    added = changed = retired = 0
    for text in texts:
        module = existing.pop(text.slug, None)
        if module is None:
            module = Module(slug=text.slug)
            session.add(module)
            added += 1
        elif module.source_hash == text.source_hash and module.retired_at is None:
            continue
        else:
            changed += 1
        _copy(text, module)
        module.retired_at = None
    for module in existing.values():
        if module.retired_at is None:
            module.retired_at = now
            retired += 1
    session.flush()
    return f"{len(texts)} modules ({added} added, {changed} updated, {retired} retired)"


def _copy(text: ModuleText, module: Module) -> None:
    module.order, module.title_ja, module.title_en = text.order, text.title_ja, text.title_en
    module.summary_en, module.minutes, module.body = text.summary_en, text.minutes, text.body
    module.goals_ja, module.goals_en = list(text.goals_ja), list(text.goals_en)
    module.related_cases, module.source_hash = list(text.related_cases), text.source_hash


@dataclass
class CohortModule:
    """A module as a cohort sees it: the adaptation's text where there is one."""

    module: Module
    override: ModuleOverride | None
    done_at: datetime | None = None

    @property
    def slug(self) -> str:
        return self.module.slug

    def title(self, locale: str = "ja") -> str:
        if self.override is not None and locale != "en":
            return self.override.title_ja
        return self.module.title(locale)

    @property
    def body(self) -> str:
        return self.override.body if self.override is not None else self.module.body

    @property
    def minutes(self) -> int:
        return self.override.minutes if self.override is not None else self.module.minutes

    @property
    def original_changed(self) -> bool:
        """The file changed after the facilitator adapted it: worth a look."""
        return self.override is not None and self.override.base_hash != self.module.source_hash


def active_modules(session: Session) -> list[Module]:
    return list(
        session.scalars(select(Module).where(Module.retired_at.is_(None)).order_by(Module.order, Module.slug))
    )


def get_module(session: Session, slug: str) -> Module | None:
    return session.scalar(select(Module).where(Module.slug == slug, Module.retired_at.is_(None)))


def cohort_modules(session: Session, cohort: Cohort, *, user: User | None = None) -> list[CohortModule]:
    """Every active module with this cohort's adaptation and the person's mark, in one query."""
    done_at = ModuleProgress.done_at if user is not None else literal(None)
    query = (
        select(Module, ModuleOverride, done_at)
        .outerjoin(
            ModuleOverride, and_(ModuleOverride.module_id == Module.id, ModuleOverride.cohort_id == cohort.id)
        )
        .where(Module.retired_at.is_(None))
        .order_by(Module.order, Module.slug)
    )
    if user is not None:
        query = query.outerjoin(
            ModuleProgress,
            and_(
                ModuleProgress.module_id == Module.id,
                ModuleProgress.cohort_id == cohort.id,
                ModuleProgress.user_id == user.id,
            ),
        )
    return [CohortModule(m, o, d) for m, o, d in session.execute(query).all()]


def cohort_module(
    session: Session, cohort: Cohort, module: Module, *, user: User | None = None
) -> CohortModule:
    override = session.scalar(
        select(ModuleOverride).where(
            ModuleOverride.cohort_id == cohort.id, ModuleOverride.module_id == module.id
        )
    )
    done_at = None
    if user is not None:
        done_at = session.scalar(
            select(ModuleProgress.done_at).where(
                ModuleProgress.cohort_id == cohort.id,
                ModuleProgress.module_id == module.id,
                ModuleProgress.user_id == user.id,
            )
        )
    return CohortModule(module, override, done_at)


def mark_done(session: Session, cohort: Cohort, module: Module, user: User, *, now: datetime) -> None:
    """Idempotent: marking twice keeps the first mark."""
    if cohort.is_closed:
        raise Refused("cohort_closed")
    exists = session.scalar(
        select(ModuleProgress.id).where(
            ModuleProgress.cohort_id == cohort.id,
            ModuleProgress.module_id == module.id,
            ModuleProgress.user_id == user.id,
        )
    )
    if exists is not None:
        return
    session.add(ModuleProgress(cohort_id=cohort.id, module_id=module.id, user_id=user.id, done_at=now))
    try:
        session.flush()
    except IntegrityError as exc:  # a double click raced us; the mark is there either way
        raise Conflict("already_done") from exc


def undo_done(session: Session, cohort: Cohort, module: Module, user: User) -> None:
    if cohort.is_closed:
        raise Refused("cohort_closed")
    session.execute(
        delete(ModuleProgress).where(
            ModuleProgress.cohort_id == cohort.id,
            ModuleProgress.module_id == module.id,
            ModuleProgress.user_id == user.id,
        )
    )
    session.flush()


def save_override(
    session: Session,
    cohort: Cohort,
    module: Module,
    *,
    title_ja: str,
    body: str,
    minutes: int,
    note: str,
    base_version: int,
    actor: User,
) -> ModuleOverride:
    """Adapt a module for a cohort. ``base_version`` is the version the form showed (0: none yet);
    if someone saved in between, the save is refused and nothing is overwritten."""
    if cohort.is_closed:
        raise Refused("cohort_closed")
    if minutes < 0:
        raise Refused("minutes_negative", "minutes")
    override = session.scalar(
        select(ModuleOverride).where(
            ModuleOverride.cohort_id == cohort.id, ModuleOverride.module_id == module.id
        )
    )
    current = override.version if override is not None else 0
    if current != base_version:
        raise Conflict(
            "override_stale",
            "body",
            name=override.updated_by.name if override and override.updated_by else "",
        )
    if override is None:
        override = ModuleOverride(cohort_id=cohort.id, module_id=module.id, version=0)
        session.add(override)
    override.title_ja, override.body, override.minutes = title_ja.strip(), body, minutes
    override.note = note.strip()
    override.base_hash = module.source_hash
    override.version += 1
    override.updated_by_id = actor.id
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("override_stale", "body", name="") from exc
    people.audit(session, actor, "module.adapt", override, f"{cohort.fiscal_year} {module.slug}")
    return override


def reset_override(session: Session, cohort: Cohort, module: Module, *, actor: User) -> None:
    """Back to the original text for this cohort."""
    if cohort.is_closed:
        raise Refused("cohort_closed")
    override = session.scalar(
        select(ModuleOverride).where(
            ModuleOverride.cohort_id == cohort.id, ModuleOverride.module_id == module.id
        )
    )
    if override is not None:
        people.audit(session, actor, "module.reset", override, f"{cohort.fiscal_year} {module.slug}")
        session.delete(override)
        session.flush()


@dataclass
class Progress:
    """Who has marked which module done, with summaries per person and per city."""

    modules: list[Module]
    people: list[Enrolment]
    done: dict[tuple[int, int], datetime]  # (user_id, module_id) -> when

    def is_done(self, user_id: int, module_id: int) -> bool:
        return (user_id, module_id) in self.done

    def person_count(self, user_id: int) -> int:
        return sum(1 for m in self.modules if (user_id, m.id) in self.done)

    def percent(self, user_id: int) -> int:
        return round(100 * self.person_count(user_id) / len(self.modules)) if self.modules else 0

    def by_city(self) -> list[tuple[object, int, int]]:
        """(city, people, percent of module marks done) per city, in city order."""
        groups: dict[int, list[Enrolment]] = defaultdict(list)
        for e in self.people:
            groups[e.city_id].append(e)
        rows = []
        for members in groups.values():
            total = len(members) * len(self.modules)
            marks = sum(self.person_count(e.user_id) for e in members)
            rows.append((members[0].city, len(members), round(100 * marks / total) if total else 0))
        return sorted(rows, key=lambda r: (r[0].sort_order, r[0].code))  # type: ignore[attr-defined]

    def module_count(self, module_id: int) -> int:
        return sum(1 for e in self.people if (e.user_id, module_id) in self.done)


def progress(session: Session, cohort: Cohort, enrolments: list[Enrolment]) -> Progress:
    user_ids = [e.user_id for e in enrolments]
    done = {}
    if user_ids:
        rows = session.execute(
            select(ModuleProgress.user_id, ModuleProgress.module_id, ModuleProgress.done_at).where(
                ModuleProgress.cohort_id == cohort.id, ModuleProgress.user_id.in_(user_ids)
            )
        )
        done = {(u, m): at for u, m, at in rows}
    return Progress(active_modules(session), enrolments, done)
