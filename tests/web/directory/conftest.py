"""Fixtures shared by the directory's web tests."""
from __future__ import annotations

import pytest

from core.extensions import db
from tests import factories
from tests import factories_directory as fd


@pytest.fixture()
def people(app):  # type: ignore[no-untyped-def]
    """Three alumni of Kawasaki and a Yokohama viewer with a personal API token (and a revoked one)."""
    from core.dates import utcnow
    from directory import services

    with app.app_context():
        viewer = factories.alumnus(factories.YOKOHAMA, name="閲覧 太郎", name_kana="えつらん たろう")
        raw, _row = services.create_token(db.session, viewer, "スクリプト")
        for i, (name, kana) in enumerate([("佐藤 花子", "さとう はなこ"), ("加藤 太郎", "かとう たろう"),
                                          ("髙橋 一郎", "たかはし いちろう")]):
            person = factories.alumnus(factories.KAWASAKI, name=name, name_kana=kana)
            fd.enrol(person, 2023)
            fd.affiliation(person, "危機管理部 防災課", "主任")
            fd.profile(person, interests="防災、DX", bio="**自己紹介**", contact_email=f"c{i}@example.jp")
        db.session.commit()
        ids = {"viewer": viewer.id, "token": raw, "sato": person.id - 2}
        services.revoke_token(db.session, services.create_token(db.session, viewer, "古い")[1], now=utcnow())
        db.session.commit()
    return ids
