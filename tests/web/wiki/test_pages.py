"""Workspace pages through HTTP: create, read, edit, merge, conflict, links, history, rename, move, delete."""
from __future__ import annotations

import re
from urllib.parse import quote

from sqlalchemy import func, select

from core.searchindex import SearchEntry
from tests import factories_wiki as fw
from tests.conftest import make_app, sign_in
from wiki import revisions
from wiki.models import Page, Revision, RevisionKind, SpaceKind

OUTLINE = "# 防災連携の提案\n\n## 背景\n\n8市は地震への備えを個別に進めている。\n\n## 取組内容\n\n避難所の情報を共有する。\n"


def url(team, path: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/teams/{team.id}/wiki/{path}"


def html(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def base_id(text: str) -> str:
    return re.search(r'name="base_revision_id" type="hidden" value="(\d+)"', text).group(1)


def test_create_read_and_find_a_page(w, login, indb) -> None:
    client = login(w.yoko)
    r = client.post(url(w.team1, "-/new"), data={"title": "防災 提案の骨子", "text": OUTLINE, "comment": "たたき台"})
    assert r.status_code == 302 and r.headers["Location"] == url(w.team1, quote("防災_提案の骨子"))
    page = html(client.get(r.headers["Location"]))
    assert "<h1 id=\"h-" in page and "防災連携の提案" in page and "たたき台" in page
    assert "ページ「防災 提案の骨子」を作成しました。" in page
    assert 'data-clear-draft="renkei-wiki:teams:' in page  # the browser forgets the draft after a save
    with indb() as session:
        entry = session.scalar(select(SearchEntry).where(SearchEntry.kind == "page"))
    assert entry.scope_type == "team" and entry.scope_id == w.team1.id and "避難所" in entry.body


def test_a_taken_title_is_refused_at_the_field_and_keeps_the_text(w, login, indb) -> None:
    with indb():
        fw.page(w.ws1, "議事録", "既存", author=w.yoko)
    r = login(w.kawa).post(url(w.team1, "-/new"), data={"title": "議事録", "text": "消したくない本文"})
    page = html(r)
    assert r.status_code == 400
    assert "このタイトルのページは既にあります" in page and "消したくない本文" in page


def test_red_link_for_an_existing_title_opens_its_editor(w, login, indb) -> None:
    with indb():
        fw.page(w.ws1, "第2回 議事録", "本文", author=w.yoko)
    r = login(w.yoko).get(url(w.team1, "-/new?title=第2回 議事録"))
    assert r.status_code == 302 and r.headers["Location"].endswith("/edit")


def test_edit_saves_a_revision_and_unchanged_text_saves_none(w, login, indb) -> None:
    with indb():
        page = fw.page(w.ws1, "骨子", OUTLINE, author=w.yoko)
    client = login(w.kawa)
    form = html(client.get(url(w.team1, "骨子/edit")))
    assert base_id(form) == str(page.current_revision_id) and "避難所の情報を共有する。" in form
    edited = OUTLINE + "\n## 効果\n\n応援が早くなる。\n"
    r = client.post(url(w.team1, "骨子/edit"), data={"text": edited, "base_revision_id": base_id(form),
                                                     "comment": "効果を追記"})
    assert r.status_code == 302
    assert "保存しました。" in html(client.get(r.headers["Location"]))
    with indb() as session:
        latest = session.get(Page, page.id).current_revision_id
    r = client.post(url(w.team1, "骨子/edit"), data={"text": edited, "base_revision_id": latest})
    assert "新しい版は作りませんでした" in html(client.get(r.headers["Location"]))
    with indb() as session:
        assert session.scalar(select(func.count()).select_from(Revision).where(Revision.page_id == page.id)) == 2


def test_preview_renders_without_saving(w, login, indb) -> None:
    with indb():
        page = fw.page(w.ws1, "骨子", OUTLINE, author=w.yoko)
    r = login(w.yoko).post(url(w.team1, "骨子/edit"), data={"text": "## 新しい見出し\n\n**太字**", "preview": "1",
                                                            "base_revision_id": page.current_revision_id})
    body = html(r)
    assert r.status_code == 200 and "<strong>太字</strong>" in body and 'data-draft-restore="off"' in body
    with indb() as session:
        assert session.get(Page, page.id).version == 1


def test_two_people_editing_different_places_are_merged(w, login, indb) -> None:
    with indb():
        page = fw.page(w.ws1, "骨子", OUTLINE, author=w.yoko)
    first = page.current_revision_id
    a, b = login(w.yoko), login(w.kawa)
    a.post(url(w.team1, "骨子/edit"), data={"text": OUTLINE.replace("個別に進めている。", "個別に進めてきた。"),
                                             "base_revision_id": first})
    r = b.post(url(w.team1, "骨子/edit"), data={"text": OUTLINE.replace("共有する。", "共有し、訓練する。"),
                                                 "base_revision_id": first})
    assert r.status_code == 302
    assert "自動で統合して保存しました" in html(b.get(r.headers["Location"]))
    with indb() as session:
        text = session.get(Page, page.id).text
    assert "個別に進めてきた。" in text and "共有し、訓練する。" in text


def test_overlapping_edits_show_the_conflict_view_and_nothing_is_lost(w, login, indb) -> None:
    with indb():
        page = fw.page(w.ws1, "骨子", OUTLINE, author=w.yoko)
    first = page.current_revision_id
    a, b = login(w.yoko), login(w.kawa)
    a.post(url(w.team1, "骨子/edit"), data={"text": OUTLINE.replace("避難所の情報を共有する。", "避難所の空きを地図で見せる。"),
                                             "base_revision_id": first})
    mine = OUTLINE.replace("避難所の情報を共有する。", "福祉避難所の受け入れを調整する。")
    r = b.post(url(w.team1, "骨子/edit"), data={"text": mine, "base_revision_id": first, "comment": "受け入れ"})
    body = html(r)
    assert r.status_code == 409
    assert "編集が重なりました" in body and "横浜 一花さんが同じページを保存しました" in body
    with indb() as session:
        latest = session.get(Page, page.id).current_revision_id
    assert base_id(body) == str(latest)  # the form is now based on what was saved meanwhile
    assert body.count("福祉避難所の受け入れを調整する。") >= 2  # in "your text" and in the editor
    assert "避難所の空きを地図で見せる。" in body and "&lt;&lt;&lt;&lt;&lt;&lt;&lt; " in body
    assert 'data-draft-restore="off"' in body and 'value="受け入れ"' in body
    # saving the text with the markers still in it is refused at the field
    marked = re.search(r'<textarea[^>]*name="text"[^>]*>\r?\n?(.*?)</textarea>', body, re.S).group(1)
    r = b.post(url(w.team1, "骨子/edit"), data={"text": marked.replace("&lt;", "<").replace("&gt;", ">"),
                                                 "base_revision_id": latest})
    assert r.status_code == 400 and "印の行を消してから保存してください" in html(r)
    resolved = OUTLINE.replace("避難所の情報を共有する。", "避難所の空きを地図で見せ、福祉避難所の受け入れも調整する。")
    r = b.post(url(w.team1, "骨子/edit"), data={"text": resolved, "base_revision_id": latest})
    assert r.status_code == 302
    with indb() as session:
        assert session.get(Page, page.id).text == resolved


def test_an_expired_csrf_token_keeps_what_was_typed(database_url, instance_dir, w, indb) -> None:
    strict = make_app(database_url, instance_dir, WTF_CSRF_ENABLED=True)
    with indb():
        page = fw.page(w.ws1, "骨子", OUTLINE, author=w.yoko)
    client = sign_in(strict.test_client(), w.yoko)
    r = client.post(url(w.team1, "骨子/edit"), data={"text": "長い時間をかけて書いた段落。", "csrf_token": "expired",
                                                     "base_revision_id": page.current_revision_id})
    body = html(r)
    assert r.status_code == 400
    assert "長い時間をかけて書いた段落。" in body and "有効期限が切れていました" in body
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1)
    r = client.post(url(w.team1, "骨子/edit"), data={"text": "長い時間をかけて書いた段落。", "csrf_token": token,
                                                     "base_revision_id": base_id(body)})
    assert r.status_code == 302
    other = strict.test_client()
    assert other.post(url(w.team1, "骨子/delete"), data={}).status_code in (302, 400)  # not signed in / no token


def test_links_toc_and_sanitising(w, login, indb) -> None:
    with indb():
        fw.page(w.ws1, "議事録", "記録", author=w.yoko)
    text = ("## 一\n\n## 二\n\n## 三\n\n[[議事録]] と [[まだない頁|未作成]] と [[case:nagoya-joint-dispatch-center]]\n\n"
            "`[[コード]]` <script>alert(1)</script> [x](javascript:alert(1))")
    with indb():
        fw.page(w.ws1, "目次つき", text, author=w.yoko)
    body = html(login(w.kawa).get(url(w.team1, "目次つき")))
    assert f'<a class="wikilink" href="/teams/{w.team1.id}/wiki/{quote("議事録")}"' in body
    assert 'class="wikilink wikilink-new"' in body and quote("まだない頁") in body and ">未作成</a>" in body
    # No such case in this test's library: the link is marked missing (the seeded library has it).
    assert 'class="caselink wikilink-new" href="/cases/nagoya-joint-dispatch-center"' in body
    assert "nagoya-joint-dispatch-center（事例集にない事例）" in body
    assert "<code>[[コード]]</code>" in body and "<script>alert" not in body and "javascript:" not in body
    assert 'class="wiki-toc"' in body and 'href="#h-' in body
    linked = login(w.kawa).get(url(w.team1, "議事録")).get_data(as_text=True)
    assert "このページへのリンク" in linked and "目次つき" in linked  # what links here


def test_links_on_a_published_page_tell_a_reader_from_another_team_nothing_about_unpublished_pages(
        w, login, indb) -> None:
    with indb():
        fw.case("名古屋の共同指令センター", slug="nagoya-joint-dispatch-center")
        fw.page(w.ws1, "内部メモ", "チームの中だけ", author=w.yoko)
        fw.page(w.ws1, "公開資料", "みんなに", author=w.yoko, published=True)
        fw.page(w.ws1, "中間報告", "[[内部メモ]]・[[公開資料]]・[[まだない頁]]・[[case:nagoya-joint-dispatch-center]]",
                author=w.yoko, published=True)
    reader = html(login(w.zushi).get(url(w.team1, "中間報告")))
    assert f'href="/teams/{w.team1.id}/wiki/{quote("公開資料")}"' in reader
    assert "<span>内部メモ</span>" in reader and quote("内部メモ") not in reader
    assert "<span>まだない頁</span>" in reader and "/-/new" not in reader and "wikilink-new" not in reader
    assert ">名古屋の共同指令センター</a>" in reader  # a case link shows the case's title
    member = html(login(w.kawa).get(url(w.team1, "中間報告")))
    assert f'href="/teams/{w.team1.id}/wiki/{quote("内部メモ")}"' in member and "wikilink-new" in member


def test_history_diff_revision_and_restore(w, login, indb) -> None:
    with indb():
        page = fw.page(w.ws1, "骨子", OUTLINE, author=w.yoko, history=(OUTLINE.replace("地震", "風水害と地震"),))
    client = login(w.kawa)
    body = html(client.get(url(w.team1, "骨子/history")))
    assert "第2版" in body and "第1版" in body and "横浜 一花" in body and "+" in body
    diff = html(client.get(url(w.team1, "骨子/diff?from=1&to=2")))
    assert "<ins>風水害と</ins>" in diff or "風水害と" in diff and "diff-line-added" in diff
    old = html(client.get(url(w.team1, "骨子/revisions/1")))
    assert "これは古い版です" in old and "8市は地震への備え" in old
    assert client.get(url(w.team1, "骨子/revisions/9")).status_code == 404
    r = client.post(url(w.team1, "骨子/revisions/1/restore"), data={})
    assert r.status_code == 302
    with indb() as session:
        restored = session.get(Page, page.id).current_revision
        assert (restored.number, restored.kind, restored.text, restored.author_id) == (3, RevisionKind.RESTORE,
                                                                                       OUTLINE, w.kawa.id)
        assert "第1版に戻しました" in restored.comment


def test_restore_or_delete_from_a_stale_screen_is_refused_and_says_a_newer_version_exists(w, login, indb) -> None:
    with indb():
        page = fw.page(w.ws1, "骨子", OUTLINE, author=w.yoko, history=(OUTLINE + "第2版の追記。\n",))
    restorer, writer = login(w.kawa), login(w.yoko)
    old = html(restorer.get(url(w.team1, "骨子/revisions/1")))
    seen = re.search(r'name="seen_version" value="(\d+)"', old).group(1)
    assert seen == "2" and 'name="seen_version" value="2"' in html(restorer.get(url(w.team1, "骨子/history")))
    edit = html(writer.get(url(w.team1, "骨子/edit")))
    newest = OUTLINE + "第2版の追記。\n直前に書き足した大事な段落。\n"
    assert writer.post(url(w.team1, "骨子/edit"), data={"text": newest, "base_revision_id": base_id(edit),
                                                      "save": "1"}).status_code == 302
    r = restorer.post(url(w.team1, "骨子/revisions/1/restore"), data={"seen_version": seen}, follow_redirects=True)
    assert "他の人が保存しました（第3版）" in html(r)
    deleted = restorer.post(url(w.team1, "骨子/delete"), data={"seen_version": seen}, follow_redirects=True)
    assert "他の人が保存しました（第3版）" in html(deleted)
    with indb() as session:
        now = session.get(Page, page.id)
        assert now.version == 3 and not now.deleted and "直前に書き足した大事な段落。" in now.current_revision.text
    assert restorer.post(url(w.team1, "骨子/revisions/1/restore"), data={"seen_version": "3"}).status_code == 302
    with indb() as session:
        assert session.get(Page, page.id).current_revision.text == OUTLINE


def test_rename_redirects_from_the_old_address(w, login, indb) -> None:
    with indb():
        fw.page(w.ws1, "骨子", OUTLINE, author=w.yoko)
    client = login(w.yoko)
    r = client.post(url(w.team1, "骨子/rename"), data={"title": "防災連携の提案"})
    assert r.status_code == 302
    r = client.get(url(w.team1, "骨子"))
    assert r.status_code == 302 and r.headers["Location"] == url(w.team1, quote("防災連携の提案"))
    assert client.post(url(w.team1, quote("防災連携の提案") + "/rename"), data={"title": ""}).status_code == 400


def test_move_to_the_cohort_space_and_back(w, login, indb) -> None:
    with indb():
        fw.page(w.ws1, "調査メモ", "名古屋市の事例", author=w.yoko)
    client = login(w.yoko)
    form = html(client.get(url(w.team1, "調査メモ/move")))
    assert f'value="cohorts:{w.cohort.id}"' in form and f"teams:{w.team2.id}" not in form
    r = client.post(url(w.team1, "調査メモ/move"), data={"target": f"cohorts:{w.cohort.id}"})
    assert r.status_code == 302 and r.headers["Location"] == f"/cohorts/{w.cohort.id}/wiki/{quote('調査メモ')}"
    assert login(w.zushi).get(r.headers["Location"]).status_code == 200  # the whole cohort reads it now
    assert client.get(url(w.team1, "調査メモ")).headers["Location"] == r.headers["Location"]
    back = html(client.get(f"/cohorts/{w.cohort.id}/wiki/調査メモ/move"))
    assert f"teams:{w.team1.id}" in back and f"teams:{w.team2.id}" not in back  # only teams I can write in


def test_delete_and_undelete(w, login, indb) -> None:
    with indb():
        fw.page(w.ws1, "古いメモ", "消す前の本文", author=w.yoko, published=True)
    client = login(w.kawa)
    assert client.post(url(w.team1, "古いメモ/delete"), data={}).status_code == 302
    body = html(client.get(url(w.team1, "古いメモ")))
    assert "このページは削除されています" in body and "消す前の本文" not in body
    assert login(w.zushi).get(url(w.team1, "古いメモ")).status_code == 403  # was published; now gone for others
    assert client.post(url(w.team1, "古いメモ/undelete"), data={}).status_code == 302
    assert "消す前の本文" in html(client.get(url(w.team1, "古いメモ")))


def test_an_edit_open_while_a_teammate_renamed_or_moved_the_page_is_saved_at_the_new_address(w, login, indb) -> None:
    with indb():
        fw.page(w.ws1, "骨子", OUTLINE, author=w.yoko)
    writer, mover = login(w.yoko), login(w.kawa)
    base = base_id(html(writer.get(url(w.team1, "骨子/edit"))))
    assert 'data-draft-key="renkei-wiki:page:' in html(writer.get(url(w.team1, "骨子/edit")))  # follows the page
    assert mover.post(url(w.team1, "骨子/rename"), data={"title": "提案の骨子"}).status_code == 302
    typed = OUTLINE + "\n改名の間に書いた段落。\n"
    r = writer.post(url(w.team1, "骨子/edit"), data={"text": typed, "base_revision_id": base, "save": "1"})
    assert r.status_code == 307 and r.headers["Location"] == url(w.team1, quote("提案の骨子") + "/edit")
    saved = writer.post(r.headers["Location"], data={"text": typed, "base_revision_id": base, "save": "1"})
    assert saved.status_code == 302
    assert mover.post(url(w.team1, quote("提案の骨子") + "/move"),
                      data={"target": f"cohorts:{w.cohort.id}"}).status_code == 302
    moved = writer.post(url(w.team1, "骨子/edit"), data={"text": typed + "移動の間にも。\n", "save": "1",
                                                         "base_revision_id": str(int(base) + 1)})
    assert moved.status_code == 307 and moved.headers["Location"].startswith(f"/cohorts/{w.cohort.id}/wiki/")
    assert writer.get(url(w.team1, "骨子")).status_code == 302  # reading still gets an ordinary redirect
    with indb() as session:
        page = session.scalar(select(Page).where(Page.title == "提案の骨子"))
        assert "改名の間に書いた段落。" in revisions.latest_revision(session, page).text


def test_saving_a_page_a_teammate_deleted_meanwhile_keeps_the_text_and_says_why(w, login, indb) -> None:
    with indb():
        fw.page(w.ws1, "議事録", "第1回", author=w.yoko)
    writer, deleter = login(w.yoko), login(w.kawa)
    base = base_id(html(writer.get(url(w.team1, "議事録/edit"))))
    assert deleter.post(url(w.team1, "議事録/delete"), data={}).status_code == 302
    r = writer.post(url(w.team1, "議事録/edit"), data={"text": "第1回\n\n削除の間に書いた決定事項。", "save": "1",
                                                      "base_revision_id": base})
    body = html(r)
    assert r.status_code == 400 and "削除の間に書いた決定事項。" in body
    assert "編集している間に、このページは削除されました" in body
    assert writer.get(url(w.team1, "議事録/edit")).status_code == 403  # opening the editor of a deleted page
    assert login(w.zushi).post(url(w.team1, "議事録/edit"), data={"text": "x", "save": "1"}).status_code == 403


def test_publishing_shows_a_page_to_the_rest_of_the_cohort(w, login, indb) -> None:
    with indb():
        fw.page(w.ws1, "中間報告", "他チームにも見てほしい", author=w.yoko)
    other_team, outsider = login(w.zushi), login(w.other)
    assert other_team.get(url(w.team1, "中間報告")).status_code == 403
    assert "中間報告" not in html(other_team.get(url(w.team1)))
    login(w.yoko).post(url(w.team1, "中間報告/publish"), data={"published": "1"})
    assert other_team.get(url(w.team1, "中間報告")).status_code == 200
    assert "中間報告" in html(other_team.get(url(w.team1)))
    assert other_team.get(url(w.team1, "中間報告/edit")).status_code == 403
    assert outsider.get(url(w.team1, "中間報告")).status_code == 403
    with indb() as session:
        entry = session.scalar(select(SearchEntry).where(SearchEntry.title == "中間報告"))
        assert (entry.scope_type, entry.scope_id) == ("cohort", w.cohort.id)
    login(w.yoko).post(url(w.team1, "中間報告/publish"), data={"published": "0"})
    assert other_team.get(url(w.team1, "中間報告")).status_code == 403


def test_proposal_spaces_are_never_served_by_the_wiki(w, login, indb) -> None:
    with indb() as session:
        space = revisions.get_space(session, SpaceKind.PROPOSAL, team_id=w.team1.id)
        revisions.create_page(session, space, "取組概要", "提案書の本文", author=w.yoko.id, now=fw.T0)
        session.commit()
    client = login(w.yoko)
    assert client.get(url(w.team1, "取組概要")).status_code == 404
    assert client.get(url(w.team1, "取組概要/history")).status_code == 404
    assert "取組概要" not in html(client.get(url(w.team1)))


def test_workspace_home_lists_pages_members_and_files(w, login, indb) -> None:
    with indb():
        fw.page(w.ws1, "トップページ", "# ようこそ防災チームへ", author=w.yoko)
    with indb():
        fw.page(w.ws1, "内部メモ", "チームだけ", author=w.kawa)
    body = html(login(w.kawa).get(url(w.team1)))
    for text in ("ようこそ防災チームへ", "内部メモ", "横浜 一花", "川崎 二葉", "進行 真理", "ファシリテーター", "新しいページ"):
        assert text in body
    seen_by_other_team = html(login(w.zushi).get(url(w.team1)))
    assert "内部メモ" not in seen_by_other_team and "公開したページだけ" in seen_by_other_team
    assert "新しいページ" not in seen_by_other_team


def test_my_workspaces_and_the_home_panel(w, login, indb) -> None:
    with indb():
        fw.page(w.ws1, "議事録", "第1回", author=w.yoko)
    client = login(w.kawa)
    body = html(client.get("/wiki"))
    assert "防災チーム" in body and "子育てチーム" in body and "期の共有スペース" in body and "編集できます" in body
    home = html(client.get("/"))
    assert "ワークスペース" in home and "議事録" in home
    assert login(w.other).get("/wiki").status_code == 200  # an alumnus sees their old cohort (read only)


def test_closed_cohort_is_an_archive(w, login, indb) -> None:
    with indb():
        archive = fw.cohort_space(w.old)
    with indb():
        fw.page(archive, "記録", "昨年度のまとめ", author=w.other)
    client = login(w.other)
    assert client.get(f"/cohorts/{w.old.id}/wiki/記録").status_code == 200
    assert client.get(f"/cohorts/{w.old.id}/wiki/記録/edit").status_code == 403
    assert "終了（閲覧のみ）" in html(client.get("/wiki"))


def test_english_interface(w, login, indb) -> None:
    with indb():
        fw.page(w.ws1, "議事録", "第1回", author=w.yoko)
    body = html(login(w.yoko).get(url(w.team1, "議事録?lang=en")))
    assert "History" in body and "Comments" in body and "Edit" in body


def test_a_base_revision_past_the_database_integer_is_a_bad_request(w, login, indb) -> None:
    """A tampered hidden id too large for the database is the client's error (400), not a 500,
    and the page is left as it was (found by the form fuzzer on PostgreSQL)."""
    with indb():
        page = fw.page(w.ws1, "骨子", OUTLINE, author=w.yoko)
    client = login(w.kawa)
    r = client.post(url(w.team1, "骨子/edit"), data={"text": OUTLINE + "追記", "base_revision_id": str(2**70)})
    assert r.status_code == 400
    with indb() as session:
        assert session.get(Page, page.id).version == 1
