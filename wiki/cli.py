"""The case library's sync hook (`flask sync`), `flask wiki reindex`, and the wiki part of the demo data.

Demo data reads ``ctx.made["cohort:current"]`` and ``ctx.made["teams:current"]`` (the curriculum
hook's cohort and teams) when they are there, and puts ``ctx.made["spaces:team"]`` (team id → Space)
and ``ctx.made["spaces:cohort"]`` (the current cohort's Space) for later hooks.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from core.cli import DemoContext, register_demo, register_sync
from core.scale import register_scale
from core.extensions import db
from curriculum.models import Cohort, Team, TeamMember
from people.models import User
from wiki import demo_content, revisions, scale, services
from wiki.cases import services as cases
from wiki.cases.models import Case, CaseStatus
from wiki.models import Page, SpaceKind
from wiki.workspace import Workspace


def sync_cases(session) -> str:  # type: ignore[no-untyped-def]
    return cases.sync_cases(session)


def _teams(made: Any) -> list[Team]:
    if made is None:
        return []
    if isinstance(made, dict):
        made = made.values()
    return [t for t in made if isinstance(t, Team)] if isinstance(made, Iterable) else []


def _authors(team: Team, fallback: list[User]) -> list[User]:
    people = [m.user for m in db.session.scalars(select(TeamMember).where(TeamMember.team_id == team.id)
                                                 .order_by(TeamMember.id))]
    return people or fallback


def _handle(user: User) -> str:
    return "@" + user.name.replace(" ", "").replace("\u3000", "")


def _write(ws: Workspace, title: str, versions: tuple[str, ...], authors: list[User], start: Any,
           *, published: bool = False, prefix: str = "") -> Page:
    """A page whose versions were saved by the team in turn, hours or days apart."""
    now = start
    page = services.create_page(db.session, ws, title, prefix + versions[0], author=authors[0], now=now)
    for n, text in enumerate(versions[1:], start=1):
        now += timedelta(hours=20 + 7 * n)
        base = revisions.latest_revision(db.session, page)
        services.save_page(db.session, page, prefix + text, author=authors[n % len(authors)],
                           base_revision_id=base.id if base else None, now=now,
                           comment="追記" if n < len(versions) - 1 else "内容を整理")
    if published:
        services.set_published(db.session, page, True, actor=authors[0], now=now)
    return page


def _has_pages(ws: Workspace) -> bool:
    return db.session.scalar(select(Page.id).where(Page.space_id == ws.ensure_space(db.session).id).limit(1)) \
        is not None


def seed_wiki(ctx: DemoContext) -> None:
    """Workspaces with real history for the current cohort's teams, a cohort page, a proposed case."""
    cohort: Cohort | None = ctx.made.get("cohort:current")
    teams = _teams(ctx.made.get("teams:current"))
    facilitator = ctx.made.get("user:facilitator")
    spaces: dict[int, Any] = {}
    for n, team in enumerate(teams):
        theme = demo_content.THEMES[n % len(demo_content.THEMES)]
        authors = _authors(team, [facilitator] if facilitator else [])
        if not authors:
            continue
        ws = Workspace(SpaceKind.TEAM, team.cohort, team, None)
        if _has_pages(ws):  # a team that already writes keeps its own pages
            spaces[team.id] = ws.space
            continue
        start = ctx.now - timedelta(days=24 - n)
        _write(ws, "トップページ", (demo_content.START_TEXT.format(team=team.name, topic=theme.topic),), authors,
               start)
        outline = _write(ws, "提案の骨子", theme.outline, authors, start + timedelta(days=1),
                         prefix=demo_content.OUTLINE_HEAD.format(topic=theme.topic))
        _write(ws, "第3回 打合せ", theme.notes, authors[1:] + authors[:1], start + timedelta(days=9))
        _write(ws, "事例調査メモ", theme.research, authors[::-1], start + timedelta(days=4), published=True)
        when = start + timedelta(days=12)
        for k, body in enumerate(theme.comments):
            writer = authors[k % len(authors)]
            other = authors[(k + 1) % len(authors)]
            services.add_comment(db.session, outline, body.format(mention=_handle(other)), author=writer,
                                 now=when + timedelta(hours=3 * k))
        spaces[team.id] = ws.space
    ctx.made["spaces:team"] = spaces
    if cohort is not None:
        shared = Workspace(SpaceKind.COHORT, cohort, None, None)
        writer = facilitator or next((a for t in teams for a in _authors(t, [])), None)
        if writer is not None:
            if not _has_pages(shared):
                _write(shared, demo_content.COHORT_PAGE_TITLE, demo_content.COHORT_TEXTS, [writer],
                       ctx.now - timedelta(days=30))
            ctx.made["spaces:cohort"] = shared.space
    participant = ctx.made.get("user:participant")
    if participant is not None and not db.session.scalar(select(Case.id).where(Case.status == CaseStatus.PROPOSED)):
        cases.propose(db.session, cases.CaseInput(
            title="九都県市の災害時相互応援協定", title_en="Mutual Disaster Aid among the Nine Capital-Region Governments",
            bodies=["埼玉県", "千葉県", "東京都", "神奈川県", "横浜市", "川崎市", "千葉市", "さいたま市", "相模原市"],
            prefecture="首都圏（1都3県）", field="disaster", kind="agreement", period="",
            summary="首都圏の1都3県と5つの指定都市が、大規模な災害のときに互いに応援し合うための協定。"
                    "横浜市と川崎市のあいだの応援も、二者の協定ではなくこの枠組みで扱われている。",
            results="締結の時期と応援の実績はまだ調べていません。事務局で確認をお願いします。",
            source="横浜市「新たな広域連携促進事業 提案書」（令和2年度）に言及あり"),
            author=participant, now=ctx.now - timedelta(days=2))


def init_app(app: Flask) -> None:
    register_sync(app, "cases", sync_cases)
    register_demo(app, 40, "wiki", seed_wiki)
    register_scale(app, "pages", scale.seed_pages, order=60, sizes=("pages",))

    group = AppGroup("wiki", help="Workspaces and the case library.")

    @group.command("reindex")
    def reindex_command() -> None:
        """Rebuild the search entries of every workspace page and every case."""
        pages = db.session.scalars(select(Page)).all()
        for page in pages:
            services.index_page(db.session, page)
        all_cases = db.session.scalars(select(Case)).all()
        for case in all_cases:
            cases.index_case(db.session, case)
        db.session.commit()
        click.echo(f"reindexed {len(pages)} pages and {len(all_cases)} cases")

    app.cli.add_command(group)
