"""User-written text in the wiki: page titles (lists, links, search), Markdown bodies and their
history/diff, edit summaries, comments, file names and descriptions, and every field of the case
library (proposals, published cases, the search)."""
from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import quote

from tests import factories
from tests import factories_wiki as fw
from tests.security.xss import Planted, XssTarget, packed


def _team():  # type: ignore[no-untyped-def]
    from wiki.workspace import Workspace
    from wiki.models import SpaceKind

    fac = factories.facilitator(name="進行 役")
    author = factories.participant(factories.YOKOHAMA, name="横浜 一花")
    mate = factories.participant(factories.KAWASAKI, name="川崎 二葉")
    cohort = fw.cohort(facilitators=(fac,))
    team = fw.team(cohort, author, mate, name="防災チーム")
    ws = Workspace(SpaceKind.TEAM, cohort, team, fw.team_space(team))
    return fac, author, mate, cohort, team, ws


def _titles(payloads: list[str]) -> Planted:
    from core.errors import DomainError
    from core.extensions import db
    from wiki import services

    _fac, author, _mate, _cohort, team, ws = _team()
    made = []
    for i, payload in enumerate(payloads):
        try:
            with db.session.begin_nested():
                made.append(services.create_page(db.session, ws, f"{i} {payload}"[:120], f"本文 {i}\n\n{payload}",
                                                 author=author, now=fw.T0 + timedelta(minutes=i)))
        except DomainError:  # a title with nothing usable for an address
            continue
    assert len(made) > len(payloads) // 2
    # a page that links to every other page by title: [[…]] becomes a link showing the title
    links = "\n".join(f"- [[{p.title}]]" for p in made)
    hub = services.create_page(db.session, ws, "目次", links, author=author, now=fw.T0 + timedelta(days=1))
    db.session.commit()
    return Planted(author, [ws.prefix + "/", ws.page_path(hub.slug), ws.page_path(made[0].slug),
                            ws.prefix + "/-/new", "/search?q=alert"])


def _bodies(payloads: list[str]) -> Planted:
    from core.dates import utcnow
    from core.extensions import db
    from wiki import services

    _fac, author, mate, _cohort, _team_, ws = _team()
    chunks = packed(payloads, 6000)
    summaries = packed(payloads, 300)
    page = services.create_page(db.session, ws, "議事録", chunks[0], author=author, now=utcnow(),
                                comment=summaries[0])
    for n, chunk in enumerate(chunks[1:] + summaries[1:], start=1):
        current = page.current_revision_id
        services.save_page(db.session, page, chunk if n < len(chunks) else f"{chunks[-1]}\n\n{chunk}",
                           author=mate if n % 2 else author, base_revision_id=current, now=utcnow(),
                           comment=summaries[n % len(summaries)])
    services.rename_page(db.session, page, payloads[0][:120], author=author, now=utcnow(),
                         comment=summaries[-1])
    db.session.commit()
    db.session.refresh(page)
    base = ws.page_path(page.slug)
    revisions = [f"{base}/revisions/{n}" for n in range(1, len(chunks) + 1)]
    return Planted(author, [base, f"{base}/history", *revisions, f"{base}/diff?from=1&to={page.version}",
                            f"{base}/diff?to=2", f"{base}/edit", ws.prefix + "/", "/search?q=alert", "/"])


def _comments(payloads: list[str]) -> Planted:
    from core.dates import utcnow
    from core.extensions import db
    from wiki import links, services

    _fac, author, mate, _cohort, _team_, ws = _team()
    page = services.create_page(db.session, ws, "相談", "相談ページ", author=author, now=utcnow())
    handle = sorted(links.mention_handles(mate.name, mate.email))[0]
    for i, chunk in enumerate(packed(payloads, 5000) + payloads):
        services.add_comment(db.session, page, f"@{handle} {chunk}" if i % 3 == 1 else chunk,
                             author=author if i % 2 else mate, now=utcnow())
    db.session.commit()
    return Planted(mate, [ws.page_path(page.slug)])


def _files(payloads: list[str]) -> Planted:
    from flask import current_app

    from core.dates import utcnow
    from core.extensions import db
    from wiki import services

    _fac, author, _mate, _cohort, _team_, ws = _team()
    page = services.create_page(db.session, ws, "資料置き場", "資料の一覧", author=author, now=utcnow())
    for i, payload in enumerate(payloads):
        services.attach(db.session, ws, io.BytesIO(b"%PDF-1.4\n" + str(i).encode()), payload[:150] + ".pdf",
                        author=author, now=utcnow(), upload_dir=current_app.config["UPLOAD_DIR"],
                        page=page if i % 2 else None, description=payload[:300])
    db.session.commit()
    return Planted(author, [ws.prefix + "/-/files", ws.page_path(page.slug)])


def _case_input(payload: str, chunk: str, i: int):  # type: ignore[no-untyped-def]
    from wiki.cases.labels import FIELDS, KINDS
    from wiki.cases.services import CaseInput, split_bodies

    bodies = [b[:100] for b in split_bodies(payload)][:30] or [f"団体{i}"]
    return CaseInput(title=payload[:200].strip() or f"事例{i}", title_en=payload[:200], bodies=bodies,
                     prefecture=payload[:60], field=sorted(FIELDS)[i % len(FIELDS)],
                     kind=sorted(KINDS)[i % len(KINDS)], period=payload[:100], summary=chunk,
                     results=chunk, source=payload[:500])


def _cases(payloads: list[str], *, viewer: str) -> Planted:
    from core.dates import utcnow
    from core.extensions import db
    from wiki.cases import services

    admin = factories.admin(name="事務 局")
    author = factories.participant(factories.YOKOHAMA, name="提案 者")
    chunks = packed(payloads, 3000)
    made = []
    for i, payload in enumerate(payloads):
        made.append(services.propose(db.session, _case_input(payload, chunks[i % len(chunks)], i), author=author,
                                     now=utcnow()))
    published = []
    for i, case in enumerate(made):
        if i % 3 == 0:
            services.reject(db.session, case, reviewer=admin, now=utcnow(), note=payloads[i][:1000] or "理由")
        elif i % 3 == 1:
            published.append(services.approve(db.session, case, reviewer=admin, now=utcnow(),
                                              note=payloads[i][:1000]))
    edited = services.edit(db.session, published[0], _case_input(payloads[-1], chunks[0], 1), editor=admin,
                           now=utcnow())
    db.session.commit()
    common = ["/cases", "/cases?page=2", "/cases?q=alert", f"/cases/{published[1].slug}", f"/cases/{edited.slug}",
              "/search?q=alert"]
    if viewer == "admin":
        return Planted(admin, [*common, "/cases/proposals", f"/cases/proposals/{made[2].id}",
                               f"/cases/{quote(published[0].slug or '')}/edit"])
    return Planted(author, [*common, "/cases/proposals", f"/cases/proposals/{made[0].id}"])


TARGETS = [
    XssTarget("wiki: page titles (lists, [[links]], search)", _titles),
    XssTarget("wiki: Markdown bodies, history, diff, edit summaries", _bodies),
    XssTarget("wiki: comments and mentions", _comments),
    XssTarget("wiki: file names and descriptions", _files),
    XssTarget("wiki: case library (secretariat)", lambda p: _cases(p, viewer="admin")),
    XssTarget("wiki: case library (proposer)", lambda p: _cases(p, viewer="author")),
]
