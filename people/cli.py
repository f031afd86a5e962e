"""`flask users …` commands and the people part of the demo data."""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from core.cli import DemoContext, register_demo, register_sync
from core.errors import DomainError
from core.extensions import db
from people import services
from people.models import City, Role

# The eight cities with their official local government codes (全国地方公共団体コード, with check digit).
EIGHT_CITIES = [
    ("141003", "横浜市", "Yokohama", "よこはまし", "神奈川県"),
    ("141305", "川崎市", "Kawasaki", "かわさきし", "神奈川県"),
    ("142018", "横須賀市", "Yokosuka", "よこすかし", "神奈川県"),
    ("142042", "鎌倉市", "Kamakura", "かまくらし", "神奈川県"),
    ("142051", "藤沢市", "Fujisawa", "ふじさわし", "神奈川県"),
    ("142085", "逗子市", "Zushi", "ずしし", "神奈川県"),
    ("142131", "大和市", "Yamato", "やまとし", "神奈川県"),
    ("132098", "町田市", "Machida", "まちだし", "東京都"),
]


def sync_cities(session) -> str:  # type: ignore[no-untyped-def]
    """Make sure the eight member cities exist (names are updated, nothing is removed)."""
    added = 0
    for order, (code, ja, en, kana, pref) in enumerate(EIGHT_CITIES, start=1):
        city = session.scalar(select(City).where(City.code == code))
        if city is None:
            session.add(City(code=code, name_ja=ja, name_en=en, name_kana=kana, prefecture_ja=pref,
                             sort_order=order))
            added += 1
        else:
            city.name_ja, city.name_en, city.name_kana, city.prefecture_ja = ja, en, kana, pref
    session.flush()
    return f"{added} cities added, {len(EIGHT_CITIES) - added} up to date"


def city_by_code(session, code: str) -> City | None:  # type: ignore[no-untyped-def]
    return session.scalar(select(City).where(City.code == code))


def seed_people(ctx: DemoContext) -> None:
    """One demo account per role (all with the demo password)."""
    s = ctx.session
    sync_cities(s)
    yokohama, kawasaki, fujisawa = (city_by_code(s, c) for c in ("141003", "141305", "142051"))
    accounts = [
        ("admin", "事務局", "jimukyoku@renkei.example.jp", "横浜 事務子", "よこはま じむこ", Role.ADMIN, yokohama),
        ("facilitator", "ファシリテーター", "facilitator@renkei.example.jp", "広域 連太郎", "こういき れんたろう",
         Role.FACILITATOR, None),
        ("coordinator", "各市担当者（横浜市）", "coordinator.yokohama@renkei.example.jp", "港 調子",
         "みなと ちょうこ", Role.COORDINATOR, yokohama),
        ("participant", "参加者（川崎市）", "participant@renkei.example.jp", "川辺 結衣", "かわべ ゆい",
         Role.PARTICIPANT, kawasaki),
        ("alumnus", "修了生（藤沢市）", "alumnus@renkei.example.jp", "江ノ島 湊", "えのしま みなと", Role.ALUMNUS,
         fujisawa),
    ]
    for key, label, email, name, kana, role, city in accounts:
        user = services.get_user_by_email(s, email) or services.create_user(
            s, email=email, name=name, name_kana=kana, city=city)
        user.password_hash = user.password_hash or ctx.password_hash
        services.grant_role(s, user, role, city=city if role is Role.COORDINATOR else None)
        ctx.made[f"user:{key}"] = user
        ctx.logins.append((key, email, label))
    ctx.made["cities"] = {c.code: c for c in s.scalars(select(City))}


def init_app(app: Flask) -> None:
    register_sync(app, "cities", sync_cities)
    register_demo(app, 10, "people", seed_people)

    users = AppGroup("users", help="Manage accounts.")

    @users.command("create")
    @click.option("--email", required=True)
    @click.option("--name", required=True, help="漢字 name, family and given separated by a space")
    @click.option("--name-kana", default="", help="ふりがな, same order")
    @click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
    @click.option("--city", "city_code", default=None, help="Local government code, e.g. 141003")
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
    def create_command(email: str, name: str, name_kana: str, role: str, city_code: str | None,
                       password_stdin: bool) -> None:
        """Create an account (e.g. the first secretariat admin)."""
        sync_cities(db.session)
        city = None
        if city_code:
            city = city_by_code(db.session, city_code)
            if city is None:
                raise click.BadParameter(f"unknown city code {city_code}", param_hint="--city")
        password = None
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
            problem = services.password_problem(password, email=email)
            if problem:
                raise click.BadParameter(f"password rejected: {problem} (at least "
                                         f"{services.PASSWORD_MIN} characters)", param_hint="--password-stdin")
        try:
            user = services.create_user(db.session, email=email, name=name, name_kana=name_kana,
                                        password=password, role=Role(role), city=city)
        except DomainError as error:
            raise click.ClickException(error.message) from error
        db.session.commit()
        click.echo(f"created user {user.id} <{user.email}> with role {role}")

    app.cli.add_command(users)
