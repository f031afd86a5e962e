"""Two facilitators open the same edit form and both save: the second gets 409 with its text kept."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from core.dates import to_local_input
from core.extensions import db
from curriculum.models import Assignment, StudySession
from tests import factories
from tests import factories_curriculum as fc

STALE = "あなたが編集している間に、ほかの人がこの内容を保存しました。"


def _token(page: str) -> str:
    match = re.search(r'name="edit_token" type="hidden" value="([^"]*)"', page) or re.search(
        r'type="hidden" name="edit_token" value="([^"]*)"', page
    ) or re.search(r'id="edit_token" name="edit_token" type="hidden" value="([^"]*)"', page)
    assert match, "the edit form carries its version"
    return unescape(match.group(1))


def test_second_session_save_gets_409_and_the_first_stays(app, login) -> None:
    with app.app_context():
        a, b = factories.facilitator(), factories.facilitator()
        cohort = fc.cohort(facilitators=(a, b))
        row = fc.study_session(cohort, starts_in=timedelta(days=7))
        ident, starts, ends = row.id, to_local_input(row.starts_at), to_local_input(row.ends_at)
    first, second = login(a), login(b)
    tokens = [_token(c.get(f"/sessions/{ident}/edit").get_data(as_text=True)) for c in (first, second)]
    data = {"number": "1", "title": "第1回", "starts_at": starts, "ends_at": ends, "host_city": "",
            "venue": "市役所 会議室", "online_url": ""}
    ok = first.post(f"/sessions/{ident}/edit", data={**data, "agenda": "Aさんの次第", "edit_token": tokens[0]})
    assert ok.status_code == 302
    late = second.post(f"/sessions/{ident}/edit", data={**data, "agenda": "Bさんの次第", "edit_token": tokens[1]})
    body = late.get_data(as_text=True)
    assert late.status_code == 409
    assert STALE in body and "Bさんの次第" in body and "Aさんの次第" in body  # theirs kept, the saved shown
    with app.app_context():
        assert db.session.get(StudySession, ident).agenda == "Aさんの次第"
    merged = second.post(f"/sessions/{ident}/edit", data={**data, "agenda": "まとめ", "edit_token": _token(body)})
    assert merged.status_code == 302
    with app.app_context():
        assert db.session.get(StudySession, ident).agenda == "まとめ"


def test_second_assignment_save_gets_409_and_the_first_stays(app, login) -> None:
    with app.app_context():
        a, b = factories.facilitator(), factories.facilitator()
        cohort = fc.cohort(facilitators=(a, b))
        row = fc.assignment(cohort)
        ident = row.id
        data = {"title": row.title, "kind": row.kind.value, "publish_at": to_local_input(row.publish_at),
                "due_at": to_local_input(row.due_at), "late_until": "", "allowed_types": row.extensions,
                "max_mb": str(row.max_mb)}
    first, second = login(a), login(b)
    tokens = [_token(c.get(f"/assignments/{ident}/edit").get_data(as_text=True)) for c in (first, second)]
    ok = first.post(f"/assignments/{ident}/edit", data={**data, "instructions": "Aさんの説明", "edit_token": tokens[0]})
    assert ok.status_code == 302
    late = second.post(
        f"/assignments/{ident}/edit", data={**data, "instructions": "Bさんの説明", "edit_token": tokens[1]}
    )
    body = late.get_data(as_text=True)
    assert late.status_code == 409
    assert STALE in body and "Bさんの説明" in body and "Aさんの説明" in body
    with app.app_context():
        assert db.session.get(Assignment, ident).instructions == "Aさんの説明"


def test_second_cohort_save_gets_409(app, login) -> None:
    with app.app_context():
        admin = factories.admin()
        cohort = fc.cohort(facilitators=(factories.facilitator(),))
        ident = cohort.id
    first, second = login(admin), login(admin)
    pages = [c.get(f"/cohorts/{ident}/edit").get_data(as_text=True) for c in (first, second)]
    form = dict(re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', pages[0]))
    form.pop("submit", None)
    ok = first.post(f"/cohorts/{ident}/edit", data={**form, "title_ja": "Aさんの期", "edit_token": _token(pages[0])})
    assert ok.status_code == 302, ok.get_data(as_text=True)[:3000]
    late = second.post(f"/cohorts/{ident}/edit", data={**form, "title_ja": "Bさんの期", "edit_token": _token(pages[1])})
    body = late.get_data(as_text=True)
    assert late.status_code == 409 and STALE in body and "Bさんの期" in body and "Aさんの期" in body
