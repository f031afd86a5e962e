"""Accounts: passwords, lockout, invitations, tokens, roles — called directly, no HTTP."""
from datetime import timedelta

import pytest

from core.dates import utcnow
from core.errors import DomainError
from people import services
from people.models import Role, TokenPurpose
from tests import factories


def test_passwords_are_argon2_and_verify(session) -> None:
    h = services.hash_password("a long passphrase 123")
    assert h.startswith("$argon2id$")
    user = factories.user(password_hash=h)
    assert services.verify_password(user, "a long passphrase 123")
    assert not services.verify_password(user, "wrong")
    assert not services.verify_password(None, "anything")


@pytest.mark.parametrize("password,problem", [
    ("short", "too_short"), ("a" * 129, "too_long"), ("aaaaaaaaaaaaaa", "too_simple"),
    ("user@example.jp", None), ("a perfectly fine phrase", None),
])
def test_password_rules(password: str, problem: str | None) -> None:
    assert services.password_problem(password) == problem


def test_password_equal_to_email_is_refused() -> None:
    assert services.password_problem("someone.long@example.jp", email="Someone.Long@example.jp") == "like_email"


def test_authenticate_locks_after_repeated_failures(session) -> None:
    user = factories.user(email="lock@example.jp")
    now = utcnow()
    for _ in range(5):
        assert services.authenticate(session, "lock@example.jp", "wrong", now=now, max_attempts=5) is None
    assert user.locked_until is not None
    # even the right password is refused while locked, with the same answer
    assert services.authenticate(session, "lock@example.jp", factories.PASSWORD, now=now) is None
    later = now + timedelta(minutes=16)
    assert services.authenticate(session, "LOCK@example.jp ", factories.PASSWORD, now=later) is user
    assert user.failed_logins == 0 and user.last_login_at == later


def test_inactive_users_cannot_sign_in(session) -> None:
    factories.user(email="gone@example.jp", is_active=False)
    assert services.authenticate(session, "gone@example.jp", factories.PASSWORD, now=utcnow()) is None


def test_invitation_is_single_use_and_expires(session) -> None:
    admin = factories.admin()
    now = utcnow()
    issued = services.invite(session, email="New@Example.jp", name="新人 一", role=Role.FACILITATOR, city=None,
                             invited_by=admin, now=now, days=14)
    assert isinstance(issued, services.IssuedToken)
    assert issued.row.token_hash != issued.raw  # only the hash is stored
    user = services.accept_invitation(session, issued.raw, "a good long password", now=now)
    assert user.email == "new@example.jp" and user.has_role(Role.FACILITATOR)
    with pytest.raises(services.InvalidToken):
        services.accept_invitation(session, issued.raw, "a good long password", now=now)
    expired = services.invite(session, email="late@example.jp", name="遅刻 一", role=Role.FACILITATOR, city=None,
                              invited_by=admin, now=now, days=1)
    with pytest.raises(services.InvalidToken):
        services.find_invitation(session, expired.raw, now=now + timedelta(days=2))


def test_a_new_invitation_replaces_the_old_link(session) -> None:
    admin = factories.admin()
    now = utcnow()
    first = services.invite(session, email="x@example.jp", name="一 二", role=Role.FACILITATOR, city=None,
                            invited_by=admin, now=now)
    second = services.invite(session, email="x@example.jp", name="一 二", role=Role.FACILITATOR, city=None,
                             invited_by=admin, now=now)
    with pytest.raises(services.InvalidToken):
        services.find_invitation(session, first.raw, now=now)
    assert services.find_invitation(session, second.raw, now=now)


def test_inviting_an_existing_account_grants_the_role(session) -> None:
    admin = factories.admin()
    alum = factories.alumnus(email="alum@example.jp")
    result = services.invite(session, email="alum@example.jp", name="x", role=Role.FACILITATOR, city=None,
                             invited_by=admin, now=utcnow())
    assert result is alum and alum.has_role(Role.FACILITATOR) and alum.has_role(Role.ALUMNUS)


def test_coordinator_invitation_needs_a_city(session) -> None:
    with pytest.raises(DomainError):
        services.invite(session, email="c@example.jp", name="x", role=Role.COORDINATOR, city=None,
                        invited_by=factories.admin(), now=utcnow())


def test_reset_token_single_use_expiry_and_session_bump(session) -> None:
    user = factories.user(email="r@example.jp")
    version = user.session_version
    now = utcnow()
    issued = services.request_password_reset(session, "r@example.jp", now=now, hours=2)
    assert issued is not None
    assert services.request_password_reset(session, "nobody@example.jp", now=now) is None
    services.reset_password(session, issued.raw, "another fine password", now=now)
    assert services.verify_password(user, "another fine password")
    assert user.session_version == version + 1
    with pytest.raises(services.InvalidToken):
        services.reset_password(session, issued.raw, "yet another password", now=now)
    late = services.request_password_reset(session, "r@example.jp", now=now, hours=2)
    with pytest.raises(services.InvalidToken):
        services.reset_password(session, late.raw, "yet another password", now=now + timedelta(hours=3))


def test_newer_reset_token_voids_older(session) -> None:
    factories.user(email="twice@example.jp")
    now = utcnow()
    a = services.request_password_reset(session, "twice@example.jp", now=now)
    b = services.request_password_reset(session, "twice@example.jp", now=now)
    with pytest.raises(services.InvalidToken):
        services.peek_token(session, a.raw, TokenPurpose.PASSWORD_RESET, now=now)
    assert services.peek_token(session, b.raw, TokenPurpose.PASSWORD_RESET, now=now)


def test_roles_can_be_held_together_and_revoked(session) -> None:
    user = factories.participant()
    services.grant_role(session, user, Role.ALUMNUS)
    services.grant_role(session, user, Role.ALUMNUS)  # idempotent
    assert user.roles == {Role.PARTICIPANT, Role.ALUMNUS}
    services.revoke_role(session, user, Role.PARTICIPANT, now=utcnow())
    assert user.roles == {Role.ALUMNUS}
    assert len(user.grants) == 2  # the revoked grant is kept as history


def test_email_change_needs_password_and_confirmation(session) -> None:
    user = factories.user(email="old@example.jp")
    factories.user(email="taken@example.jp")
    now = utcnow()
    with pytest.raises(DomainError):
        services.request_email_change(session, user, "new@example.jp", "wrong", now=now)
    with pytest.raises(DomainError):
        services.request_email_change(session, user, "taken@example.jp", factories.PASSWORD, now=now)
    issued = services.request_email_change(session, user, "New@example.jp", factories.PASSWORD, now=now)
    assert user.email == "old@example.jp"
    services.confirm_email_change(session, issued.raw, now=now)
    assert user.email == "new@example.jp"
