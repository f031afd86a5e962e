"""Workspace services: the search entry follows the page, who may search what, members, moves, the demo."""
from __future__ import annotations

import io
import random
from datetime import timedelta

from sqlalchemy import func, select

from core.cli import DemoContext
from core.searchindex import SearchEntry, search
from curriculum.models import CohortStatus, EnrolmentStatus
from people.models import Role
from tests import factories
from tests import factories_wiki as fw
from wiki import cli, services
from wiki.models import Comment, Page, Revision, SpaceKind
from wiki.workspace import load


def _world(session):  # type: ignore[no-untyped-def]
    fac = factories.facilitator(name="進行 真理")
    a, b = factories.participant(name="横浜 一花"), factories.participant(factories.KAWASAKI, name="川崎 二葉")
    mentor = factories.alumnus(name="藤沢 先輩")
    cohort = fw.cohort(facilitators=(fac,))
    t1, t2 = fw.team(cohort, a), fw.team(cohort, b, mentor=mentor)
    return fac, a, b, mentor, cohort, t1, t2


def _entry(session, page):  # type: ignore[no-untyped-def]
    return session.scalar(select(SearchEntry).where(SearchEntry.kind == "page", SearchEntry.ref_id == page.id))


def test_the_search_entry_follows_publish_move_rename_and_delete(session, tmp_path) -> None:
    fac, a, b, mentor, cohort, t1, t2 = _world(session)
    ws = load(session, "teams", t1.id)
    page = services.create_page(session, ws, "防災メモ", "避難所の**情報**", author=a, now=fw.T0)
    entry = _entry(session, page)
    assert (entry.scope_type, entry.scope_id, entry.body, entry.url) == ("team", t1.id, "避難所の情報",
                                                                          f"/teams/{t1.id}/wiki/%E9%98%B2%E7%81%BD%E3%83%A1%E3%83%A2")
    services.set_published(session, page, True, actor=a, now=fw.T0)
    assert (_entry(session, page).scope_type, _entry(session, page).scope_id) == ("cohort", cohort.id)
    services.rename_page(session, page, "防災の調査", author=a, now=fw.T0)
    assert _entry(session, page).title == "防災の調査"
    shared = load(session, "cohorts", cohort.id)
    kept = services.attach(session, ws, io.BytesIO(b"memo"), "memo.txt", author=a, now=fw.T0, upload_dir=str(tmp_path),
                           page=page)
    services.move_page(session, page, shared, author=a, now=fw.T0)
    assert _entry(session, page).url.startswith(f"/cohorts/{cohort.id}/wiki/")
    assert services.attachments_of(session, shared.space, page=page) == [kept]  # the page's file moved along
    services.delete_page(session, page, author=a, now=fw.T0)
    assert _entry(session, page) is None
    services.undelete_page(session, page, author=a, now=fw.T0)
    assert _entry(session, page) is not None


def test_readable_scopes_per_role(session) -> None:
    fac, a, b, mentor, cohort, t1, t2 = _world(session)
    old = fw.cohort(status=CohortStatus.CLOSED)
    alumnus = factories.alumnus()
    fw.enrol(old, alumnus, EnrolmentStatus.COMPLETED)
    withdrawn = factories.participant()
    fw.enrol(cohort, withdrawn, EnrolmentStatus.WITHDRAWN)
    assert services.readable_scopes(session, a) == [("public", None), ("cohort", cohort.id), ("team", t1.id)]
    assert services.readable_scopes(session, mentor) == [("public", None), ("cohort", cohort.id), ("team", t2.id)]
    assert services.readable_scopes(session, fac) == [("public", None), ("cohort", cohort.id), ("team", t1.id),
                                                      ("team", t2.id)]
    assert services.readable_scopes(session, alumnus) == [("public", None), ("cohort", old.id)]
    assert services.readable_scopes(session, withdrawn) == [("public", None)]
    assert services.readable_scopes(session, factories.coordinator()) == [("public", None)]
    admin = services.readable_scopes(session, factories.user(Role.ADMIN))
    assert ("cohort", old.id) in admin and ("team", t2.id) in admin


def test_members_and_move_targets(session) -> None:
    fac, a, b, mentor, cohort, t1, t2 = _world(session)
    ws2 = load(session, "teams", t2.id)
    assert [(m.user.name, m.role) for m in services.members(session, ws2)] == [
        ("川崎 二葉", "member"), ("藤沢 先輩", "mentor"), ("進行 真理", "facilitator")]
    shared = load(session, "cohorts", cohort.id)
    assert {m.user.id for m in services.members(session, shared)} == {a.id, b.id, mentor.id, fac.id}
    page = services.create_page(session, shared, "共有メモ", "本文", author=a, now=fw.T0)
    assert [t.owner_id for t in services.move_targets(session, a, page)] == [t1.id]
    assert [t.owner_id for t in services.move_targets(session, fac, page)] == [t1.id, t2.id]


def test_recent_changes_and_history(session) -> None:
    _, a, _, _, _, t1, _ = _world(session)
    ws = load(session, "teams", t1.id)
    page = fw.page(ws.ensure_space(session), "議事録", "一", author=a, history=("一二", "一二三"))
    assert [r.number for r in services.history(session, page)] == [3, 2, 1]
    assert [r.number for r in services.recent_changes(session, ws.space, limit=2)] == [3, 2]
    assert services.recent_changes(session, None) == [] and services.pages_of(session, None) == []


def _ctx(session, made):  # type: ignore[no-untyped-def]
    return DemoContext(session=session, rng=random.Random(1), now=fw.T0 + timedelta(days=30), made=made)


def test_demo_gives_each_team_a_lived_in_workspace(session) -> None:
    fac, a, b, mentor, cohort, t1, t2 = _world(session)
    extra = factories.participant(factories.MACHIDA, name="町田 三郎")
    fw.team(cohort, extra, name="観光チーム")
    teams = sorted(cohort.teams, key=lambda t: t.number)
    ctx = _ctx(session, {"cohort:current": cohort, "teams:current": teams, "user:facilitator": fac,
                         "user:participant": a})
    cli.seed_wiki(ctx)
    session.commit()
    assert set(ctx.made["spaces:team"]) == {t.id for t in teams}
    assert ctx.made["spaces:cohort"].kind is SpaceKind.COHORT
    for team in teams:
        space = ctx.made["spaces:team"][team.id]
        pages = session.scalars(select(Page).where(Page.space_id == space.id)).all()
        assert {p.title for p in pages} >= {"トップページ", "提案の骨子", "第3回 打合せ", "事例調査メモ"}
        assert max(p.version for p in pages) >= 3  # real history
        assert any(p.published for p in pages)
    assert session.scalar(select(func.count()).select_from(Comment)) == 2 * len(teams)
    authors = set(session.scalars(select(Revision.author_id)))
    assert {a.id, b.id} <= authors
    assert search(session, "提案", scopes=services.readable_scopes(session, a)).total >= 1


def test_demo_without_teams_makes_nothing_team_related(session) -> None:
    ctx = _ctx(session, {})
    cli.seed_wiki(ctx)
    assert ctx.made["spaces:team"] == {} and "spaces:cohort" not in ctx.made
    assert session.scalar(select(func.count()).select_from(Page)) == 0
