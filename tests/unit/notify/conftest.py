"""A real SMTP server on 127.0.0.1 for delivery tests (aiosmtpd), and the app pointed at it."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from tests.factories_notify import CountingHandler, free_port


@dataclass
class SMTPServer:
    handler: CountingHandler
    port: int

    @property
    def messages(self):  # type: ignore[no-untyped-def]
        return self.handler.messages


@pytest.fixture()
def smtp_server() -> Iterator[SMTPServer]:
    handler = CountingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SMTPServer(handler, port)
    finally:
        controller.stop()


@pytest.fixture()
def smtp(app: Flask, smtp_server: SMTPServer, monkeypatch: pytest.MonkeyPatch) -> SMTPServer:
    """The app sends through the test SMTP server for this test."""
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp_server.port)
    return smtp_server
