"""Access rules for people routes (accounts, invitations, secretariat pages)."""
from tests.access import ADMIN, COORDINATOR, COORDINATOR_OTHER, EVERYONE, POST_OK, SIGNED_IN, Rule

ORDER = 10

RULES = [
    Rule("people.login", "/login", EVERYONE, note="signed-in users are redirected home", ok=frozenset({200, 302})),
    Rule("people.logout", "/logout", SIGNED_IN, method="POST", ok=frozenset({302})),
    Rule("people.login", "/login", EVERYONE, method="POST", ok=POST_OK),
    Rule("people.forgot_password", "/password/forgot", EVERYONE),
    Rule("people.forgot_password", "/password/forgot", EVERYONE, method="POST", ok=POST_OK),
    Rule("people.reset_password", "/password/reset/not-a-token", EVERYONE, method="POST", ok=frozenset({400})),
    Rule("people.accept_invitation", "/invitation/not-a-token", EVERYONE, method="POST", ok=frozenset({400})),
    Rule("people.confirm_email", "/account/email/not-a-token", SIGNED_IN, method="POST", ok=frozenset({400})),
    Rule("people.invitations", "/invitations", frozenset({ADMIN, COORDINATOR, COORDINATOR_OTHER}), method="POST",
         ok=frozenset({400})),
    Rule("people.reset_password", "/password/reset/not-a-token", EVERYONE, ok=frozenset({400})),
    Rule("people.accept_invitation", "/invitation/not-a-token", EVERYONE, ok=frozenset({400})),
    Rule("people.account", "/account", SIGNED_IN),
    Rule("people.change_language", "/account/language", SIGNED_IN, method="POST", data={"locale": "en"},
         ok=POST_OK),
    Rule("people.change_password", "/account/password", SIGNED_IN, method="POST", ok=POST_OK),
    Rule("people.change_email", "/account/email", SIGNED_IN, method="POST", ok=POST_OK),
    Rule("people.confirm_email", "/account/email/not-a-token", SIGNED_IN),
    Rule("people.admin_people", "/admin/people", frozenset({ADMIN})),
    Rule("people.admin_cities", "/admin/cities", frozenset({ADMIN})),
    Rule("people.admin_audit", "/admin/audit", frozenset({ADMIN})),
    Rule("people.invitations", "/invitations", frozenset({ADMIN, COORDINATOR, COORDINATOR_OTHER})),
    Rule("people.revoke_invitation", lambda w: f"/invitations/{w.invitation_yokohama.id}/revoke",
         frozenset({ADMIN, COORDINATOR}), method="POST", ok=frozenset({302})),
    Rule("home.index", "/", SIGNED_IN),
    Rule("home.healthz", "/healthz", EVERYONE),
]


def build(world):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from core.dates import utcnow
    from core.extensions import db
    from people.models import Invitation, Role
    from tests import factories

    world.invitation_yokohama = Invitation(
        email="nominee@example.jp", name="候補 花子", role=Role.PARTICIPANT, city=factories.city(factories.YOKOHAMA),
        invited_by=world.users[COORDINATOR], token_hash="0" * 64, expires_at=utcnow() + timedelta(days=3))
    db.session.add(world.invitation_yokohama)
    db.session.commit()
