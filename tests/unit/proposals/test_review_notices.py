"""The reviewers' "you have been assigned" notice, as people read it: in the app and in the e-mail.

It names the round, how many proposals the reviewer reads in it and the deadline in Japan time, and
nothing about the authors (no proposal title, team or person) when the round hides them.
"""
from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import force_locale
from sqlalchemy import select

from core.dates import utcnow
from notify import kinds
from notify.delivery import compose
from notify.models import Notification
from proposals.review import services
from tests import factories, factories_proposals as fp

DEADLINE = datetime(2031, 1, 20, 8, 0, tzinfo=UTC)  # 17:00 in Tokyo
# What the notice to 藤沢 三子 (team 2) must not say: who wrote the proposals she reads, or which they are.
HIDDEN = ("チーム1", "横浜 一子", "川崎 二郎", "a1@example.jp", "a2@example.jp", "8市で支える防災人材バンク",
          "空き家の広域活用", "子育て支援の相互利用")


def _notices(session, user_id: int) -> list[Notification]:  # type: ignore[no-untyped-def]
    return list(session.scalars(select(Notification).where(Notification.user_id == user_id,
                                                           Notification.kind == "review.assigned")
                                .order_by(Notification.id)))


def _in_app(n: Notification) -> kinds.Message:
    with force_locale("ja"):
        return kinds.render(n.kind, n.params, locale="ja", now=utcnow())


def test_the_notice_names_round_count_and_deadline_and_hides_the_authors(app, session, year) -> None:
    p = fp.proposal(year.team1, author=year.a1, submit=True)
    p2 = fp.proposal(year.team1, author=year.a2, submit=True, title="空き家の広域活用")
    q = fp.proposal(year.team2, author=year.b1, submit=True, title="子育て支援の相互利用")
    rnd = fp.review_round(year.cohort, [p, p2, q], facilitator=year.facilitator, reviews=2, hide_authors=True,
                          deadline=DEADLINE)
    [notice] = _notices(session, year.b1.id)  # b1 reads both of team 1's proposals
    message = _in_app(notice)
    assert message.text == "査読ラウンド「中間発表後の相互評価」で提案書2件の査読を担当することになりました"
    assert message.detail == "締切：2031年1月20日(月) 17:00"
    assert _in_app(_notices(session, year.a1.id)[0]).text.endswith("提案書1件の査読を担当することになりました")

    assert notice.delivery is not None  # e-mailed at once by default
    mail = compose(app, notice.delivery, [notice], now=utcnow())
    body = mail.body
    assert mail.subject == "【Renkei】査読ラウンド「中間発表後の相互評価」で提案書2件の査読を担当することになりました"
    assert "締切：2031年1月20日(月) 17:00" in body and "締切：2031年1月20日(月) 17:00" in mail.html
    assert "—" not in mail.subject and "「—」" not in body
    for text in HIDDEN:
        for where in (str(notice.params), message.text, message.detail, mail.subject, body, mail.html):
            assert text not in where, f"{text!r} in a reviewer's notice of a round that hides the authors"
    assert rnd.hide_authors


def test_a_reassigned_reviewer_is_told_their_new_count(app, session, year) -> None:
    p = fp.proposal(year.team1, author=year.a1, submit=True)
    q = fp.proposal(year.team2, author=year.b1, submit=True, title="子育て支援の相互利用")
    senior = factories.alumnus(factories.ZUSHI, name="逗子 二期生", email="senior@example.jp")
    rnd = fp.review_round(year.cohort, [p, q], facilitator=year.facilitator, reviews=1, alumni=[senior],
                          deadline=DEADLINE)
    had = sum(1 for a in rnd.assignments if a.reviewer_id == senior.id)
    given = [a for a in rnd.assignments if a.reviewer_id != senior.id]
    for a in given:  # the alumnus takes over every other review, and is told the new total each time
        services.reassign(session, a, senior.id, actor=year.facilitator, now=utcnow())
        session.commit()
    texts = [_in_app(n).text for n in _notices(session, senior.id)]
    counts = [t.split("提案書")[1].split("件")[0] for t in texts]
    assert given and counts[-len(given):] == [str(had + k) for k in range(1, len(given) + 1)]
