"""Small key/value facts about this installation (e.g. "demo data loaded at …")."""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.extensions import db
from core.models import TimestampMixin


class AppState(TimestampMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "app_state"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(String(2000), default="")

    def __repr__(self) -> str:
        return f"<AppState {self.key}={self.value!r}>"


def get_state(session: Session, key: str) -> str | None:
    row = session.get(AppState, key)
    return row.value if row else None


def set_state(session: Session, key: str, value: str) -> None:
    row = session.get(AppState, key)
    if row is None:
        session.add(AppState(key=key, value=value))
    else:
        row.value = value
    session.flush()
