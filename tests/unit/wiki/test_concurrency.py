"""Twenty people press "save" on the same page at the same moment (PostgreSQL, real connections).

Every text a thread saved is either in the page's latest revision or came back to that thread in an
``EditConflict`` (the conflict view the person sees) — no paragraph is ever lost silently.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests import factories
from tests import factories_wiki as fw
from wiki import revisions
from wiki.models import Page, Revision

WRITERS = 20
PARAGRAPHS = [f"第{i + 1}段落: {city}の担当者が調べた内容をここに書く。" for i, city in
              enumerate(["横浜市", "川崎市", "横須賀市", "鎌倉市", "藤沢市", "逗子市", "大和市", "町田市"] * 3)][:WRITERS]
BASE = "# 合同調査メモ\n\n" + "\n\n".join(PARAGRAPHS) + "\n"


def _run(app: Flask, page_id: int, base_id: int, author_ids: list[int],
         edit: Callable[[int], str]) -> dict[int, tuple[str, Any]]:
    """Each writer saves ``edit(i)`` on top of ``base_id`` at once; returns i -> ("saved"|"conflict", detail)."""
    barrier = threading.Barrier(WRITERS)
    outcome: dict[int, tuple[str, Any]] = {}
    errors: list[BaseException] = []

    def writer(i: int) -> None:
        try:
            with app.app_context():
                from core.extensions import db

                page = db.session.get(Page, page_id)
                db.session.commit()  # give the connection back: the pool (15) is smaller than the crowd
                barrier.wait(timeout=60)
                try:
                    result = revisions.save_page(db.session, page, edit(i), author=author_ids[i],
                                                 base_revision_id=base_id, now=fw.T0)
                    db.session.commit()
                    outcome[i] = ("saved", result.revision.number)
                except revisions.EditConflict as conflict:
                    # what the conflict view shows: the typed text, the merge, the revision to re-base on
                    seen = SimpleNamespace(yours=conflict.yours, merged_text=conflict.merge.text,
                                           latest_id=conflict.latest.id)
                    db.session.rollback()
                    outcome[i] = ("conflict", seen)
                finally:
                    db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(outcome) == WRITERS
    return outcome


@pytest.fixture()
def shared_page(app: Flask, session):  # type: ignore[no-untyped-def]
    people = [factories.participant(name=f"同時 編集{i}") for i in range(WRITERS)]
    team = fw.team(fw.cohort(), *people)
    page = fw.page(fw.team_space(team), "合同調査メモ", BASE, author=people[0])
    return page.id, page.current_revision_id, [p.id for p in people]


def _history(session, page_id: int) -> list[Revision]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.scalars(select(Revision).where(Revision.page_id == page_id).order_by(Revision.number)))


@pytest.mark.postgres_only
def test_twenty_writers_on_separate_paragraphs_all_land(app: Flask, session, shared_page) -> None:
    page_id, base_id, authors = shared_page

    def edit(i: int) -> str:
        return BASE.replace(PARAGRAPHS[i], PARAGRAPHS[i] + f"（{i + 1}番目の追記）")

    outcome = _run(app, page_id, base_id, authors, edit)
    history = _history(session, page_id)
    latest = history[-1].text
    for i, (status, detail) in outcome.items():
        if status == "saved":
            assert f"（{i + 1}番目の追記）" in latest
        else:
            assert detail.yours == edit(i) and f"（{i + 1}番目の追記）" in detail.merged_text
    assert [r.number for r in history] == list(range(1, len(history) + 1))
    assert session.get(Page, page_id).version == history[-1].number
    assert all(status == "saved" for status, _ in outcome.values())  # separate paragraphs merge cleanly
    assert len(history) == WRITERS + 1


@pytest.mark.postgres_only
def test_twenty_writers_on_the_same_sentence_one_wins_the_rest_see_conflicts(app: Flask, session,
                                                                             shared_page) -> None:
    page_id, base_id, authors = shared_page
    target = PARAGRAPHS[3]

    def edit(i: int) -> str:
        return BASE.replace(target, f"鎌倉市の段落を{i + 1}番目の人が全面的に書き直した。")

    outcome = _run(app, page_id, base_id, authors, edit)
    history = _history(session, page_id)
    latest = history[-1].text
    saved = [i for i, (status, _) in outcome.items() if status == "saved"]
    assert len(saved) == 1 and len(history) == 2
    for i, (status, detail) in outcome.items():
        mine = f"{i + 1}番目の人が全面的に書き直した。"
        if status == "saved":
            assert mine in latest
        else:
            assert detail.yours == edit(i) and mine in detail.merged_text
            assert detail.latest_id == history[-1].id  # the form is re-based on what won
