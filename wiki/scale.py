"""The wiki part of `flask seed-scale`: team workspaces with pages, revisions and search entries.

Pages go to the teams that the people and proposals hooks made (past cohorts), a few pages per team,
each with one to three revisions written by the team's members, published now and then. Texts are
the demo themes' real outlines, notes and research mixed per page, so searches and diffs work on
realistic Japanese. Rows go in with bulk Core inserts and explicit ids, committed in batches.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from core import searchindex
from core.scale import ScaleContext
from curriculum.models import Cohort, Team, TeamMember
from wiki import demo_content, links
from wiki.models import Page, Revision, RevisionKind, Space, SpaceKind

BATCH = 500
TITLES = ("トップページ", "提案の骨子", "打合せメモ", "事例調査メモ", "論点の整理", "先進事例の比較", "ヒアリング記録",
          "発表の構成", "用語集", "参考資料")


def _next_id(session: Session, column: Any) -> int:
    return (session.scalar(select(func.max(column))) or 0) + 1


def _texts(theme: demo_content.Theme) -> list[tuple[str, ...]]:
    return [theme.outline, theme.notes, theme.research]


def seed_pages(ctx: ScaleContext) -> str:
    n = ctx.sizes.get("pages", 0)
    if n <= 0:
        return "nothing requested"
    s, rng = ctx.session, ctx.rng
    teams = s.execute(select(Team.id, Team.cohort_id, Cohort.fiscal_year).join(Cohort).order_by(Team.id)).all()
    if not teams:
        return "no teams: generate people and proposals first"
    members: dict[int, list[int]] = {}
    for team_id, user_id in s.execute(select(TeamMember.team_id, TeamMember.user_id)):
        members.setdefault(team_id, []).append(user_id)
    have = {team_id: space_id for space_id, team_id in s.execute(
        select(Space.id, Space.team_id).where(Space.kind == SpaceKind.TEAM))}
    space_id = _next_id(s, Space.id)
    new_spaces = []
    for team_id, cohort_id, fy in teams:
        if team_id not in have:
            new_spaces.append({"id": space_id, "kind": SpaceKind.TEAM.value, "team_id": team_id,
                               "cohort_id": cohort_id, "created_at": datetime(fy, 6, 1, tzinfo=timezone.utc)})
            have[team_id] = space_id
            space_id += 1
    for start in range(0, len(new_spaces), 2000):
        s.execute(insert(Space.__table__), new_spaces[start:start + 2000])
    s.commit()
    taken = {(sp, slug) for sp, slug in s.execute(select(Page.space_id, Page.slug))}
    page_id, rev_id = _next_id(s, Page.id), _next_id(s, Revision.id)
    first, first_rev = page_id, rev_id
    plain_cache: dict[str, str] = {}
    with ctx.progress("pages", n) as bar:
        made = 0
        while made < n:
            pages, revisions, docs = [], [], []
            for _ in range(min(BATCH, n - made)):
                team_id, cohort_id, fy = teams[(page_id - first) % len(teams)]
                sp = have[team_id]
                title = TITLES[((page_id - first) // len(teams)) % len(TITLES)]
                if (sp, title) in taken:
                    title = f"{title} {page_id}"
                taken.add((sp, title))
                theme = rng.choice(demo_content.THEMES)
                versions = rng.choice(_texts(theme))[: rng.randint(1, 3)]
                authors = members.get(team_id) or [None]
                when = datetime(fy, 7, 1, 9, tzinfo=timezone.utc) + timedelta(days=rng.randint(0, 200))
                published = rng.random() < 0.2
                number = 0
                for number, body in enumerate(versions, start=1):
                    revisions.append({"id": rev_id, "page_id": page_id, "number": number, "title": title,
                                      "text": body, "author_id": authors[(number - 1) % len(authors)],
                                      "created_at": when + timedelta(hours=30 * number), "comment": "",
                                      "kind": RevisionKind.EDIT.value,
                                      "base_revision_id": rev_id - 1 if number > 1 else None})
                    rev_id += 1
                updated = when + timedelta(hours=30 * number)
                pages.append({"id": page_id, "space_id": sp, "slug": links.slugify(title), "title": title,
                              "current_revision_id": None, "version": number, "deleted": False,
                              "published": published, "created_at": when, "created_by_id": authors[0],
                              "updated_at": updated, "_current": rev_id - 1})
                body = versions[-1]
                if body not in plain_cache:
                    plain_cache[body] = links.plain_text(body)
                scope = ("cohort", cohort_id) if published else ("team", team_id)
                docs.append((page_id, title, plain_cache[body], f"/teams/{team_id}/wiki/{links.slugify(title)}",
                             scope, updated))
                page_id += 1
            current = {p["id"]: p.pop("_current") for p in pages}
            s.execute(insert(Page.__table__), pages)
            s.execute(insert(Revision.__table__), revisions)
            table = Page.__table__
            s.execute(update(table).where(table.c.id == bindparam("pid")).values(current_revision_id=bindparam("rid")),
                      [{"pid": pid, "rid": rid} for pid, rid in current.items()])
            for ref_id, title, body, url, scope, when in docs:
                searchindex.index_document(s, kind="page", ref_id=ref_id, title=title, body=body, url=url,
                                           scope_type=scope[0], scope_id=scope[1], updated_at=when)
            s.commit()
            made += len(pages)
            bar.update(len(pages))
    if s.get_bind().dialect.name == "postgresql":
        for table in ("wiki_space", "wiki_page", "wiki_revision"):
            s.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                           f"(SELECT max(id) FROM \"{table}\"))"))
    s.execute(text("ANALYZE"))
    s.commit()
    return f"{page_id - first} pages with {rev_id - first_rev} revisions in {len(new_spaces)} new team spaces"
