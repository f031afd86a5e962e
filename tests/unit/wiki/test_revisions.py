"""The revision engine: create, save, merge, conflict, restore, delete/undelete, rename, move, diff."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.errors import DomainError
from tests import factories
from tests import factories_wiki as fw
from wiki import revisions
from wiki.merge import has_conflict_markers
from wiki.models import Page, PageRedirect, Revision, RevisionKind, SpaceKind

NOW = fw.T0
BASE = (
    "# 防災連携の提案（骨子）\n"
    "\n"
    "## 背景\n"
    "\n"
    "8市は大規模地震への備えを個別に進めている。\n"
    "\n"
    "## 取組内容\n"
    "\n"
    "避難所の情報を市境を越えて共有する。\n"
)


@pytest.fixture()
def world(session):  # type: ignore[no-untyped-def]
    a, b = factories.participant(name="横浜 一花"), factories.participant(factories.KAWASAKI, name="川崎 二葉")
    c = fw.cohort()
    t = fw.team(c, a, b)
    return a, b, fw.team_space(t), c


def test_create_page_writes_revision_one(session, world) -> None:
    a, _, space, _ = world
    page = revisions.create_page(session, space, "  提案の骨子  ", BASE, author=a, now=NOW, comment="たたき台")
    session.commit()
    assert (page.slug, page.title, page.version) == ("提案の骨子", "提案の骨子", 1)
    rev = page.current_revision
    assert (rev.number, rev.text, rev.author_id, rev.kind, rev.comment) == (1, BASE, a.id, RevisionKind.EDIT,
                                                                            "たたき台")


def test_titles_become_slugs_and_taken_titles_are_refused(session, world) -> None:
    a, _, space, _ = world
    page = revisions.create_page(session, space, "第2回 議事録", "メモ", author=a, now=NOW)
    assert page.slug == "第2回_議事録"
    with pytest.raises(DomainError) as taken:
        revisions.create_page(session, space, "第２回　議事録", "別のメモ", author=a, now=NOW)  # full width
    assert (taken.value.message, taken.value.field) == ("page_exists", "title")
    for bad in ("", "   ", "/?#", "x" * 200):
        with pytest.raises(DomainError):
            revisions.create_page(session, space, bad, "text", author=a, now=NOW)


def test_save_on_current_base_adds_a_revision_and_unchanged_text_adds_none(session, world) -> None:
    a, _, space, _ = world
    page = revisions.create_page(session, space, "骨子", BASE, author=a, now=NOW)
    first = page.current_revision_id
    edited = BASE + "\n## 効果\n\n応援職員の派遣が早くなる。\n"
    result = revisions.save_page(session, page, edited.replace("\n", "\r\n"), author=a, base_revision_id=first,
                                 now=NOW + timedelta(minutes=5), comment="効果を追記")
    assert result.changed and not result.merged
    assert (result.revision.number, result.revision.text, page.version) == (2, edited, 2)  # CRLF → LF
    again = revisions.save_page(session, page, edited, author=a, base_revision_id=result.revision.id, now=NOW)
    assert not again.changed and again.revision.id == result.revision.id
    assert session.scalar(select(func.count()).select_from(Revision).where(Revision.page_id == page.id)) == 2


def test_stale_base_with_separate_changes_merges_automatically(session, world) -> None:
    a, b, space, _ = world
    page = revisions.create_page(session, space, "骨子", BASE, author=a, now=NOW)
    base_id = page.current_revision_id
    theirs = BASE.replace("個別に進めている。", "個別に進めているが、応援の手順は市ごとに違う。")
    revisions.save_page(session, page, theirs, author=b, base_revision_id=base_id, now=NOW)
    mine = BASE.replace("市境を越えて共有する。", "市境を越えて共有し、毎年合同で訓練する。")
    result = revisions.save_page(session, page, mine, author=a, base_revision_id=base_id, now=NOW)
    assert result.merged and result.revision.kind is RevisionKind.MERGE and result.revision.number == 3
    assert "応援の手順は市ごとに違う。" in result.revision.text
    assert "毎年合同で訓練する。" in result.revision.text


def test_overlapping_change_raises_conflict_with_both_texts_and_saves_nothing(session, world) -> None:
    a, b, space, _ = world
    page = revisions.create_page(session, space, "骨子", BASE, author=a, now=NOW)
    base_id = page.current_revision_id
    theirs = BASE.replace("避難所の情報を市境を越えて共有する。", "避難所の空き状況を地図で公開する。\n物資の在庫も共有する。")
    latest = revisions.save_page(session, page, theirs, author=b, base_revision_id=base_id, now=NOW).revision
    mine = BASE.replace("避難所の情報を市境を越えて共有する。", "福祉避難所の受け入れを相互に調整する。\n担当窓口を一本化する。")
    with pytest.raises(revisions.EditConflict) as conflict:
        revisions.save_page(session, page, mine, author=a, base_revision_id=base_id, now=NOW)
    error = conflict.value
    assert error.latest.id == latest.id and error.yours == mine and not error.merge.clean
    assert "福祉避難所の受け入れを相互に調整する。" in error.merge.text
    assert "避難所の空き状況を地図で公開する。" in error.merge.text
    assert has_conflict_markers(error.merge.text)
    assert page.version == 2  # nothing saved
    with pytest.raises(DomainError) as markers:  # the marked text cannot be saved as is
        revisions.save_page(session, page, error.merge.text, author=a, base_revision_id=latest.id, now=NOW)
    assert markers.value.message == "conflict_markers"
    resolved = BASE.replace("避難所の情報を市境を越えて共有する。",
                            "避難所の空き状況を地図で公開する。\n福祉避難所の受け入れを相互に調整する。")
    saved = revisions.save_page(session, page, resolved, author=a, base_revision_id=latest.id, now=NOW)
    assert saved.revision.number == 3 and saved.revision.base_revision_id == latest.id


def test_base_revision_of_another_page_is_refused(session, world) -> None:
    a, _, space, _ = world
    one = revisions.create_page(session, space, "一", "いち", author=a, now=NOW)
    two = revisions.create_page(session, space, "二", "に", author=a, now=NOW)
    with pytest.raises(DomainError):
        revisions.save_page(session, one, "いち改", author=a, base_revision_id=two.current_revision_id, now=NOW)


def test_restore_is_a_new_revision_and_history_keeps_everything(session, world) -> None:
    a, b, space, _ = world
    page = fw.page(space, "骨子", BASE, author=a, history=(BASE + "追記1\n", BASE + "追記2\n"))
    first = revisions.revision_by_number(session, page, 1)
    restored = revisions.restore_revision(session, page, first, author=b, now=NOW, comment="第1版に戻す")
    assert (restored.number, restored.kind, restored.text) == (4, RevisionKind.RESTORE, BASE)
    assert [r.text for r in session.scalars(select(Revision).where(Revision.page_id == page.id)
                                            .order_by(Revision.number))] == [BASE, BASE + "追記1\n",
                                                                             BASE + "追記2\n", BASE]
    assert revisions.restore_revision(session, page, first, author=b, now=NOW).id == restored.id  # no-op


def test_delete_and_undelete_are_revisions(session, world) -> None:
    a, _, space, _ = world
    page = fw.page(space, "骨子", BASE, author=a)
    deleted = revisions.delete_page(session, page, author=a, now=NOW, comment="重複")
    assert page.deleted and deleted.kind is RevisionKind.DELETE and deleted.text == BASE
    with pytest.raises(DomainError):
        revisions.save_page(session, page, "x", author=a, base_revision_id=deleted.id, now=NOW)
    with pytest.raises(DomainError):
        revisions.delete_page(session, page, author=a, now=NOW)
    with pytest.raises(DomainError) as taken:
        revisions.create_page(session, space, "骨子", "新しい", author=a, now=NOW)
    assert taken.value.message == "page_deleted_exists"
    back = revisions.undelete_page(session, page, author=a, now=NOW)
    assert not page.deleted and back.kind is RevisionKind.UNDELETE and page.text == BASE and page.version == 3


def test_rename_leaves_a_redirect_and_old_address_can_be_reused(session, world) -> None:
    a, _, space, _ = world
    page = fw.page(space, "骨子", BASE, author=a)
    rev = revisions.rename_page(session, page, "防災連携の提案", author=a, now=NOW)
    assert (page.slug, page.title, rev.kind, rev.title) == ("防災連携の提案", "防災連携の提案", RevisionKind.RENAME,
                                                        "防災連携の提案")
    found, redirected = revisions.find_page(session, space, "骨子")
    assert found.id == page.id and redirected
    other = revisions.create_page(session, space, "骨子", "新しい骨子", author=a, now=NOW)
    assert revisions.find_page(session, space, "骨子") == (other, False)
    assert session.scalar(select(func.count()).select_from(PageRedirect)) == 0
    with pytest.raises(DomainError):
        revisions.rename_page(session, page, "骨子", author=a, now=NOW)  # taken by the new page


def test_move_between_team_and_cohort_space(session, world) -> None:
    a, _, space, cohort = world
    shared = fw.cohort_space(cohort)
    page = fw.page(space, "調査メモ", "名古屋市の事例", author=a, published=True)
    rev = revisions.move_page(session, page, shared, author=a, now=NOW)
    session.commit()
    assert page.space_id == shared.id and rev.kind is RevisionKind.MOVE and not page.published
    assert revisions.find_page(session, space, "調査メモ") == (page, True)
    revisions.create_page(session, space, "調査メモ", "チーム用", author=a, now=NOW)
    with pytest.raises(DomainError) as taken:
        revisions.move_page(session, page, space, author=a, now=NOW)
    assert taken.value.field == "target"


def test_get_space_is_idempotent_and_checks_kind(session, world) -> None:
    _, _, space, cohort = world
    assert revisions.get_space(session, "team", team_id=space.team_id).id == space.id
    assert space.cohort_id == cohort.id
    assert revisions.get_space(session, SpaceKind.COHORT, cohort_id=cohort.id, create=False) is None
    shared = revisions.get_space(session, SpaceKind.COHORT, cohort_id=cohort.id)
    assert revisions.get_space(session, SpaceKind.COHORT, cohort_id=cohort.id).id == shared.id
    proposal = revisions.get_space(session, SpaceKind.PROPOSAL, team_id=space.team_id)
    assert proposal.id not in (space.id, shared.id)
    with pytest.raises(ValueError):
        revisions.get_space(session, SpaceKind.TEAM, cohort_id=cohort.id)


def test_diff_html_marks_changed_japanese_words(session, world) -> None:
    a, _, space, _ = world
    page = fw.page(space, "骨子", BASE, author=a,
                   history=(BASE.replace("大規模地震", "大規模な風水害と地震"),))
    one, two = (revisions.revision_by_number(session, page, n) for n in (1, 2))
    html = str(revisions.diff_html(one, two))
    assert "<ins>" in html and "風水害" in html and "diff-line-removed" in html
    assert "diff-hunks-empty" in str(revisions.diff_html(one, one))
    assert "diff-line-added" in str(revisions.diff_html(None, one))


def test_page_model_text_follows_current_revision(session, world) -> None:
    a, _, space, _ = world
    page = fw.page(space, "骨子", BASE, author=a, history=("改訂版\n",))
    session.expire_all()
    assert session.get(Page, page.id).text == "改訂版\n"
