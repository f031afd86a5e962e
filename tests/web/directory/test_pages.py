"""Own profile, transfers (人事異動), April confirmation, tokens, erasure and anonymisation, statistics, import UI."""
from __future__ import annotations

import io
from datetime import date

from sqlalchemy import func, select

from core.extensions import db
from directory.models import (Affiliation, AffiliationConfirmation, ApiToken, ConfirmationRound, DirectoryGram,
                              ErasureRequest, ErasureStatus, Profile)
from people.models import AuditEntry, Role, User
from tests import factories
from tests import factories_directory as fd


def _me(app, **kw):  # type: ignore[no-untyped-def]
    with app.app_context():
        user = factories.alumnus(**kw)
        ident = user.id
    return ident


def test_edit_profile_keeps_input_on_error_and_saves(app, login) -> None:
    with app.app_context():
        user = factories.alumnus(name="江ノ島 湊", name_kana="えのしま みなと")
        client = login(user)
    page = client.get("/me/profile").get_data(as_text=True)
    assert "Enoshima Minato" in page and "公開範囲" in page
    bad = client.post("/me/profile", data={"contact_email": "not-an-address", "bio": "消えない下書き",
                                            "interests": "、".join(f"タグ{i}" for i in range(25)),
                                            **{f"vis_{f}": "members" for f in
                                               ("department", "position", "interests", "skills", "bio", "contact")}})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "消えない下書き" in text
    assert "メールアドレスの形式が正しくありません" in text and "タグは20個までにしてください" in text
    ok = client.post("/me/profile", data={"romaji": "Enosima Minato", "bio": "**防災** 担当", "interests": "防災, 地域交通",
                                           "welcomes_mentoring": "y", "vis_department": "city", "vis_position": "members",
                                           "vis_interests": "members", "vis_skills": "members", "vis_bio": "cohort",
                                           "vis_contact": "secretariat"})
    assert ok.status_code == 302
    with app.app_context():
        profile = db.session.get(Profile, user.id)
        assert profile.romaji == "Enosima Minato" and profile.romaji_edited and profile.welcomes_mentoring
        assert profile.vis_department.value == "city" and profile.tag_labels.__self__ is profile
        assert [t.label for t in profile.tags] == ["防災", "地域交通"]
    shown = client.get(f"/directory/{user.id}").get_data(as_text=True)
    assert "<strong>防災</strong>" in shown and "メンタリング" in shown


def test_transfer_keeps_history_and_double_submit_adds_nothing(app, login) -> None:
    with app.app_context():
        user = factories.alumnus(name="異動 太郎")
        fd.affiliation(user, "総務局 人事課", "主事", valid_from=date(2024, 4, 1))
        client = login(user)
    data = {"department": "危機管理部 防災課", "position": "主任", "valid_from": "2026-04-01"}
    assert client.post("/me/profile/transfer", data=data).status_code == 302
    assert client.post("/me/profile/transfer", data=data).status_code == 302  # the same again: nothing new
    clash = client.post("/me/profile/transfer", data={**data, "department": "別の課"})
    assert clash.status_code == 400 and "この日付の所属は登録済みです" in clash.get_data(as_text=True)
    assert "別の課" in clash.get_data(as_text=True)  # what was typed is still there
    empty = client.post("/me/profile/transfer", data={"valid_from": "2026-05-01"})
    assert empty.status_code == 400 and "所属か役職のどちらかを入力してください" in empty.get_data(as_text=True)
    with app.app_context():
        rows = db.session.scalars(select(Affiliation).where(Affiliation.user_id == user.id)
                                  .order_by(Affiliation.valid_from)).all()
        assert [(a.department, a.valid_from.year) for a in rows] == [("総務局 人事課", 2024), ("危機管理部 防災課", 2026)]
        confirmed = db.session.scalar(select(AffiliationConfirmation).where(AffiliationConfirmation.user_id == user.id))
        assert confirmed.fiscal_year == 2026 and confirmed.changed
    page = client.get(f"/directory/{user.id}").get_data(as_text=True)
    assert "総務局 人事課" in page and "危機管理部 防災課" in page and "これまでの所属" in page
    fix = client.post("/me/profile/affiliation", data={"department": "危機管理部 防災課（訂正）", "position": "主任"})
    assert fix.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Affiliation)
                                 .where(Affiliation.user_id == user.id)) == 2


def test_april_confirmation_panel_job_and_coordinator_list(app, login) -> None:
    from core.dates import utcnow
    from core.events import happened
    from directory import jobs

    with app.app_context():
        alum = factories.alumnus(factories.YOKOHAMA, name="未確認 花子")
        other = factories.alumnus(factories.KAWASAKI, name="川崎 未確認")
        fd.affiliation(alum, "港湾局 港湾振興課", "主事", valid_from=date(2025, 4, 1))
        coordinator = factories.coordinator(factories.YOKOHAMA)
        seen = []
        receiver = lambda sender, event: seen.append(event)  # noqa: E731
        happened.connect(receiver)
        try:
            first = jobs.open_confirmation_round(db.session, now=utcnow())
            second = jobs.open_confirmation_round(db.session, now=utcnow())
            db.session.commit()
        finally:
            happened.disconnect(receiver)
        assert first is not None and second is None and len(seen) == 1
        assert seen[0].kind == "directory.confirm" and set(seen[0].recipient_ids) == {alum.id, other.id}
        assert db.session.scalar(select(func.count()).select_from(ConfirmationRound)) == 1
        alum_client, coord_client = login(alum), login(coordinator)
    listing = coord_client.get("/directory/unconfirmed").get_data(as_text=True)
    assert "未確認 花子" in listing and "川崎 未確認" not in listing  # only their own city
    home = alum_client.get("/").get_data(as_text=True)
    assert "所属を確認してください" in home and "港湾局 港湾振興課" in home
    assert alum_client.post("/me/profile/confirm", data={"next": "/"}).headers["Location"].endswith("/")
    assert "所属を確認してください" not in alum_client.get("/").get_data(as_text=True)
    assert "未確認 花子" not in coord_client.get("/directory/unconfirmed").get_data(as_text=True)


def test_tokens_are_shown_once_and_revoked(app, login) -> None:
    with app.app_context():
        user = factories.alumnus()
        client = login(user)
    created = client.post("/me/tokens", data={"name": "名簿突合"})
    text = created.get_data(as_text=True)
    assert created.status_code == 201 and "今だけ表示されます" in text
    raw = text.split('id="new-token">')[1].split("<")[0]
    assert raw.startswith("rk_") and raw not in client.get("/me/profile").get_data(as_text=True)
    assert client.post("/me/tokens", data={"name": "名簿突合"}).status_code == 400  # same name again
    assert client.get("/api/v1/people", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    with app.app_context():
        token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
        assert token.token_hash != raw and len(token.token_hash) == 64
    assert client.post(f"/me/tokens/{token.id}/revoke").status_code == 302
    assert app.test_client().get("/api/v1/people", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_erasure_request_and_anonymisation(app, login) -> None:
    with app.app_context():
        person = factories.alumnus(name="消去 希望", name_kana="しょうきょ きぼう", email="erase.me@example.jp")
        fd.enrol(person, 2022)
        fd.affiliation(person, "財政局 財政課", "主査")
        fd.profile(person, interests="防災", bio="さようなら", contact_email="erase.me@example.jp")
        admin = factories.admin()
        person_client, admin_client = login(person), login(admin)
    assert person_client.post("/me/erasure", data={"reason": "退職のため"}).status_code == 400  # no confirmation tick
    assert person_client.post("/me/erasure", data={"reason": "退職のため", "confirm": "y"}).status_code == 302
    assert person_client.post("/me/erasure", data={"reason": "再送", "confirm": "y"}).status_code == 302
    queue = admin_client.get("/admin/directory/erasure").get_data(as_text=True)
    assert "消去 希望" in queue and "退職のため" in queue
    assert admin_client.post(f"/admin/directory/people/{person.id}/anonymize").status_code == 302
    assert admin_client.post(f"/admin/directory/people/{person.id}/anonymize").status_code == 409
    assert admin_client.post(f"/admin/directory/people/{admin.id}/anonymize").status_code == 409
    with app.app_context():
        gone = db.session.get(User, person.id)
        assert gone.name == "匿名化されたユーザー" and gone.email == f"anonymized-{person.id}@anonymized.invalid"
        assert not gone.is_active and gone.anonymized_at is not None and gone.password_hash is None
        profile = db.session.get(Profile, person.id)
        assert profile.bio == "" and profile.contact_email == "" and not profile.tags
        assert db.session.scalar(select(func.count()).select_from(Affiliation)
                                 .where(Affiliation.user_id == person.id)) == 0
        assert db.session.scalar(select(ErasureRequest.status).where(ErasureRequest.user_id == person.id)) \
            is ErasureStatus.DONE
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "directory.anonymize"))
        assert entry.actor_id == admin.id and entry.subject_id == person.id and "消去" not in entry.detail
        from curriculum.models import Enrolment

        assert db.session.scalar(select(func.count()).select_from(Enrolment)
                                 .where(Enrolment.user_id == person.id)) == 1  # contributions kept
    for q in ("しょうきょ", "消去", "shokyo", "財政課"):
        assert "消去 希望" not in admin_client.get(f"/directory?q={q}").get_data(as_text=True)
        assert admin_client.get(f"/api/v1/people?q={q}").json["total"] == 0
    assert person_client.get("/me/profile").status_code == 302  # signed out for good
    assert "erase.me@example.jp" not in admin_client.get("/admin/directory/export.csv").data.decode("utf-8-sig")


def test_withdrawing_an_erasure_request(app, login) -> None:
    with app.app_context():
        person = factories.alumnus()
        client = login(person)
    client.post("/me/erasure", data={"confirm": "y"})
    assert "依頼を取り消す" in client.get("/me/profile").get_data(as_text=True)
    client.post("/me/erasure/withdraw")
    with app.app_context():
        assert db.session.scalar(select(ErasureRequest.status)) is ErasureStatus.WITHDRAWN


def test_statistics_table_and_charts(app, login) -> None:
    from curriculum.models import EnrolmentStatus

    with app.app_context():
        a = factories.alumnus(factories.YOKOHAMA, name="統計 一")
        b = factories.alumnus(factories.KAWASAKI, name="統計 二")
        c = factories.participant(factories.KAWASAKI, name="統計 三")
        fd.enrol(a, 2024)
        fd.enrol(b, 2024)
        fd.enrol(c, 2025, EnrolmentStatus.WITHDRAWN)
        b.city = factories.city(factories.MACHIDA)  # moved since
        db.session.commit()
        client = login(a)
    page = client.get("/directory/statistics").get_data(as_text=True)
    assert page.count("<svg") == 3 and "<title>年度別・市別の参加者数</title>" in page
    assert "令和6年度" in page and "町田市" in page
    assert "style=" not in page and "http://www.w3.org/2000/svg" in page


def test_import_page_preview_then_import(app, login) -> None:
    with app.app_context():
        factories.cities()
        client = login(factories.admin())
    csv = ("email,name,name_kana,city\r\nnew.person@example.jp,新人 一郎,しんじん いちろう,横浜市\r\n").encode("cp932")
    preview = client.post("/admin/directory/import", data={"file": (io.BytesIO(csv), "people.csv"), "preview": "1"},
                          content_type="multipart/form-data")
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Shift_JIS (CP932)" in text and "新規作成" in text
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "new.person@example.jp")) is None
    bad = client.post("/admin/directory/import", data={
        "file": (io.BytesIO(b"email,name\r\nx,\r\n"), "bad.csv"), "run": "1"}, content_type="multipart/form-data")
    assert bad.status_code == 400 and "2" in bad.get_data(as_text=True) and "name（氏名）が空です" in bad.get_data(as_text=True)
    done = client.post("/admin/directory/import", data={"file": (io.BytesIO(csv), "people.csv"), "run": "1"},
                       content_type="multipart/form-data")
    assert done.status_code == 302
    with app.app_context():
        person = db.session.scalar(select(User).where(User.email == "new.person@example.jp"))
        assert person.has_role(Role.ALUMNUS) and person.city.code == "141003"
    missing = client.post("/admin/directory/import", data={}, content_type="multipart/form-data")
    assert missing.status_code == 400 and "ファイルを選んでください" in missing.get_data(as_text=True)


def test_cli_import_dry_run_and_seed_scale(app, tmp_path) -> None:
    with app.app_context():
        factories.cities()
    path = tmp_path / "people.csv"
    path.write_bytes(("\ufeffemail,name,name_kana,city,interests\r\ncli@example.jp,端末 花子,たんまつ はなこ,142051,防災\r\n")
                     .encode("utf-8"))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["people", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "dry run" in dry.output and "新規作成" in dry.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "cli@example.jp")) is None
    real = runner.invoke(args=["people", "import", str(path)])
    assert real.exit_code == 0 and "1 created" in real.output
    path.write_bytes(b"email,name\r\nx@example.jp,\r\n")
    broken = runner.invoke(args=["people", "import", str(path)])
    assert broken.exit_code != 0 and "line 2" in broken.output
    scale = runner.invoke(args=["seed-scale", "--people", "300", "--proposals", "0", "--pages", "5"])
    assert scale.exit_code == 0, scale.output
    assert "300 people" in scale.output and "pages: no teams" in scale.output
    with app.app_context():
        from directory.search import matching_ids
        from directory.visibility import Viewer

        viewer = Viewer.of(db.session.scalar(select(User).where(User.email == "cli@example.jp")))
        assert len(matching_ids(db.session, viewer, "")) == 301
        assert matching_ids(db.session, viewer, "たんまつ") == {viewer.user_id}
        # ids continue after the bulk load on both databases
        later = factories.alumnus(name="後から 追加", name_kana="あとから ついか")
        assert matching_ids(db.session, viewer, "atokara") == {later.id}
    assert runner.invoke(args=["directory", "open-confirmation"]).exit_code == 0
    assert "already open" in runner.invoke(args=["directory", "open-confirmation"]).output
    assert runner.invoke(args=["directory", "reindex"]).exit_code == 0
    with app.app_context():
        grams = select(DirectoryGram.gram, DirectoryGram.user_id, DirectoryGram.field_id)
        before = set(db.session.execute(grams))
        db.session.rollback()
    rebuilt = runner.invoke(args=["directory", "reindex", "--grams"])
    assert rebuilt.exit_code == 0 and f"{len(before)} gram rows written" in rebuilt.output
    with app.app_context():
        assert set(db.session.execute(grams)) == before
        assert matching_ids(db.session, viewer, "atokara") == {later.id}
