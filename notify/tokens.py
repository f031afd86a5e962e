"""Signed one-click unsubscribe links: the person and the kind, signed with SECRET_KEY (no sign-in)."""
from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "renkei.notify.unsubscribe"
DIGEST_DAILY, DIGEST_WEEKLY = "digest.daily", "digest.weekly"


class InvalidLink(Exception):
    """The link was altered, or signed with another key."""


def unsubscribe_token(secret: str, user_id: int, kind: str) -> str:
    return URLSafeSerializer(secret, salt=SALT).dumps([user_id, kind])


def read_unsubscribe_token(secret: str, token: str) -> tuple[int, str]:
    try:
        data = URLSafeSerializer(secret, salt=SALT).loads(token)
    except BadSignature as error:
        raise InvalidLink(str(error)) from error
    if not (isinstance(data, list) and len(data) == 2 and isinstance(data[0], int)
            and isinstance(data[1], str)):
        raise InvalidLink("unexpected content")
    return data[0], data[1]
