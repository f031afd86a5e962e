"""Every kind reads well in Japanese and English from plain params; unknown kinds never crash."""
from __future__ import annotations

from datetime import datetime

import pytest
from flask_babel import force_locale

from core.dates import TOKYO
from notify import kinds

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=TOKYO)
DUE = datetime(2026, 11, 27, 17, 0, tzinfo=TOKYO).isoformat()

CASES = [
    ("assignment.posted", {"title": "課題2", "title_en": "Assignment 2", "due_at": DUE}, None,
     "新しい課題「課題2」が出されました", "New assignment: “Assignment 2”"),
    ("submission.feedback", {"title": "課題2"}, "広域 連太郎",
     "課題「課題2」の提出物に広域 連太郎さんからフィードバックが届きました",
     "広域 連太郎 gave feedback on your submission for “課題2”"),
    ("review.assigned", {"round": "第1回査読", "count": 3}, None,
     "査読ラウンド「第1回査読」で提案書3件の査読を担当することになりました",
     "You have been assigned 3 proposal(s) to review in the review round “第1回査読”"),
    ("review.released", {"title": "空き家の活用"}, None, "提案書「空き家の活用」への査読結果が公開されました",
     "The reviews of the proposal “空き家の活用” are now released"),
    ("deadline.near", {"title": "課題2", "due_at": DUE}, None, "「課題2」の締切まであと2日です",
     "2 days left until “課題2” is due"),
    ("proposal.status", {"title": "観光DX", "status": "adopted"}, None,
     "提案書「観光DX」の状態が「検討テーマに採択」になりました", "The proposal “観光DX” is now adopted as a study theme"),
    ("page.comment", {"title": "チーム1"}, "川辺 結衣", "川辺 結衣さんが「チーム1」にコメントしました",
     "川辺 結衣 commented on “チーム1”"),
    ("page.mention", {"title": "チーム1"}, None, "「チーム1」であなたが言及されました", "You were mentioned in “チーム1”"),
    ("directory.confirm", {"fiscal_year": 2026}, None, "令和8年度の所属・役職を確認してください",
     "Please confirm your department and position for FY2026"),
    ("session.reminder", {"title": "第4回 川崎会場", "starts_at": "2026-11-26T05:00:00+00:00"}, None,
     "「第4回 川崎会場」は2026年11月26日(木) 14:00からです", "“第4回 川崎会場” starts Thu 26 Nov 2026, 14:00"),
]


@pytest.mark.parametrize("kind,params,actor,ja,en", CASES, ids=[c[0] for c in CASES])
def test_each_kind_in_both_languages(app, kind, params, actor, ja, en) -> None:
    assert kinds.is_known(kind)
    with app.test_request_context():
        with force_locale("ja"):
            assert kinds.render(kind, params, locale="ja", now=NOW, actor_name=actor).text == ja
        with force_locale("en"):
            assert kinds.render(kind, params, locale="en", now=NOW, actor_name=actor).text == en


def test_details_show_deadlines_in_japan_time(app) -> None:
    with app.test_request_context():
        with force_locale("ja"):
            message = kinds.render("assignment.posted", {"title": "課題2", "due_at": DUE}, locale="ja", now=NOW)
        assert message.detail == "締切：2026年11月27日(金) 17:00"
        with force_locale("en"):
            message = kinds.render("assignment.posted", {"title": "x", "due_at": "2026-11-27T08:00:00+00:00"},
                                   locale="en", now=NOW)
        assert message.detail == "Due: Fri 27 Nov 2026, 17:00"
        # no half-empty second line when the param is missing
        assert kinds.render("assignment.posted", {"title": "x"}, locale="ja", now=NOW).detail == ""


def test_remaining_time_counts_down_in_hours_at_the_end(app) -> None:
    with app.test_request_context(), force_locale("ja"):
        due = datetime(2026, 11, 25, 15, 30, tzinfo=TOKYO).isoformat()
        assert kinds.render("deadline.near", {"title": "t", "due_at": due}, locale="ja", now=NOW).text == \
            "「t」の締切まであと5時間です"
        due = datetime(2026, 11, 25, 10, 20, tzinfo=TOKYO).isoformat()
        assert "1時間未満" in kinds.render("deadline.near", {"title": "t", "due_at": due}, locale="ja", now=NOW).text
    with app.test_request_context(), force_locale("en"):
        due = datetime(2026, 11, 26, 11, 0, tzinfo=TOKYO).isoformat()
        assert kinds.render("deadline.near", {"title": "t", "due_at": due}, locale="en", now=NOW).text == \
            "1 day left until “t” is due"


def test_unknown_kinds_and_missing_params_never_crash(app) -> None:
    with app.test_request_context(), force_locale("ja"):
        assert kinds.render("wiki.rename", {"title": "新しい名前"}, locale="ja", now=NOW).text == "お知らせ：新しい名前"
        assert kinds.render("wiki.rename", {}, locale="ja", now=NOW).text == "新しいお知らせがあります"
        assert kinds.render("review.assigned", {}, locale="ja", now=NOW).text == \
            "査読ラウンド「—」で提案書—件の査読を担当することになりました"
        assert kinds.render("proposal.status", {"title": "t", "status": "on_hold"}, locale="ja", now=NOW).text == \
            "提案書「t」の状態が「on_hold」になりました"
        assert kinds.render("proposal.status", {"title": "t", "status": "x", "status_label": "保留"}, locale="ja",
                            now=NOW).text == "提案書「t」の状態が「保留」になりました"
        assert kinds.get("wiki.rename") is kinds.GENERIC
    with app.test_request_context(), force_locale("en"):
        assert kinds.render("wiki.rename", {}, locale="en", now=NOW).text == "You have a new notice"


def test_areas_can_add_a_kind(app) -> None:
    from flask_babel import lazy_gettext as _l

    from notify.models import Channel

    added = kinds.register(kinds.Kind("test.extra", _l("課題が出されたとき"), _l("お知らせ：%(title)s"),
                                      default=Channel.WEEKLY, order=500))
    try:
        assert kinds.get("test.extra") is added and added in kinds.known()
    finally:
        kinds._KINDS.pop("test.extra")


def test_review_assignment_names_the_round_the_count_and_the_deadline(app) -> None:
    """What ``proposals.review.services`` sends: the round, how many proposals, the deadline (in JST).
    (English waits for the translation of the new wording.)"""
    params = {"round": "中間発表後の相互評価", "count": 2, "due_at": "2026-11-27T08:00:00+00:00"}
    with app.test_request_context(), force_locale("ja"):
        message = kinds.render("review.assigned", params, locale="ja", now=NOW)
    assert message.text == "査読ラウンド「中間発表後の相互評価」で提案書2件の査読を担当することになりました"
    assert message.detail == "締切：2026年11月27日(金) 17:00"
