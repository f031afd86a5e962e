"""Builders for proposal tests: written proposals, submitted snapshots, review rounds."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from core.dates import utcnow
from core.extensions import db
from curriculum.models import Cohort, Team
from people.models import User
from proposals import sections, services
from proposals.models import Proposal
from proposals.review import services as review_services
from proposals.review.models import ReviewRound
from proposals.template import ensure_template
from proposals.vocab import Direction, PolicyField

TEXTS = {
    "title": "8市で支える防災人材バンク",
    "summary": "災害時に不足する専門職を8市で融通し合う仕組みをつくる。",
    "purpose": "2040年に向けて技術系職員が減るなか、1市だけでは災害対応の専門職をそろえられない。",
    "activities": "- 応援可能な専門職の名簿を作る\n- 派遣調整のルールを定める\n- 合同訓練を行う",
    "novelty": "専門職の技能を平時から共有し、派遣先を事前に決めておく点が新しい。",
    "effect": "被災後72時間以内に必要な専門職の8割を確保できる。",
    "continuity": "名簿の更新を人事異動の時期に合わせて各市の年次業務にする。",
    "rollout": "隣り合う同規模の市であれば、どこでも同じ仕組みを使える。",
    "partnership": "8市の防災担当課、人事担当課、県、建築士会が協力する。",
}


def here(obj):  # type: ignore[no-untyped-def]
    """The object in the current session (tests may hold copies from an app context that has ended)."""
    if obj is None or obj in db.session:
        return obj
    return db.session.get(type(obj), obj.id)


def template(cohort: Cohort):  # type: ignore[no-untyped-def]
    t = ensure_template(db.session, here(cohort))
    db.session.commit()
    return t


def write(proposal: Proposal, key: str, text: str, *, author: User, now: datetime | None = None):  # type: ignore[no-untyped-def]
    """Save one section on top of whatever it holds now."""
    proposal, author = here(proposal), here(author)
    t = template(proposal.cohort)
    spec = t.section(key)
    assert spec is not None, key
    state = sections.load_one(db.session, proposal, spec)
    revision = sections.save(db.session, proposal, spec, text, author=author, base_revision_id=state.revision_id,
                             now=now or utcnow())
    db.session.commit()
    return revision


def texts_of(proposal: Proposal) -> list[services.SectionText]:
    proposal = here(proposal)
    t = template(proposal.cohort)
    return [services.SectionText(s.spec, s.text, s.revision_id)
            for s in sections.load(db.session, proposal, t, include_retired=True)]


def proposal(team: Team, *, author: User, texts: dict[str, str] | None = None, submit: bool = False,
             tags: bool = True, now: datetime | None = None, title: str | None = None) -> Proposal:
    """A proposal of ``team`` with the given section texts (all of TEXTS by default)."""
    now = now or utcnow() - timedelta(days=2)
    team, author = here(team), here(author)
    p = services.create_proposal(db.session, team, actor=author, now=now)
    db.session.commit()
    chosen = dict(TEXTS if texts is None else texts)
    if title is not None:
        chosen["title"] = title
    for key, text in chosen.items():
        if text:
            write(p, key, text, author=author, now=now)
    if tags:
        services.update_tags(db.session, p, city_ids=[c.city_id for c in p.cities] or [author.city_id],
                             policy_field=PolicyField.DISASTER, directions=[Direction.THREATS, Direction.RESOURCES],
                             version=None, actor=author, now=now)
        db.session.commit()
    if submit:
        services.submit(db.session, p, texts_of(p), expected=len(p.snapshots), actor=author,
                        now=now + timedelta(hours=1))
        db.session.commit()
    return p


def review_round(cohort: Cohort, proposals: Sequence[Proposal], *, facilitator: User, reviews: int = 1,
                 publish: bool = True, release: bool = False, deadline: datetime | None = None,
                 hide_reviewers: bool = True, hide_authors: bool = False, alumni: Iterable[User] = (),
                 seed: int = 1) -> ReviewRound:
    now = utcnow()
    cohort, facilitator = here(cohort), here(facilitator)
    proposals = [here(p) for p in proposals]
    alumni = [here(a) for a in alumni]
    rnd = review_services.create_round(
        db.session, cohort, title="中間発表後の相互評価", deadline=deadline or now + timedelta(days=7),
        reviews_per_proposal=reviews, hide_reviewers=hide_reviewers, hide_authors=hide_authors,
        include_alumni=bool(alumni), alumni_ids=[a.id for a in alumni], proposal_ids=[p.id for p in proposals],
        instructions="観点ごとに採点してください。", seed=seed, actor=facilitator, now=now - timedelta(minutes=5))
    if publish:
        review_services.publish_round(db.session, rnd, actor=facilitator, now=now - timedelta(minutes=4))
    if release:
        review_services.release(db.session, rnd, actor=facilitator, now=now - timedelta(minutes=1))
    db.session.commit()
    return rnd


def submit_review(assignment, *, score: int = 4, overall: str = "よく練られた提案です。", now=None):  # type: ignore[no-untyped-def]
    assignment = here(assignment)
    reviewer = db.session.get(User, assignment.reviewer_id)
    scores = [review_services.ScoreInput(c.id, score, f"{c.name}についてのコメント") for c in assignment.round.criteria]
    review_services.save_review(db.session, assignment, scores=scores, overall=overall, version=None, submit=True,
                                actor=reviewer, now=now or utcnow() - timedelta(minutes=3))
    db.session.commit()
