"""Anonymity everywhere: the authors fetch every page, file and notification they can reach and never
find a reviewer's name, reading or e-mail; with hidden authors, reviewers never find the team."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import docx

from core import dates, mail
from core.extensions import db
from people.models import User
from proposals.models import Proposal
from proposals.review.models import ReviewAssignment
from tests import factories
from tests import factories_proposals as fp
from tests import factories_wiki as fw

SKIP = ("/logout", "/static/", "?lang=")
# Pages where reviews, their authors or their aliases can appear. Other areas list people by name
# (the directory shows everyone) without any link to a review, so they are not part of this check.
AREA = ("/proposals", "/reviews", "/teams/", "/review-rounds", "/cohorts/", "/notifications", "/api/notifications")
PANEL = re.compile(r'<section class="card panel" aria-labelledby="panel-(?:proposals|reviews|rounds)">.*?</section>', re.S)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _texts(data: bytes, content_type: str) -> str:
    """Everything a response carries, decoded: HTML/CSV as text, DOCX as every XML part (incl. metadata)."""
    if "wordprocessingml" in content_type:
        parts = zipfile.ZipFile(io.BytesIO(data))
        return "\n".join(parts.read(name).decode("utf-8", "replace") for name in parts.namelist()
                         if name.endswith((".xml", ".rels")))
    return data.decode("utf-8", "replace")


def crawl(client, starts: list[str], limit: int = 80) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Every same-site page (and file) reachable by following links from ``starts``."""
    seen: dict[str, str] = {}
    queue = list(starts)
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen or any(s in path for s in SKIP) or not (path == "/" or path.startswith(AREA)):
            continue
        response = client.get(path)
        seen[path] = _texts(response.data, response.content_type) if response.status_code == 200 else ""
        if path == "/":  # the home page: only the panels this area contributes
            seen[path] = "\n".join(PANEL.findall(seen[path]))
        if response.status_code == 200 and "text/html" in response.content_type:
            parser = _Links()
            parser.feed(seen[path] if path != "/" else response.get_data(as_text=True))
            for href in parser.hrefs:
                target = urljoin(path, href)
                parts = urlsplit(target)
                if not parts.netloc and parts.path.startswith("/"):
                    queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def _world(app, *, hide_reviewers: bool = True, hide_authors: bool = False, write: bool = True):  # type: ignore[no-untyped-def]
    with app.app_context():
        facilitator = factories.facilitator(name="進行 役")
        cohort = fw.cohort(facilitators=(facilitator,))
        author = factories.participant(factories.YOKOHAMA, name="提案 太郎", email="author@example.jp",
                                       name_kana="ていあん たろう")
        mate = factories.participant(factories.KAWASAKI, name="提案 次郎", email="mate@example.jp")
        secret = factories.participant(factories.FUJISAWA, name="査読 秘子", email="secret.reviewer@example.jp",
                                       name_kana="さどく ひめこ")
        other = factories.participant(factories.MACHIDA, name="査読 匿名", email="hidden.two@example.jp",
                                      name_kana="さどく とくめい")
        authors = fw.team(cohort, author, mate, name="チーム青葉")
        reviewers = fw.team(cohort, secret, other, name="チーム湘南")
        p = fp.proposal(authors, author=author, submit=True, title="見えてはいけない名前の試験")
        q = fp.proposal(reviewers, author=secret, submit=True, title="もう一つの提案")
        rnd = fp.review_round(cohort, [p, q], facilitator=facilitator, reviews=2, hide_reviewers=hide_reviewers,
                              hide_authors=hide_authors)
        for a in rnd.assignments:
            if write and a.round_proposal.proposal_id == p.id:
                fp.submit_review(a, overall="根拠となるデータを補うと良くなります。")
        from core.dates import utcnow
        from proposals.review import services

        if write:
            services.release(db.session, rnd, actor=facilitator, now=utcnow())
        db.session.commit()
        fp.write(db.session.get(Proposal, p.id), "effect", "効果を補強。", author=author)
        return author, mate, secret, other, p.id, q.id, rnd.id


SECRETS = ("査読 秘子", "秘子", "さどく ひめこ", "secret.reviewer", "査読 匿名", "hidden.two",
           "さどく とくめい")


def test_authors_never_learn_who_reviewed(app, login, events) -> None:
    author, _mate, secret, _other, pid, _qid, _rid = _world(app)
    client = login(author)
    with app.app_context():
        aid = db.session.scalar(db.select(ReviewAssignment.id).join(ReviewAssignment.round_proposal)
                                .where(ReviewAssignment.reviewer_id == secret.id).limit(1))
    client.post(f"/reviews/{aid}/response", data={"text": "ありがとうございました。"})
    pages = crawl(client, ["/", "/proposals", f"/proposals/{pid}", f"/proposals/{pid}/reviews", "/reviews",
                           f"/proposals/{pid}/reviews.docx", f"/proposals/{pid}/export.docx", "/notifications",
                           "/api/notifications/unread"])
    assert "査読結果が公開されました" in pages["/notifications"] and '"unread"' in pages["/api/notifications/unread"]
    assert f"/proposals/{pid}/reviews" in pages and "根拠となるデータを補うと良くなります。" in \
        pages[f"/proposals/{pid}/reviews"]
    assert any(path.endswith("reviews.docx") for path in pages) and len(pages) >= 12
    for path, body in pages.items():
        for secret_text in SECRETS:
            assert secret_text not in body, f"{secret_text!r} found in {path}"
    reviews_file = docx.Document(io.BytesIO(client.get(f"/proposals/{pid}/reviews.docx").data))
    assert reviews_file.core_properties.author == "8市連携スタディミーティング"
    told = [e for e in events if author.id in e.recipient_ids]
    assert any(e.kind == "review.released" for e in told)
    for e in told:
        assert e.actor_id != secret.id
        assert not any(s in str(e.params) for s in SECRETS)
        if e.kind == "review.released":
            assert e.hide_actor and e.actor_id is None
    sent = _author_mail(app, ("author@example.jp", "mate@example.jp"))
    assert any("査読結果が公開されました" in text for text in sent)
    for text in sent:
        for secret_text in SECRETS:
            assert secret_text not in text, f"{secret_text!r} found in an e-mail to the authors"


def _author_mail(app, addresses: tuple[str, ...]) -> list[str]:  # type: ignore[no-untyped-def]
    """Send every queued e-mail (immediate ones and today's digests) and return, decoded, the headers and
    every text part of those that went to ``addresses``."""
    from notify import delivery, digest
    from notify.models import Channel

    tomorrow = dates.tokyo_now().date() + timedelta(days=1)
    noon = datetime.combine(tomorrow, datetime.min.time().replace(hour=12), tzinfo=dates.TOKYO)
    with app.app_context():
        digest.build_digests(db.session, channel=Channel.DAILY, fire_time=noon, now=noon)
        db.session.commit()
        delivery.deliver_due(app, db.session, now=noon + timedelta(minutes=1), max_attempts=5,
                             checkpoint=db.session.commit)
        db.session.commit()
    texts = []
    for message in mail.outbox:
        if message["To"] not in addresses:
            continue
        parts = [f"{key}: {value}" for key, value in message.items()]
        parts += [part.get_content() for part in message.walk() if part.get_content_maintype() == "text"]
        texts.append("\n".join(parts))
    assert texts, "no e-mail reached the authors"
    return texts


def test_the_check_would_see_names_if_they_were_shown(app, login) -> None:
    """The same crawl finds the reviewer's name when the round does not hide reviewers."""
    author, _mate, secret, _other, pid, _qid, _rid = _world(app, hide_reviewers=False)
    pages = crawl(login(author), [f"/proposals/{pid}/reviews", f"/proposals/{pid}/reviews.docx"])
    assert "査読 秘子" in pages[f"/proposals/{pid}/reviews"] and "査読 秘子" in pages[f"/proposals/{pid}/reviews.docx"]


def test_reviewers_do_not_see_the_team_when_authors_are_hidden(app, login, events) -> None:
    author, mate, secret, _other, pid, qid, _rid = _world(app, hide_authors=True, write=False)
    client = login(secret)
    pages = crawl(client, ["/", "/reviews"])
    review_pages = [p for p in pages if p.startswith("/reviews/")]
    assert review_pages and any("見えてはいけない名前の試験" in pages[p] for p in review_pages)
    assert "panel-reviews" in pages["/"]  # the home panel listing the review to write is checked too
    for path in review_pages + ["/reviews", "/"]:
        for text in ("チーム青葉", "提案 太郎", "提案 次郎", "author@example.jp", "ていあん"):
            assert text not in pages[path], f"{text!r} found in {path}"
    for e in events:
        if secret.id in e.recipient_ids and e.kind == "review.assigned":
            assert "チーム青葉" not in str(e.params) and "提案 太郎" not in str(e.params)


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_each_rounds_docx_holds_that_round_with_its_own_anonymity(app, login) -> None:
    """Two rounds on one proposal: the first hides reviewers, the second does not. Each round's button
    downloads that round's reviews; names appear only in the second, in the text and in the file parts."""
    author, _mate, _secret, _other, pid, qid, first = _world(app)
    with app.app_context():
        from core.dates import utcnow
        from proposals import services as proposal_services
        from proposals.review import services
        from proposals.review.models import ReviewRound

        old = db.session.get(ReviewRound, first)
        old.title = "第1回の相互評価"
        facilitator = db.session.get(User, old.created_by_id)
        services.close_round(db.session, old, actor=facilitator, now=utcnow())
        for proposal_id in (pid, qid):
            proposal = db.session.get(Proposal, proposal_id)
            proposal_services.submit_revision(db.session, proposal, fp.texts_of(proposal),
                                              expected=len(proposal.snapshots), actor=author, now=utcnow(),
                                              released=True)
        db.session.commit()
        rnd = fp.review_round(db.session.get(Proposal, pid).cohort,
                              [db.session.get(Proposal, pid), db.session.get(Proposal, qid)],
                              facilitator=facilitator, reviews=2,
                              hide_reviewers=False, seed=2)
        rnd.title = "第2回の相互評価"
        for a in rnd.assignments:
            if a.round_proposal.proposal_id == pid:
                fp.submit_review(a, overall="二回目の講評：効果が明確になりました。")
        services.release(db.session, fp.here(rnd), actor=None, now=utcnow())
        db.session.commit()
        second = rnd.id
    client = login(author)
    page = client.get(f"/proposals/{pid}/reviews").get_data(as_text=True)
    assert f"/proposals/{pid}/reviews.docx?round={first}" in page
    assert f"/proposals/{pid}/reviews.docx?round={second}" in page

    early = client.get(f"/proposals/{pid}/reviews.docx?round={first}")
    assert early.status_code == 200
    text = _docx_text(early.data)
    assert "第1回の相互評価" in text and "根拠となるデータを補うと良くなります。" in text
    assert "第2回の相互評価" not in text and "二回目の講評" not in text
    everything = _texts(early.data, early.content_type)
    for secret_text in SECRETS:
        assert secret_text not in everything, f"{secret_text!r} found in the first round's DOCX"
    properties = docx.Document(io.BytesIO(early.data)).core_properties
    assert properties.author == "8市連携スタディミーティング"
    assert not any(s in (properties.last_modified_by or "") + (properties.title or "") for s in SECRETS)

    late = client.get(f"/proposals/{pid}/reviews.docx?round={second}")
    text = _docx_text(late.data)
    assert "二回目の講評：効果が明確になりました。" in text and "根拠となるデータを補うと良くなります。" not in text
    assert "査読 秘子" in text  # this round shows the reviewers' names
    assert _docx_text(client.get(f"/proposals/{pid}/reviews.docx").data) == text  # default: the latest round

    for wrong in ("999999", "abc", ""):
        assert client.get(f"/proposals/{pid}/reviews.docx?round={wrong}").status_code == 404, wrong
    assert client.get(f"/proposals/{qid}/reviews.docx?round={first}").status_code in (403, 404)
