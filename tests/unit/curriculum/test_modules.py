"""Modules: the files, their sync, adapting per cohort, marking done, progress per person and city."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.dates import utcnow
from curriculum.models import Module, ModuleProgress
from curriculum.moduletext import ModuleFileError, load_dir, parse
from curriculum.services import Conflict, Refused
from curriculum.services import modules as services
from tests import factories
from tests import factories_curriculum as fc

FILE = """---
slug: test-module
order: 9
title_ja: 試験の単元
title_en: A test module
summary_en: For tests.
goals_ja: [目標を言える]
goals_en: [State the goal]
minutes: 30
related_cases: [eight-cities-study-meeting]
---

## 本文

連携の基本。
"""


def test_the_shipped_modules_are_complete() -> None:
    modules = load_dir()
    assert len(modules) >= 6
    assert [m.order for m in modules] == sorted(m.order for m in modules)
    for m in modules:
        assert m.title_ja and m.title_en and m.summary_en and m.goals_ja and m.goals_en and m.minutes > 0
        assert len(m.body) > 1500  # real text (Japanese characters), not a placeholder


def test_parse_front_matter() -> None:
    text = parse(FILE, "x.md")
    assert (text.slug, text.order, text.minutes) == ("test-module", 9, 30)
    assert text.goals_ja == ("目標を言える",) and text.related_cases == ("eight-cities-study-meeting",)
    assert text.body.startswith("## 本文")


@pytest.mark.parametrize(
    "broken,message",
    [
        ("no front matter", "no front matter"),
        ("---\nslug: x\n---\nbody", "missing"),
        ("---\nslug: Bad Slug\norder: 1\ntitle_ja: a\ntitle_en: b\n---\nbody", "slug"),
        ("---\nslug: ok\norder: one\ntitle_ja: a\ntitle_en: b\n---\nbody", "whole numbers"),
        ("---\nslug: ok\norder: 1\ntitle_ja: a\ntitle_en: b\ngoals_ja: text\n---\nbody", "list of strings"),
    ],
)
def test_parse_refuses_broken_files(broken: str, message: str) -> None:
    with pytest.raises(ModuleFileError, match=message):
        parse(broken, "broken.md")


def test_sync_adds_updates_retires_and_revives(session, tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(FILE, encoding="utf-8")
    assert "1 added" in services.sync_modules(session, now=utcnow(), directory=tmp_path)
    assert "0 added, 0 updated" in services.sync_modules(session, now=utcnow(), directory=tmp_path)
    (tmp_path / "a.md").write_text(FILE.replace("連携の基本。", "連携の基本（改訂）。"), encoding="utf-8")
    assert "1 updated" in services.sync_modules(session, now=utcnow(), directory=tmp_path)
    module = session.scalar(select(Module).filter_by(slug="test-module"))
    assert "改訂" in module.body
    cohort = fc.cohort()
    person = fc.participant_in(cohort)
    services.mark_done(session, cohort, module, person, now=utcnow())
    (tmp_path / "a.md").unlink()
    assert "1 retired" in services.sync_modules(session, now=utcnow(), directory=tmp_path)
    assert services.active_modules(session) == [] and module.retired_at is not None
    assert session.scalar(select(func.count(ModuleProgress.id))) == 1  # progress kept
    (tmp_path / "a.md").write_text(FILE, encoding="utf-8")
    services.sync_modules(session, now=utcnow(), directory=tmp_path)
    assert module.retired_at is None


def test_two_files_with_one_slug_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(FILE, encoding="utf-8")
    (tmp_path / "b.md").write_text(FILE, encoding="utf-8")
    with pytest.raises(ModuleFileError, match="more than one file"):
        load_dir(tmp_path)


def test_mark_done_is_idempotent_and_undoable(session) -> None:
    fc.modules()
    cohort = fc.cohort()
    person = fc.participant_in(cohort)
    module = services.get_module(session, "why-2040")
    services.mark_done(session, cohort, module, person, now=utcnow())
    services.mark_done(session, cohort, module, person, now=utcnow())
    assert session.scalar(select(func.count(ModuleProgress.id))) == 1
    assert services.cohort_module(session, cohort, module, user=person).done_at is not None
    services.undo_done(session, cohort, module, person)
    assert services.cohort_module(session, cohort, module, user=person).done_at is None


def test_a_closed_year_is_read_only(session) -> None:
    fc.modules()
    from curriculum.models import CohortStatus

    cohort = fc.cohort(status=CohortStatus.CLOSED)
    with pytest.raises(Refused):
        services.mark_done(
            session, cohort, services.get_module(session, "why-2040"), factories.participant(), now=utcnow()
        )


def test_override_is_kept_beside_the_original_and_stale_saves_are_refused(session) -> None:
    fc.modules()
    cohort, other = fc.cohort(), fc.cohort(2027)
    module = services.get_module(session, "eight-cities")
    original = module.body
    facilitator = factories.facilitator()
    services.save_override(
        session,
        cohort,
        module,
        title_ja="8市のいま（令和8年度版）",
        body="追加のワーク",
        minutes=60,
        note="公共施設の比較を追加",
        base_version=0,
        actor=facilitator,
    )
    adapted = services.cohort_module(session, cohort, module)
    assert (
        adapted.title("ja") == "8市のいま（令和8年度版）"
        and adapted.body == "追加のワーク"
        and adapted.minutes == 60
    )
    assert adapted.title("en") == module.title_en  # the English title stays the original's
    assert module.body == original and services.cohort_module(session, other, module).override is None
    # Someone saved version 1 meanwhile: a form based on version 0 is refused, nothing overwritten.
    with pytest.raises(Conflict) as caught:
        services.save_override(
            session,
            cohort,
            module,
            title_ja="上書き",
            body="x",
            minutes=1,
            note="",
            base_version=0,
            actor=factories.facilitator(),
        )
    assert caught.value.field == "body"
    assert services.cohort_module(session, cohort, module).body == "追加のワーク"
    services.save_override(
        session,
        cohort,
        module,
        title_ja="第2版",
        body="y",
        minutes=1,
        note="",
        base_version=1,
        actor=facilitator,
    )
    assert services.cohort_module(session, cohort, module).override.version == 2
    module.source_hash = "changed"
    assert services.cohort_module(session, cohort, module).original_changed
    services.reset_override(session, cohort, module, actor=facilitator)
    assert services.cohort_module(session, cohort, module).body == original


def test_progress_per_person_and_city(session) -> None:
    fc.modules()
    cohort = fc.cohort()
    a, b = fc.participant_in(cohort), fc.participant_in(cohort)
    c = fc.participant_in(cohort, factories.KAWASAKI)
    modules = services.active_modules(session)
    for m in modules[:2]:
        services.mark_done(session, cohort, m, a, now=utcnow())
    for m in modules:
        services.mark_done(session, cohort, m, c, now=utcnow())
    from curriculum.services.cohorts import participants

    result = services.progress(session, cohort, participants(session, cohort))
    assert result.person_count(a.id) == 2 and result.percent(c.id) == 100 and result.percent(b.id) == 0
    by_city = {city.code: (n, pct) for city, n, pct in result.by_city()}
    assert by_city[factories.YOKOHAMA] == (2, round(100 * 2 / (2 * len(modules))))
    assert by_city[factories.KAWASAKI] == (1, 100)
    assert result.module_count(modules[0].id) == 2


def test_commands_sync_modules_and_announce(app) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["curriculum", "sync-modules"])
    assert result.exit_code == 0 and "7 modules (7 added" in result.output
    assert "curriculum modules: 7 modules (0 added, 0 updated, 0 retired)" in runner.invoke(args=["sync"]).output
    with app.app_context():
        from datetime import timedelta

        cohort = fc.cohort()
        fc.participant_in(cohort)
        fc.assignment(cohort, published=timedelta(minutes=-1), announced=False)
    with fc.captured_events() as events:
        assert "1 assignment(s) announced" in runner.invoke(args=["curriculum", "announce"]).output
        assert "0 assignment(s) announced" in runner.invoke(args=["curriculum", "announce"]).output
    assert [e.kind for e in events] == ["assignment.posted"]
