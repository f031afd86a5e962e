"""`flask seed-scale --pages N`: team workspaces with pages that open, diff and are found by search."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from core import searchindex
from core.extensions import db
from curriculum.models import TeamMember
from people.models import User
from tests import factories
from wiki.models import Page, Revision


def test_seed_scale_pages_are_complete_and_searchable(app: Flask, login) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        factories.cities()
    runner = app.test_cli_runner()
    out = runner.invoke(args=["seed-scale", "--people", "400", "--proposals", "30", "--pages", "60"])
    assert out.exit_code == 0, out.output
    assert "pages: 60 pages" in out.output
    with app.app_context():
        pages = db.session.scalars(select(Page)).all()
        assert len(pages) == 60
        for page in pages:
            newest = db.session.scalar(select(func.max(Revision.number)).where(Revision.page_id == page.id))
            assert page.version == newest and page.current_revision is not None
            assert page.current_revision.number == newest
        assert db.session.scalar(select(func.count()).select_from(searchindex.SearchEntry)
                                 .where(searchindex.SearchEntry.kind == "page")) == 60
        page = pages[0]
        member = db.session.scalar(select(User).join(TeamMember, TeamMember.user_id == User.id)
                                   .where(TeamMember.team_id == page.space.team_id))
        found = searchindex.search(db.session, page.title, scopes=[("team", page.space.team_id)], kinds=["page"])
        assert page.id in {h.ref_id for h in found.hits}
        team_id, slug = page.space.team_id, page.slug
    client = login(member)
    response = client.get(f"/teams/{team_id}/wiki/{slug}")
    assert response.status_code == 200
    assert page.title in response.get_data(as_text=True)
    # ids continue after the bulk load (PostgreSQL sequences were moved on)
    with app.app_context():
        from wiki import services
        from wiki.workspace import load

        ws = load(db.session, "teams", team_id)
        assert ws is not None
        created = services.create_page(db.session, ws, "後から作ったページ", "本文", author=member.id,
                                       now=pages[0].updated_at)
        db.session.commit()
        assert created.id > max(p.id for p in pages)


def test_seed_scale_pages_without_teams_says_so(app: Flask) -> None:
    with app.app_context():
        factories.cities()
    out = app.test_cli_runner().invoke(args=["seed-scale", "--people", "0", "--proposals", "0", "--pages", "5"])
    assert out.exit_code == 0 and "pages: no teams" in out.output
