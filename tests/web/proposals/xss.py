"""User-written text in proposals and reviews: sections, titles, tags' neighbours, review comments,
answers, follow-up notes, the template's guidance and a round's instructions."""
from __future__ import annotations

from datetime import timedelta

from tests import factories
from tests import factories_proposals as fp
from tests import factories_wiki as fw
from tests.security.xss import Planted, XssTarget, packed


def _year():  # type: ignore[no-untyped-def]
    facilitator = factories.facilitator(name="進行 役")
    cohort = fw.cohort(facilitators=(facilitator,))
    a = factories.participant(factories.YOKOHAMA, name="提案 一")
    b = factories.participant(factories.KAWASAKI, name="査読 二")
    return facilitator, cohort, fw.team(cohort, a, name="チームA"), fw.team(cohort, b, name="チームB"), a, b


def _sections(payloads: list[str]) -> Planted:
    _f, _c, team, _t2, author, _b = _year()
    chunks = packed(payloads, 3000)
    keys = ["summary", "purpose", "activities", "novelty", "effect", "continuity", "rollout", "partnership"]
    texts = {"title": payloads[0][:200]}
    for i, key in enumerate(keys):
        texts[key] = chunks[i % len(chunks)]
    p = fp.proposal(team, author=author, texts=texts, submit=True)
    fp.write(p, "purpose", chunks[-1] + "\n追記", author=author)
    return Planted(author, [f"/proposals/{p.id}", f"/proposals/{p.id}/snapshots/1", f"/proposals/{p.id}/print",
                            f"/proposals/{p.id}/sections/purpose", f"/proposals/{p.id}/sections/purpose/history",
                            f"/teams/{team.id}/proposals", "/proposals", "/"])


def _titles(payloads: list[str]) -> Planted:
    _f, _c, team, _t2, author, _b = _year()
    for payload in payloads[:40]:
        fp.proposal(team, author=author, texts={"title": payload[:200], "summary": payload}, tags=False)
    return Planted(author, ["/proposals", f"/teams/{team.id}/proposals", "/"])


def _reviews(payloads: list[str]) -> Planted:
    from core.dates import utcnow
    from core.extensions import db
    from proposals.review import services

    facilitator, cohort, team, team2, author, reviewer = _year()
    p = fp.proposal(team, author=author, submit=True, title=payloads[1][:200])
    q = fp.proposal(team2, author=reviewer, submit=True)
    rnd = fp.review_round(cohort, [p, q], facilitator=facilitator, reviews=1)
    rnd.title = payloads[2][:200]
    rnd.instructions = packed(payloads, 4000)[0]
    chunks = packed(payloads, 4000)
    a = next(x for x in rnd.assignments if x.round_proposal.proposal_id == p.id)
    scores = [services.ScoreInput(c.id, 3, chunks[i % len(chunks)]) for i, c in enumerate(rnd.criteria)]
    services.save_review(db.session, a, scores=scores, overall=chunks[-1], version=None, submit=True, actor=reviewer,
                         now=utcnow() - timedelta(minutes=2))
    services.release(db.session, rnd, actor=facilitator, now=utcnow() - timedelta(minutes=1))
    services.respond(db.session, a, text=chunks[0], links=[], allowed_links=[], version=None, actor=author,
                     now=utcnow())
    db.session.commit()
    return Planted(author, [f"/proposals/{p.id}/reviews", f"/proposals/{p.id}", "/reviews", "/"])


def _reviewer_side(payloads: list[str]) -> Planted:
    facilitator, cohort, team, team2, author, reviewer = _year()
    chunks = packed(payloads, 3000)
    p = fp.proposal(team, author=author, submit=True, texts={**fp.TEXTS, "summary": chunks[0], "effect": chunks[-1]})
    q = fp.proposal(team2, author=reviewer, submit=True)
    rnd = fp.review_round(cohort, [p, q], facilitator=facilitator, reviews=1)
    rnd.instructions = chunks[0]
    a = next(x for x in rnd.assignments if x.round_proposal.proposal_id == p.id)
    return Planted(reviewer, [f"/reviews/{a.id}", "/reviews", "/"])


def _staff_pages(payloads: list[str]) -> Planted:
    from core.dates import utcnow
    from core.extensions import db
    from proposals import services
    from proposals.template import ensure_template

    facilitator, cohort, team, team2, author, reviewer = _year()
    admin = factories.admin(name="事務 局")
    template = ensure_template(db.session, cohort)
    chunks = packed(payloads, 3000)
    template.intro = chunks[0]
    template.sections[1].guidance = chunks[-1]
    template.criteria[0].description = payloads[3][:2000]
    template.criteria[0].level_1 = payloads[4][:300]
    db.session.commit()
    p = fp.proposal(team, author=author, submit=True)
    q = fp.proposal(team2, author=reviewer, submit=True)
    rnd = fp.review_round(cohort, [p, q], facilitator=facilitator, reviews=1, publish=False)
    rnd.title = payloads[5][:200]
    services.finalize(db.session, q, fp.texts_of(q), expected=1, actor=reviewer, now=utcnow(), released=False)
    services.record_presentation(db.session, q, on=utcnow().date(), meeting="部局長級会議", note=chunks[0], actor=admin,
                                 now=utcnow())
    services.record_decision(db.session, q, adopted=True, note=chunks[-1], actor=admin, now=utcnow())
    services.add_follow_up(db.session, q, text=chunks[0], noted_on=utcnow().date(), actor=admin, now=utcnow())
    db.session.commit()
    return Planted(admin, [f"/cohorts/{cohort.id}/proposal-template", f"/review-rounds/{rnd.id}", "/review-rounds",
                           f"/proposals/{q.id}", f"/proposals/{q.id}/outcome", "/"])


TARGETS = [
    XssTarget("proposals: section texts (draft, snapshot, print, history)", _sections),
    XssTarget("proposals: titles in lists", _titles),
    XssTarget("proposals: reviews, answers, round title and instructions (authors)", _reviews),
    XssTarget("proposals: the proposal under review (reviewer)", _reviewer_side),
    XssTarget("proposals: template, round preview, outcome notes (staff)", _staff_pages),
]
