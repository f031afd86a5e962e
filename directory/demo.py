"""Directory demo data (hook order 30): profiles for everyone made so far, with a lived-in history.

Reads ``ctx.made["alumni"]`` / ``["participants"]`` (lists of users, from the curriculum hook) when
present, otherwise every account. When no earlier hook made alumni, a small invented alumni
network (FY2020–FY2025) is created so the directory is never empty. Puts into ``ctx.made``:
``directory:profiles`` (user id → Profile), ``directory:transferred`` (users with a 人事異動 history),
``directory:hidden_department`` (users who hide their department) and
``directory:unconfirmed`` (alumni who have not confirmed this April).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core import dates
from core.cli import DemoContext
from curriculum.models import Cohort, CohortStatus, Enrolment, EnrolmentStatus
from directory import jobs, services
from directory.models import Affiliation, Visibility
from people import services as people_services
from people.models import Role, User

DEPARTMENTS = [
    ("危機管理部 防災課", "主任"), ("総務局 人事課", "主事"), ("政策局 政策企画課", "係長"),
    ("デジタル統括本部 DX推進課", "主任"), ("こども青少年局 子育て支援課", "主事"), ("健康福祉局 高齢福祉課", "主査"),
    ("都市整備局 都市計画課", "技師"), ("環境創造局 脱炭素推進課", "主任"), ("経済局 観光振興課", "主事"),
    ("市民局 市民協働推進課", "主任"), ("道路局 道路維持課", "主任技師"), ("財政局 財政課", "主査"),
]
INTERESTS = ["防災", "DX", "子育て", "観光", "地域交通", "脱炭素", "公民連携", "人材育成", "医療・介護", "インフラ",
             "オープンデータ", "GIS", "広域連携", "移住定住", "EBPM"]
SKILLS = ["GIS", "ファシリテーション", "統計", "Excel マクロ", "広報・デザイン", "契約事務", "英語", "Python"]
BIOS = [
    "入庁{years}年目です。研修では**広域避難**をテーマに提案をまとめました。他市の防災担当の方と情報交換したいです。",
    "窓口業務のデジタル化を担当しています。\n\n- 電子申請の導入\n- 庁内データの棚卸し\n\n気軽に声をかけてください。",
    "子育て支援の現場から企画部門に移りました。8市の制度比較の資料を作ったので、必要な方は連絡ください。",
    "観光と交通の両方に関わっています。週末は鎌倉から町田まで自転車で走っています。",
]
# Invented alumni, used only when no earlier demo hook made any (name, reading, city code, fiscal year).
FALLBACK_ALUMNI = [
    ("海老名 彩", "えびな あや", "141003", 2020), ("髙橋 誠", "たかはし まこと", "141305", 2020),
    ("渡邉 悠斗", "わたなべ ゆうと", "142018", 2021), ("小野 陽子", "おの ようこ", "142042", 2021),
    ("大野 健太", "おおの けんた", "142051", 2022), ("山﨑 結衣", "やまざき ゆい", "142085", 2022),
    ("齋藤 翔", "さいとう しょう", "142131", 2023), ("佐藤 花子", "さとう はなこ", "132098", 2023),
    ("加藤 拓也", "かとう たくや", "141003", 2024), ("五島 咲", "ごとう さき", "141305", 2024),
    ("濵田 亮", "はまだ りょう", "142051", 2025), ("中村 浩一", "なかむら こういち", "142018", 2025),
]


def _fallback_alumni(ctx: DemoContext) -> list[User]:
    s = ctx.session
    cities = ctx.made.get("cities") or {}
    made: list[User] = []
    for i, (name, kana, code, fy) in enumerate(FALLBACK_ALUMNI):
        cohort = s.scalar(select(Cohort).where(Cohort.fiscal_year == fy))
        if cohort is None:
            cohort = Cohort(fiscal_year=fy, title_ja=f"{dates.fiscal_year_label(fy)} 8市連携スタディミーティング",
                            title_en=f"FY{fy} 8-City Study Meeting", status=CohortStatus.CLOSED,
                            starts_on=date(fy, 4, 1), ends_on=date(fy + 1, 3, 31))
            s.add(cohort)
        email = f"alumni{i + 1:02d}@renkei.example.jp"
        user = people_services.get_user_by_email(s, email) or people_services.create_user(
            s, email=email, name=name, name_kana=kana, city=cities.get(code), role=Role.ALUMNUS,
            password=None)
        s.flush()
        if user.city is not None and s.scalar(select(Enrolment.id).where(Enrolment.user_id == user.id)) is None:
            s.add(Enrolment(cohort=cohort, user_id=user.id, city_id=user.city.id, status=EnrolmentStatus.COMPLETED,
                            completed_at=ctx.now))
        made.append(user)
    s.flush()
    return made


def seed_directory(ctx: DemoContext) -> None:
    s, rng = ctx.session, ctx.rng
    alumni: list[User] = list(ctx.made.get("alumni") or [])
    if not alumni:
        alumni = _fallback_alumni(ctx)
        ctx.made["alumni"] = alumni
    everyone = list(s.scalars(select(User).where(User.anonymized_at.is_(None)).order_by(User.id)))
    today = dates.to_tokyo(ctx.now).date()
    fy = dates.fiscal_year(today)
    transferred, hidden, unconfirmed = [], [], []
    alumni_ids = {u.id for u in alumni}
    known = ctx.made.get("user:alumnus")
    if known is not None:
        alumni_ids.add(known.id)
    profiles = {}
    for n, user in enumerate(everyone):
        dep, pos = DEPARTMENTS[n % len(DEPARTMENTS)]
        interests = rng.sample(INTERESTS, rng.randint(2, 4))
        hide = n % 5 == 3
        values = services.ProfileInput(
            bio=BIOS[n % len(BIOS)].format(years=rng.randint(3, 12)) if n % 3 != 2 else "",
            contact_email=user.email if n % 2 == 0 else "", contact_phone=f"内線 {rng.randint(2000, 7999)}",
            welcomes_mentoring=user.id in alumni_ids and n % 2 == 0, interests="、".join(interests),
            skills="、".join(rng.sample(SKILLS, rng.randint(0, 2))),
            visibility={"department": Visibility.CITY if hide else Visibility.MEMBERS,
                        "contact": Visibility.COHORT if n % 4 == 1 else Visibility.CITY,
                        "bio": Visibility.MEMBERS, "position": Visibility.MEMBERS,
                        "interests": Visibility.MEMBERS, "skills": Visibility.MEMBERS})
        profiles[user.id] = services.save_profile(s, user, values)
        if hide:
            hidden.append(user)
        if user.id in alumni_ids and n % 3 == 0:
            # 人事異動: two earlier posts kept as history, the current one from this April
            old_dep, old_pos = DEPARTMENTS[(n + 5) % len(DEPARTMENTS)]
            s.add(Affiliation(user_id=user.id, city_id=user.city_id, department=old_dep, position="主事",
                              valid_from=date(fy - 4, 4, 1)))
            s.add(Affiliation(user_id=user.id, city_id=user.city_id, department=old_dep, position=old_pos,
                              valid_from=date(fy - 2, 4, 1)))
            s.flush()
            services.record_transfer(s, user, department=dep, position=pos, valid_from=date(fy, 4, 1), now=ctx.now)
            transferred.append(user)
        else:
            s.add(Affiliation(user_id=user.id, city_id=user.city_id, department=dep, position=pos,
                              valid_from=date(fy - 1 - n % 3, 4, 1)))
            s.flush()
            services.reindex(s, user.id)
            if user.id in alumni_ids and n % 4 == 1:
                unconfirmed.append(user)
            else:
                services.confirm_affiliation(s, user, fiscal_year=fy)
    # the April request went out at the start of this fiscal year
    jobs.open_confirmation_round(s, now=dates.utcnow() if ctx.now is None else ctx.now)
    if known is not None and known in unconfirmed:
        unconfirmed.remove(known)
    ctx.made["directory:profiles"] = profiles
    ctx.made["directory:transferred"] = transferred
    ctx.made["directory:hidden_department"] = hidden
    ctx.made["directory:unconfirmed"] = unconfirmed
