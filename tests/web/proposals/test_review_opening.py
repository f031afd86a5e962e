"""The facilitator sets when a draft round opens by itself (JST, before the deadline, in the future)."""
from __future__ import annotations

import re

from core.extensions import db
from proposals.review.models import ReviewRound
from tests import factories_proposals as fp


def test_the_opening_time_on_the_round_forms(app, login, year) -> None:
    with app.app_context():
        p = fp.proposal(year.team1, author=year.a1, submit=True)
        q = fp.proposal(year.team2, author=year.b1, submit=True, title="市境を越える子育て支援")
        pid, qid = p.id, q.id
    staff = login(year.facilitator)
    url = f"/cohorts/{year.cohort.id}/review-rounds/new"
    data = {"title": "中間の相互評価", "deadline": "2099-01-10T17:00", "reviews_per_proposal": "1",
            "proposals": [str(pid), str(qid)]}
    late = staff.post(url, data={**data, "opens_at": "2099-01-11T09:00"})
    body = late.get_data(as_text=True)
    assert late.status_code == 400 and "開始日時は締切より前にしてください" in body
    assert 'value="2099-01-11T09:00"' in body  # what was typed is kept
    made = staff.post(url, data={**data, "opens_at": "2099-01-03T09:00"})
    rid = int(re.search(r"/review-rounds/(\d+)", made.headers["Location"]).group(1))
    with app.app_context():
        assert db.session.get(ReviewRound, rid).opens_at.isoformat() == "2099-01-03T00:00:00+00:00"  # 09:00 JST
    page = staff.get(f"/review-rounds/{rid}").get_data(as_text=True)
    assert "に自動で開始" in page and "2099" in page
    past = staff.post(f"/review-rounds/{rid}/opens-at", data={"opens_at": "2001-01-01T00:00"})
    assert past.status_code == 400 and "開始日時は今より後の日時にしてください" in past.get_data(as_text=True)
    assert 'value="2001-01-01T00:00"' in past.get_data(as_text=True)
    garbled = staff.post(f"/review-rounds/{rid}/opens-at", data={"opens_at": "来週"})
    assert garbled.status_code == 400 and "日時を正しく入力してください" in garbled.get_data(as_text=True)
    assert staff.post(f"/review-rounds/{rid}/opens-at", data={"opens_at": ""}).status_code == 302
    with app.app_context():
        assert db.session.get(ReviewRound, rid).opens_at is None
    assert "に自動で開始" not in staff.get(f"/review-rounds/{rid}").get_data(as_text=True)
    assert staff.post(f"/review-rounds/{rid}/publish", data={}).status_code == 302  # manual publish still works
    with app.app_context():
        assert db.session.get(ReviewRound, rid).status.value == "open"
