"""People: cities, accounts, the roles they hold over the years, and single-use tokens."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, UniqueConstraint, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import TimestampMixin, UTCDateTime, created, intpk, str200


class Role(enum.StrEnum):
    """The five roles of DOMAIN.md. One person may hold several, over the years."""

    ADMIN = "admin"  # 事務局 secretariat
    FACILITATOR = "facilitator"  # ファシリテーター / 講師
    COORDINATOR = "coordinator"  # 各市担当者, always bound to one city
    PARTICIPANT = "participant"  # 参加者 of the current cohort
    ALUMNUS = "alumnus"  # 修了生 (OB・OG)


ROLE_ENUM = Enum(Role, name="role", native_enum=False, length=20,
                 values_callable=lambda e: [m.value for m in e], validate_strings=True)


class City(db.Model):  # type: ignore[name-defined]
    """A municipality, keyed by its official local government code (全国地方公共団体コード)."""

    __tablename__ = "city"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(6), unique=True)  # 6 digits incl. check digit, e.g. 141003
    name_ja: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(60))
    name_kana: Mapped[str] = mapped_column(String(60), default="")
    prefecture_ja: Mapped[str] = mapped_column(String(10))
    sort_order: Mapped[int] = mapped_column(default=0)
    is_member: Mapped[bool] = mapped_column(default=True)  # part of the collaborating group

    __table_args__ = (CheckConstraint("length(code) = 6", name="code_six_digits"),)

    def display_name(self, locale: str = "ja") -> str:
        return self.name_en if locale == "en" else self.name_ja

    def __repr__(self) -> str:
        return f"<City {self.code} {self.name_ja}>"


class User(TimestampMixin, db.Model):  # type: ignore[name-defined]
    """An account. Never deleted: the directory is cumulative (erasure anonymises instead)."""

    __tablename__ = "user"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    name: Mapped[str200]  # 漢字, family and given name separated by a space: "佐藤 花子"
    name_kana: Mapped[str] = mapped_column(String(200), default="")  # ふりがな, same order and space
    password_hash: Mapped[str | None] = mapped_column(String(255))  # None until the invitation is accepted
    locale: Mapped[str] = mapped_column(String(5), default="ja")
    city_id: Mapped[int | None] = mapped_column(ForeignKey("city.id"))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Bumped on password change / sign-out everywhere: old session cookies stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    anonymized_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    city: Mapped[City | None] = relationship(lazy="joined")
    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin",
        foreign_keys="RoleGrant.user_id",
    )

    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lowercase"),)

    # Flask-Login protocol -------------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    # Roles --------------------------------------------------------------------------------
    @property
    def active_grants(self) -> list[RoleGrant]:
        return [g for g in self.grants if g.revoked_at is None]

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(g.role for g in self.active_grants)

    def has_role(self, *roles: Role) -> bool:
        return any(g.role in roles for g in self.active_grants)

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    def coordinator_city_ids(self) -> frozenset[int]:
        return frozenset(g.city_id for g in self.active_grants if g.role is Role.COORDINATOR and g.city_id)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class RoleGrant(db.Model):  # type: ignore[name-defined]
    """One role held by one person; revoked grants are kept (revoked_at) as history."""

    __tablename__ = "role_grant"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(ROLE_ENUM)
    city_id: Mapped[int | None] = mapped_column(ForeignKey("city.id"))  # required for coordinators
    granted_at: Mapped[created]
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="grants", foreign_keys=[user_id])
    city: Mapped[City | None] = relationship()

    __table_args__ = (
        CheckConstraint("role <> 'coordinator' OR city_id IS NOT NULL", name="coordinator_has_city"),
        # At most one active grant of a role (per city where the role has one).
        Index("uq_role_grant_active_city", "user_id", "role", "city_id", unique=True,
              sqlite_where=text("revoked_at IS NULL AND city_id IS NOT NULL"),
              postgresql_where=text("revoked_at IS NULL AND city_id IS NOT NULL")),
        Index("uq_role_grant_active", "user_id", "role", unique=True,
              sqlite_where=text("revoked_at IS NULL AND city_id IS NULL"),
              postgresql_where=text("revoked_at IS NULL AND city_id IS NULL")),
    )

    def __repr__(self) -> str:
        return f"<RoleGrant {self.user_id} {self.role.value} city={self.city_id}>"


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"
    EMAIL_CHANGE = "email_change"


class Invitation(db.Model):  # type: ignore[name-defined]
    """An invitation to join with a role; accepted once through a link that expires."""

    __tablename__ = "invitation"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str200]
    name_kana: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(ROLE_ENUM)
    city_id: Mapped[int | None] = mapped_column(ForeignKey("city.id"))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the emailed token
    created_at: Mapped[created]
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    city: Mapped[City | None] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])


class AccountToken(db.Model):  # type: ignore[name-defined]
    """Single-use tokens for password reset and e-mail change; only the hash is stored."""

    __tablename__ = "account_token"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(
        Enum(TokenPurpose, name="token_purpose", native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e]))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    payload: Mapped[str] = mapped_column(String(254), default="")  # e.g. the new e-mail address
    created_at: Mapped[created]
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class AuditEntry(db.Model):  # type: ignore[name-defined]
    """Who did what to whom, for the secretariat (invitations, role changes, exports, erasure)."""

    __tablename__ = "audit_entry"

    id: Mapped[intpk]
    at: Mapped[created]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60), index=True)
    subject_type: Mapped[str] = mapped_column(String(40), default="")
    subject_id: Mapped[int | None]
    detail: Mapped[str] = mapped_column(String(1000), default="")

    actor: Mapped[User | None] = relationship()


def active_cities_query():  # type: ignore[no-untyped-def]
    return select(City).where(City.is_member.is_(True)).order_by(City.sort_order, City.code)


__all__ = ["City", "User", "Role", "RoleGrant", "Invitation", "AccountToken", "TokenPurpose", "AuditEntry",
           "UniqueConstraint", "active_cities_query"]
