"""Comments with @mentions (and the events they publish) and workspace files."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from tests import factories_wiki as fw


def url(team, path: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/teams/{team.id}/wiki/{path}"


def test_a_comment_tells_mentioned_people_and_earlier_authors(w, login, events, indb) -> None:
    with indb():
        fw.page(w.ws1, "骨子", "本文", author=w.yoko, published=True)
    r = login(w.kawa).post(url(w.team1, "骨子/comments"), data={"body": "@横浜一花 協定の一覧を置きました。@逗子三波 も見てください"})
    assert r.status_code == 302 and "#comment-" in r.headers["Location"]
    kinds = {e.kind: e for e in events}
    # zushi (another team) may read the published page, so the mention reaches them too
    assert set(kinds["page.mention"].recipient_ids) == {w.yoko.id, w.zushi.id}
    assert "page.comment" not in kinds  # the only earlier author was mentioned already
    assert kinds["page.mention"].url.startswith(url(w.team1)) and kinds["page.mention"].params["title"] == "骨子"
    events.clear()
    login(w.zushi).post(url(w.team1, "骨子/comments"), data={"body": "読みました。"})
    (comment,) = events
    assert comment.kind == "page.comment" and set(comment.recipient_ids) == {w.yoko.id, w.kawa.id}
    body = login(w.yoko).get(url(w.team1, "骨子")).get_data(as_text=True)
    assert '<span class="mention">@横浜一花</span>' in body and "読みました。" in body


def test_mentions_only_reach_people_who_can_read_the_page(w, login, events, indb) -> None:
    with indb():
        fw.page(w.ws1, "内部メモ", "チームだけ", author=w.yoko)
    login(w.kawa).post(url(w.team1, "内部メモ/comments"), data={"body": "@逗子三波 @横浜一花 確認を"})
    (mention,) = [e for e in events if e.kind == "page.mention"]
    assert mention.recipient_ids == (w.yoko.id,)


def test_empty_comment_is_refused_at_the_field_and_own_comment_can_be_deleted(w, login, indb) -> None:
    with indb():
        fw.page(w.ws1, "骨子", "本文", author=w.yoko)
    client = login(w.kawa)
    r = client.post(url(w.team1, "骨子/comments"), data={"body": "   "})
    assert r.status_code == 400 and "コメントを入力してください。" in r.get_data(as_text=True)
    r = client.post(url(w.team1, "骨子/comments"), data={"body": "消すつもりのコメント"})
    comment_id = int(r.headers["Location"].rsplit("-", 1)[1])
    assert login(w.yoko).post(url(w.team1, f"骨子/comments/{comment_id}/delete")).status_code == 403
    assert client.post(url(w.team1, f"骨子/comments/{comment_id}/delete")).status_code == 302
    assert "消すつもりのコメント" not in client.get(url(w.team1, "骨子")).get_data(as_text=True)


def test_files_upload_download_remove_and_restore(w, login) -> None:
    client = login(w.yoko)
    r = client.post(url(w.team1, "-/files"), data={"file": (io.BytesIO("%PDF-1.4 資料".encode()), "８市の比較表.pdf"),
                                                    "description": "各市の協定の一覧"},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    listing = client.get(url(w.team1, "-/files")).get_data(as_text=True)
    assert "８市の比較表.pdf" in listing and "各市の協定の一覧" in listing
    href = listing.split('href="' + url(w.team1, "-/files/"))[1].split('"')[0]
    download = client.get(url(w.team1, "-/files/" + href))
    assert download.status_code == 200 and download.data == b"%PDF-1.4 \xe8\xb3\x87\xe6\x96\x99"
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert login(w.zushi).get(url(w.team1, "-/files/" + href)).status_code == 403
    assert client.post(url(w.team1, f"-/files/{href}/remove")).status_code == 302
    listing = client.get(url(w.team1, "-/files")).get_data(as_text=True)
    assert "取り除いたファイル" in listing
    assert client.post(url(w.team1, f"-/files/{href}/restore")).status_code == 302


def test_a_page_attachment_is_readable_with_the_published_page(w, login, indb) -> None:
    with indb():
        page = fw.page(w.ws1, "公開資料", "本文", author=w.yoko, published=True)
    client = login(w.yoko)
    r = client.post(url(w.team1, "-/files"), data={"file": (io.BytesIO(b"col1,col2\n1,2\n"), "集計.csv"),
                                                    "page_id": str(page.id)}, content_type="multipart/form-data")
    assert r.status_code == 302 and r.headers["Location"].endswith("#files")
    body = login(w.zushi).get(url(w.team1, "公開資料")).get_data(as_text=True)
    assert "集計.csv" in body
    href = body.split('href="' + url(w.team1, "-/files/"))[1].split('"')[0]
    assert login(w.zushi).get(url(w.team1, "-/files/" + href)).status_code == 200
    assert login(w.zushi).get(url(w.team1, "-/files")).status_code == 403  # the workspace's files stay inside


def test_refused_files_are_explained_at_the_field(w, login, indb) -> None:
    client = login(w.yoko)
    r = client.post(url(w.team1, "-/files"), data={"file": (io.BytesIO(b"MZ\x90\x00"), "tool.exe")},
                    content_type="multipart/form-data")
    assert r.status_code == 400 and "この種類のファイルはアップロードできません" in r.get_data(as_text=True)
    r = client.post(url(w.team1, "-/files"), data={"file": (io.BytesIO(b"<html>"), "fake.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 400
    r = client.post(url(w.team1, "-/files"), data={}, content_type="multipart/form-data")
    assert r.status_code == 400 and "ファイルを選んでください。" in r.get_data(as_text=True)


def test_a_file_over_the_size_limit_is_refused_at_the_field_and_nothing_is_stored(w, login, indb, monkeypatch) -> None:
    from core.storage import StoredFile, UploadRules
    from wiki import services

    monkeypatch.setattr(services, "FILE_RULES", UploadRules(max_bytes=1000))  # 20 MB in production
    client = login(w.yoko)
    r = client.post(url(w.team1, "-/files"), data={"file": (io.BytesIO(b"a" * 1001), "memo.txt")},
                    content_type="multipart/form-data")
    assert r.status_code == 400 and "ファイルが大きすぎます" in r.get_data(as_text=True)
    assert client.post(url(w.team1, "-/files"), data={"file": (io.BytesIO(b"a" * 1000), "memo.txt")},
                       content_type="multipart/form-data").status_code == 302
    with indb() as session:
        assert session.scalar(select(func.count(StoredFile.id))) == 1
