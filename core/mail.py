"""Outgoing mail through one function. Backends: smtp (production), console (make run), memory (tests)."""
from __future__ import annotations

import smtplib
import ssl
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any


@dataclass
class Mail:
    to: str
    subject: str
    body: str
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


# Messages "sent" with the memory backend; tests read and clear this list.
outbox: list[EmailMessage] = []


class MailError(RuntimeError):
    """Sending failed; the caller decides whether to retry. ``permanent`` marks a refusal that a retry
    will not change (an SMTP 5xx reply)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def build_message(mail: Mail, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].rstrip(">") or "renkei.local")
    for key, value in mail.headers.items():
        if "\r" in value or "\n" in value:
            raise ValueError(f"line break in mail header {key}")
        if value.isascii():
            # Kept as written: folding would turn a long URL (List-Unsubscribe) into an encoded word
            # that mail clients cannot use.
            msg.set_raw(key, value)
        else:
            msg[key] = value
    msg.set_content(mail.body, charset="utf-8")
    if mail.html:
        msg.add_alternative(mail.html, subtype="html", charset="utf-8")
    msg.policy = msg.policy.clone(refold_source="none")  # only raw headers are affected
    return msg


def send(mail: Mail, config: Mapping[str, Any]) -> EmailMessage:
    """Send one message with the configured backend; raise MailError on failure."""
    msg = build_message(mail, str(config["MAIL_DEFAULT_SENDER"]))
    backend = config.get("MAIL_BACKEND", "console")
    if backend == "memory":
        outbox.append(msg)
    elif backend == "console":
        sys.stdout.write(f"\n----- mail (printed, not sent) -----\n{msg.as_string()}\n-----\n")
        sys.stdout.flush()
    elif backend == "smtp":
        _send_smtp(msg, config)
    else:
        raise MailError(f"unknown MAIL_BACKEND {backend!r}")
    return msg


def _send_smtp(msg: EmailMessage, config: Mapping[str, Any]) -> None:
    host, port = str(config["MAIL_SERVER"]), int(config["MAIL_PORT"])
    try:
        if config.get("MAIL_USE_SSL"):
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=30, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=30)
        with smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(str(config["MAIL_USERNAME"]), str(config["MAIL_PASSWORD"]))
            smtp.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise MailError(str(exc), permanent=bool(codes) and all(code >= 500 for code in codes)) from exc
    except smtplib.SMTPResponseException as exc:
        reply = exc.smtp_error
        detail = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        raise MailError(f"{exc.smtp_code} {detail}", permanent=exc.smtp_code >= 500) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(str(exc)) from exc
