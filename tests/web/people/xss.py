"""User-written text in people pages: names and readings (shown in headers, lists, invitations)."""
from __future__ import annotations

from tests import factories
from tests.security.xss import Planted, XssTarget, packed


def _names(payloads: list[str]) -> Planted:
    admin = factories.admin(name="管理 者")
    for i, payload in enumerate(payloads):
        factories.user(name=payload[:200], name_kana=payload[:200], email=f"xss{i}@example.jp", commit=False)
    return Planted(admin, ["/admin/people", "/admin/audit"])


def _own_name(payloads: list[str]) -> Planted:
    viewer = factories.user(name=packed(payloads, 200)[0])
    return Planted(viewer, ["/", "/account"])


def _invitations(payloads: list[str]) -> Planted:
    from core.dates import utcnow
    from core.extensions import db
    from people import services
    from people.models import Role

    admin = factories.admin(name="招待 者")
    for i, payload in enumerate(payloads):
        services.invite(db.session, email=f"inv{i}@example.jp", name=payload[:200], name_kana=payload[:200],
                        role=Role.FACILITATOR, city=None, invited_by=admin, now=utcnow())
    db.session.commit()
    return Planted(admin, ["/invitations"])


TARGETS = [
    XssTarget("people: names in the secretariat's list", _names),
    XssTarget("people: own name in header and account", _own_name),
    XssTarget("people: invitation names", _invitations),
]
