"""Access rules for workspaces, the case library and search.

The wiki's part of the world (built on curriculum's cohorts and teams):
- team 1 (PARTICIPANT; cohort A run by FACILITATOR): an unpublished page "議事録" with two revisions and a
  comment by PARTICIPANT, a published page "公開メモ", a deleted page "古いメモ", a renamed page
  (old address "旧骨子"), a workspace file;
- team 2 (PARTICIPANT_OTHER, mentored by ALUMNUS): a page "作業メモ";
- cohort A's space: "連絡事項"; cohort B (closed, FACILITATOR_OTHER, ALUMNUS completed it): "記録";
- the case library: a published case "test-case" and a case proposed by PARTICIPANT.

Writes that would change the world for the next role in the loop post data the form refuses, so
every allowed role gets the same answer (400) and every other role is refused before validation.
"""
from __future__ import annotations

from tests.access import (ADMIN, ALUMNUS, FACILITATOR, FACILITATOR_OTHER, PARTICIPANT, PARTICIPANT_OTHER, POST_OK,
                          SIGNED_IN, COORDINATOR, COORDINATOR_OTHER, Rule)

ORDER = 40

TEAM1_INSIDE = frozenset({ADMIN, FACILITATOR, PARTICIPANT})
TEAM2_INSIDE = frozenset({ADMIN, FACILITATOR, PARTICIPANT_OTHER, ALUMNUS})
COHORT_A = frozenset({ADMIN, FACILITATOR, PARTICIPANT, PARTICIPANT_OTHER, ALUMNUS})
COHORT_B = frozenset({ADMIN, FACILITATOR_OTHER, ALUMNUS})
COHORT_B_WRITERS = frozenset({ADMIN, FACILITATOR_OTHER})
REVIEWERS = frozenset({ADMIN, FACILITATOR, FACILITATOR_OTHER})
REFUSED_FORM = {"comment": "x" * 400}  # longer than the form allows: 400 for those who get that far
BAD_REQUEST = frozenset({400})


def t1(path: str):  # type: ignore[no-untyped-def]
    return lambda w: f"/teams/{w.team.id}/wiki/{path}"


def t2(path: str):  # type: ignore[no-untyped-def]
    return lambda w: f"/teams/{w.team_other.id}/wiki/{path}"


def ca(path: str):  # type: ignore[no-untyped-def]
    return lambda w: f"/cohorts/{w.cohort.id}/wiki/{path}"


def cb(path: str):  # type: ignore[no-untyped-def]
    return lambda w: f"/cohorts/{w.cohort_other.id}/wiki/{path}"


RULES = [
    Rule("wiki.index", "/wiki", SIGNED_IN - {COORDINATOR, COORDINATOR_OTHER}),
    # workspace start pages
    Rule("wiki.home", t1(""), COHORT_A, note="others in the cohort see published pages only"),
    Rule("wiki.home", ca(""), COHORT_A),
    Rule("wiki.home", cb(""), COHORT_B),
    # reading pages
    Rule("wiki.page", t1("議事録"), TEAM1_INSIDE),
    Rule("wiki.page", t1("公開メモ"), COHORT_A),
    Rule("wiki.page", t2("作業メモ"), TEAM2_INSIDE),
    Rule("wiki.page", ca("連絡事項"), COHORT_A),
    Rule("wiki.page", cb("記録"), COHORT_B),
    Rule("wiki.page", t1("古いメモ"), TEAM1_INSIDE, note="deleted: only those who can undelete"),
    Rule("wiki.page", t1("旧骨子"), TEAM1_INSIDE, ok=frozenset({302}), note="renamed: redirect to readers only"),
    Rule("wiki.history", t1("議事録/history"), TEAM1_INSIDE),
    Rule("wiki.history", t1("公開メモ/history"), COHORT_A),
    Rule("wiki.revision", t1("議事録/revisions/1"), TEAM1_INSIDE),
    Rule("wiki.diff", t1("議事録/diff?from=1&to=2"), TEAM1_INSIDE),
    Rule("wiki.diff", t1("公開メモ/diff"), COHORT_A),
    # writing pages
    Rule("wiki.new", t1("-/new"), TEAM1_INSIDE),
    Rule("wiki.new", t1("-/new"), TEAM1_INSIDE, method="POST", data={"title": "下書き", "text": "本文",
                                                                       "preview": "プレビュー"}),
    Rule("wiki.new", ca("-/new"), COHORT_A),
    Rule("wiki.new", cb("-/new"), COHORT_B_WRITERS, note="a closed cohort is an archive"),
    Rule("wiki.edit", t1("議事録/edit"), TEAM1_INSIDE),
    Rule("wiki.edit", t1("議事録/edit"), TEAM1_INSIDE, method="POST",
         data={"text": "確認だけ", "preview": "プレビュー"}),
    Rule("wiki.edit", t2("作業メモ/edit"), TEAM2_INSIDE, note="the mentor edits"),
    Rule("wiki.edit", t1("公開メモ/edit"), TEAM1_INSIDE, note="published means readable, not writable"),
    Rule("wiki.edit", ca("連絡事項/edit"), COHORT_A),
    Rule("wiki.edit", cb("記録/edit"), COHORT_B_WRITERS),
    Rule("wiki.restore", t1("議事録/revisions/1/restore"), TEAM1_INSIDE, method="POST", data=REFUSED_FORM,
         ok=BAD_REQUEST),
    Rule("wiki.rename", t1("議事録/rename"), TEAM1_INSIDE),
    Rule("wiki.rename", t1("議事録/rename"), TEAM1_INSIDE, method="POST", data={"title": ""}, ok=BAD_REQUEST),
    Rule("wiki.move", t1("議事録/move"), TEAM1_INSIDE),
    Rule("wiki.move", t1("議事録/move"), TEAM1_INSIDE, method="POST", data={"target": "nowhere"}, ok=BAD_REQUEST),
    Rule("wiki.delete", t1("議事録/delete"), TEAM1_INSIDE, method="POST", data=REFUSED_FORM, ok=BAD_REQUEST),
    Rule("wiki.undelete", t1("古いメモ/undelete"), TEAM1_INSIDE, method="POST", data=REFUSED_FORM, ok=BAD_REQUEST),
    Rule("wiki.publish", t1("議事録/publish"), TEAM1_INSIDE, method="POST", data={"published": "1", **REFUSED_FORM},
         ok=BAD_REQUEST),
    Rule("wiki.comment", t1("公開メモ/comments"), COHORT_A, method="POST", data={"body": ""}, ok=BAD_REQUEST),
    Rule("wiki.comment", t1("議事録/comments"), TEAM1_INSIDE, method="POST", data={"body": ""}, ok=BAD_REQUEST),
    Rule("wiki.delete_comment", lambda w: f"/teams/{w.team.id}/wiki/議事録/comments/{w.comment.id}/delete",
         frozenset({ADMIN, FACILITATOR, PARTICIPANT}), method="POST", data=REFUSED_FORM, ok=BAD_REQUEST,
         note="the author or a facilitator"),
    # files
    Rule("wiki.files", t1("-/files"), TEAM1_INSIDE),
    Rule("wiki.upload", t1("-/files"), TEAM1_INSIDE, method="POST", data={}, ok=BAD_REQUEST),
    Rule("wiki.download", lambda w: f"/teams/{w.team.id}/wiki/-/files/{w.attachment.id}", TEAM1_INSIDE),
    Rule("wiki.remove_file", lambda w: f"/teams/{w.team.id}/wiki/-/files/{w.attachment.id}/remove", TEAM1_INSIDE,
         method="POST", data=REFUSED_FORM, ok=BAD_REQUEST),
    Rule("wiki.restore_file", lambda w: f"/teams/{w.team.id}/wiki/-/files/{w.removed_attachment.id}/restore",
         TEAM1_INSIDE, method="POST", data=REFUSED_FORM, ok=BAD_REQUEST),
    # case library
    Rule("cases.index", "/cases?field=disaster&q=防災", SIGNED_IN),
    Rule("cases.show", "/cases/test-case", SIGNED_IN),
    Rule("cases.new", "/cases/new", SIGNED_IN),
    Rule("cases.new", "/cases/new", SIGNED_IN, method="POST", data={"title": ""}, ok=BAD_REQUEST),
    Rule("cases.proposals", "/cases/proposals", SIGNED_IN, note="reviewers see all, others their own"),
    Rule("cases.proposal", lambda w: f"/cases/proposals/{w.proposed_case.id}", REVIEWERS | {PARTICIPANT}),
    Rule("cases.proposal", lambda w: f"/cases/proposals/{w.proposed_case.id}", REVIEWERS, method="POST",
         data={"decision": "maybe"}, ok=BAD_REQUEST),
    Rule("cases.edit", "/cases/test-case/edit", REVIEWERS),
    Rule("cases.edit", "/cases/test-case/edit", REVIEWERS, method="POST", data={"title": ""}, ok=BAD_REQUEST),
    # search
    Rule("search.index", "/search?q=防災", SIGNED_IN),
]

assert all(r.ok <= POST_OK for r in RULES if r.method == "POST")


def build(world):  # type: ignore[no-untyped-def]
    import io

    from flask import current_app

    from core.dates import utcnow
    from core.extensions import db
    from tests import factories_wiki as fw
    from wiki import revisions, services
    from wiki.cases import services as cases
    from wiki.workspace import load

    p, q = world.users[PARTICIPANT], world.users[PARTICIPANT_OTHER]
    team1 = fw.team_space(world.team)
    fw.page(team1, "議事録", "# 第1回\n\n防災の事例を調べる。\n", author=p, history=("# 第1回\n\n防災と子育ての事例を調べる。\n",))
    fw.page(team1, "公開メモ", "他のチームにも読んでほしいメモ。", author=p, published=True)
    old = fw.page(team1, "古いメモ", "もう使わない。", author=p)
    revisions.delete_page(db.session, old, author=p, now=utcnow())
    renamed = fw.page(team1, "旧骨子", "骨子", author=p)
    revisions.rename_page(db.session, renamed, "提案の骨子", author=p, now=utcnow())
    ws1 = load(db.session, "teams", world.team.id)
    minutes = revisions.find_page(db.session, team1, "議事録")[0]
    world.comment = services.add_comment(db.session, minutes, "確認しました。", author=p, now=utcnow())
    upload_dir = current_app.config["UPLOAD_DIR"]
    world.attachment = services.attach(db.session, ws1, io.BytesIO(b"%PDF-1.4 test"), "資料.pdf", author=p,
                                       now=utcnow(), upload_dir=upload_dir)
    world.removed_attachment = services.attach(db.session, ws1, io.BytesIO(b"memo"), "古い.txt", author=p,
                                               now=utcnow(), upload_dir=upload_dir)
    services.remove_attachment(db.session, world.removed_attachment, actor=p, now=utcnow())
    fw.page(fw.team_space(world.team_other), "作業メモ", "川崎チームのメモ", author=q)
    fw.page(fw.cohort_space(world.cohort), "連絡事項", "全体の連絡", author=world.users[FACILITATOR])
    fw.page(fw.cohort_space(world.cohort_other), "記録", "昨年度の記録", author=world.users[FACILITATOR_OTHER])
    data = cases.CaseInput(title="試験の事例", title_en="Test case", bodies=["横浜市", "川崎市"], prefecture="神奈川県",
                           field="disaster", kind="agreement", period="2020年〜", summary="防災の協定。", results="",
                           source="")
    published = cases.propose(db.session, data, author=p, now=utcnow())
    cases.approve(db.session, published, reviewer=world.users[ADMIN], now=utcnow(), slug="test-case")
    # A second case with the searched word in its title: a search here finds title and body hits both,
    # as it does on a full library (the query budget compares the two).
    titled = cases.propose(db.session, cases.CaseInput(
        title="防災協定の試験事例", title_en="Test disaster pact", bodies=["横浜市", "川崎市"], prefecture="神奈川県",
        field="disaster", kind="agreement", period="2021年〜", summary="試験用。", results="", source=""),
        author=p, now=utcnow())
    cases.approve(db.session, titled, reviewer=world.users[ADMIN], now=utcnow(), slug="test-case-2")
    world.proposed_case = cases.propose(db.session, data, author=p, now=utcnow())
    db.session.commit()
