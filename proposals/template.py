"""The 提案書 template of a cohort: seeded from the defaults, then shaped by the secretariat.

Sections and criteria are never deleted, only retired: proposals and snapshots keep the text they
wrote under a heading that later left the template.
"""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from core.errors import DomainError
from curriculum.models import Cohort
from people.models import User
from proposals.defaults import DEFAULT_CRITERIA, DEFAULT_INTRO, DEFAULT_SECTIONS
from proposals.models import LEVELS, ProposalTemplate, TemplateCriterion, TemplateSection

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def template_for(session: Session, cohort_id: int) -> ProposalTemplate | None:
    return session.scalar(select(ProposalTemplate).where(ProposalTemplate.cohort_id == cohort_id)
                          .options(selectinload(ProposalTemplate.sections), selectinload(ProposalTemplate.criteria)))


def default_template(cohort_id: int, *, actor: User | None = None) -> ProposalTemplate:
    """A template built from the defaults, not yet in any session (pages that only read use it as is)."""
    template = ProposalTemplate(cohort_id=cohort_id, intro=DEFAULT_INTRO, updated_by_id=actor.id if actor else None)
    for n, spec in enumerate(DEFAULT_SECTIONS, start=1):
        template.sections.append(TemplateSection(
            key=spec.key, position=n * 10, heading=spec.heading, guidance=spec.guidance, min_chars=spec.min_chars,
            max_chars=spec.max_chars, required=True, single_line=spec.single_line))
    for n, spec in enumerate(DEFAULT_CRITERIA, start=1):
        criterion = TemplateCriterion(key=spec.key, position=n * 10, name=spec.name, description=spec.description)
        for level, text in zip(LEVELS, spec.levels, strict=True):
            setattr(criterion, f"level_{level}", text)
        template.criteria.append(criterion)
    return template


def template_or_default(session: Session, cohort_id: int) -> ProposalTemplate:
    """For reading: the cohort's template, or the defaults when the secretariat has not made one yet."""
    return template_for(session, cohort_id) or default_template(cohort_id)


def ensure_template(session: Session, cohort: Cohort, *, actor: User | None = None) -> ProposalTemplate:
    """The cohort's template, created from the defaults on first use (for writing)."""
    found = template_for(session, cohort.id)
    if found is not None:
        return found
    template = default_template(cohort.id, actor=actor)
    try:
        with session.begin_nested():
            session.add(template)
            session.flush()
    except IntegrityError:  # made by someone else at the same moment
        found = template_for(session, cohort.id)
        assert found is not None
        return found
    return template


def _check_lengths(min_chars: int | None, max_chars: int | None) -> None:
    if min_chars is not None and max_chars is not None and min_chars > max_chars:
        raise DomainError("min_gt_max", field="max_chars")


def _unique_key(existing: set[str], wanted: str) -> str:
    base = wanted if KEY_RE.match(wanted) else "section"
    key, n = base, 2
    while key in existing:
        key = f"{base[:36]}_{n}"
        n += 1
    return key


def update_intro(template: ProposalTemplate, intro: str, *, actor: User) -> None:
    template.intro = intro.strip()
    template.updated_by_id = actor.id


def add_section(session: Session, template: ProposalTemplate, *, heading: str, guidance: str,
                min_chars: int | None, max_chars: int | None, required: bool, actor: User) -> TemplateSection:
    _check_lengths(min_chars, max_chars)
    key = _unique_key({s.key for s in template.sections}, f"s{len(template.sections) + 1}")
    position = max((s.position for s in template.sections), default=0) + 10
    section = TemplateSection(key=key, position=position, heading=heading.strip(), guidance=guidance.strip(),
                              min_chars=min_chars, max_chars=max_chars, required=required)
    template.sections.append(section)
    template.updated_by_id = actor.id
    session.flush()
    return section


def update_section(section: TemplateSection, *, heading: str, guidance: str, min_chars: int | None,
                   max_chars: int | None, required: bool, actor: User) -> None:
    _check_lengths(min_chars, max_chars)
    section.heading = heading.strip()
    section.guidance = guidance.strip()
    section.min_chars, section.max_chars = min_chars, max_chars
    section.required = required
    section.template.updated_by_id = actor.id


def set_retired(section_or_criterion: TemplateSection | TemplateCriterion, retired: bool, *, now: datetime,
                actor: User) -> None:
    if isinstance(section_or_criterion, TemplateSection) and section_or_criterion.single_line and retired:
        raise DomainError("title_required")  # the 提案名 cannot leave the template
    section_or_criterion.retired_at = now if retired else None
    section_or_criterion.template.updated_by_id = actor.id


def move(items: list[TemplateSection] | list[TemplateCriterion], item: TemplateSection | TemplateCriterion,
         direction: int) -> None:
    """Swap an item with its neighbour (direction -1 = up, +1 = down); positions are renumbered."""
    ordered = list(items)
    i = ordered.index(item)  # type: ignore[arg-type]
    j = i + direction
    if 0 <= j < len(ordered):
        ordered[i], ordered[j] = ordered[j], ordered[i]
    for n, it in enumerate(ordered, start=1):
        it.position = n * 10


def add_criterion(session: Session, template: ProposalTemplate, *, name: str, description: str,
                  levels: list[str], actor: User) -> TemplateCriterion:
    key = _unique_key({c.key for c in template.criteria}, f"c{len(template.criteria) + 1}")
    position = max((c.position for c in template.criteria), default=0) + 10
    criterion = TemplateCriterion(key=key, position=position, name=name.strip(), description=description.strip())
    _set_levels(criterion, levels)
    template.criteria.append(criterion)
    template.updated_by_id = actor.id
    session.flush()
    return criterion


def update_criterion(criterion: TemplateCriterion, *, name: str, description: str, levels: list[str],
                     actor: User) -> None:
    criterion.name = name.strip()
    criterion.description = description.strip()
    _set_levels(criterion, levels)
    criterion.template.updated_by_id = actor.id


def _set_levels(criterion: TemplateCriterion, levels: list[str]) -> None:
    if len(levels) != len(LEVELS):
        raise DomainError("levels", field="level_1")
    for level, text in zip(LEVELS, levels, strict=True):
        setattr(criterion, f"level_{level}", text.strip())
