"""Notify's scheduled jobs: send the outbox, make the digests, and clear expired sign-in tokens."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, or_
from sqlalchemy.orm import Session

from core.scheduler import JobContext, register_job
from notify import delivery, digest, rules
from notify.models import Channel
from people.models import AccountToken, Invitation


def deliver_job(ctx: JobContext) -> str:
    report = delivery.deliver_due(ctx.app, ctx.session, now=ctx.now, checkpoint=ctx.checkpoint,
                                  max_attempts=int(ctx.config["NOTIFY_MAX_ATTEMPTS"]))
    return str(report)


def daily_digest_job(ctx: JobContext) -> str:
    made = digest.build_digests(ctx.session, channel=Channel.DAILY, fire_time=ctx.fire_time, now=ctx.now)
    return f"{made} daily digests queued for {digest.period_of(Channel.DAILY, ctx.fire_time)}"


def weekly_digest_job(ctx: JobContext) -> str:
    made = digest.build_digests(ctx.session, channel=Channel.WEEKLY, fire_time=ctx.fire_time, now=ctx.now)
    return f"{made} weekly digests queued for {digest.period_of(Channel.WEEKLY, ctx.fire_time)}"


def clean_expired_tokens(session: Session, *, now: datetime, keep_days: int) -> tuple[int, int]:
    """Delete password-reset / e-mail tokens and unaccepted invitations expired (or used, or revoked)
    more than ``keep_days`` ago. Accepted invitations stay: they record who invited whom."""
    cutoff = now - timedelta(days=keep_days)
    tokens = session.execute(delete(AccountToken).where(
        or_(AccountToken.expires_at < cutoff, AccountToken.used_at < cutoff))).rowcount
    invitations = session.execute(delete(Invitation).where(
        Invitation.accepted_at.is_(None),
        or_(Invitation.expires_at < cutoff,
            and_(Invitation.revoked_at.is_not(None), Invitation.revoked_at < cutoff))
    )).rowcount
    session.flush()
    return int(tokens or 0), int(invitations or 0)


def token_cleanup_job(ctx: JobContext) -> str:
    tokens, invitations = clean_expired_tokens(ctx.session, now=ctx.now,
                                               keep_days=int(ctx.config["TOKEN_RETENTION_DAYS"]))
    return f"{tokens} expired tokens and {invitations} expired invitations deleted"


def register(app: Flask) -> None:
    every = max(int(app.config.get("NOTIFY_DELIVER_SECONDS") or 60), 1)
    register_job(app, "deliver", deliver_job, {"seconds": every}, _l("送る時刻が来たメールを送る"),
                 grace_seconds=max(every, 300))
    at = {"hour": rules.DIGEST_HOUR, "minute": rules.DIGEST_MINUTE}
    register_job(app, "daily-digest", daily_digest_job, at, _l("毎日のまとめメールを用意する"),
                 grace_seconds=12 * 3600)
    register_job(app, "weekly-digest", weekly_digest_job, {"day_of_week": "mon", **at},
                 _l("毎週のまとめメールを用意する（月曜）"), grace_seconds=2 * 86400)
    register_job(app, "token-cleanup", token_cleanup_job, {"hour": 4, "minute": 40},
                 _l("期限切れのパスワード再設定リンクと招待を消す"))
