"""The people part of `flask seed-scale`: accounts, profiles, affiliations, tags, enrolments and the index.

Rows are written with bulk Core inserts (COPY on PostgreSQL for the big gram table) and explicit
ids, committed in batches; sequences are moved past the ids at the end on PostgreSQL.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from core.scale import ScaleContext
from core.search import normalize
from curriculum.models import Cohort, CohortStatus, Enrolment, EnrolmentStatus
from directory import index
from directory.models import Affiliation, DirectoryField, DirectoryGram, Profile, ProfileTag, TagKind, Visibility
from people.models import City, Role, RoleGrant, User

FAMILY = [("佐藤", "さとう"), ("鈴木", "すずき"), ("高橋", "たかはし"), ("田中", "たなか"), ("伊藤", "いとう"),
          ("渡辺", "わたなべ"), ("山本", "やまもと"), ("中村", "なかむら"), ("小林", "こばやし"), ("加藤", "かとう"),
          ("吉田", "よしだ"), ("山田", "やまだ"), ("佐々木", "ささき"), ("山口", "やまぐち"), ("松本", "まつもと"),
          ("井上", "いのうえ"), ("木村", "きむら"), ("林", "はやし"), ("斎藤", "さいとう"), ("清水", "しみず"),
          ("山崎", "やまざき"), ("森", "もり"), ("池田", "いけだ"), ("橋本", "はしもと"), ("阿部", "あべ"),
          ("石川", "いしかわ"), ("山下", "やました"), ("中島", "なかじま"), ("石井", "いしい"), ("小川", "おがわ"),
          ("前田", "まえだ"), ("岡田", "おかだ"), ("長谷川", "はせがわ"), ("藤田", "ふじた"), ("後藤", "ごとう"),
          ("近藤", "こんどう"), ("村上", "むらかみ"), ("遠藤", "えんどう"), ("青木", "あおき"), ("坂本", "さかもと"),
          ("斉藤", "さいとう"), ("福田", "ふくだ"), ("太田", "おおた"), ("西村", "にしむら"), ("藤井", "ふじい"),
          ("金子", "かねこ"), ("岡本", "おかもと"), ("藤原", "ふじわら"), ("中野", "なかの"), ("三浦", "みうら"),
          ("原田", "はらだ"), ("中川", "なかがわ"), ("松田", "まつだ"), ("竹内", "たけうち"), ("小野", "おの"),
          ("田村", "たむら"), ("中山", "なかやま"), ("和田", "わだ"), ("石田", "いしだ"), ("森田", "もりた"),
          ("上田", "うえだ"), ("原", "はら"), ("内田", "うちだ"), ("柴田", "しばた"), ("酒井", "さかい"),
          ("宮崎", "みやざき"), ("横山", "よこやま"), ("高木", "たかぎ"), ("安藤", "あんどう"), ("宮本", "みやもと"),
          ("大野", "おおの"), ("小島", "こじま"), ("谷口", "たにぐち"), ("今井", "いまい"), ("工藤", "くどう"),
          ("高田", "たかだ"), ("増田", "ますだ"), ("丸山", "まるやま"), ("杉山", "すぎやま"), ("村田", "むらた"),
          ("大塚", "おおつか"), ("新井", "あらい"), ("小山", "こやま"), ("平野", "ひらの"), ("藤本", "ふじもと"),
          ("河野", "こうの"), ("上野", "うえの"), ("野口", "のぐち"), ("武田", "たけだ"), ("松井", "まつい"),
          ("千葉", "ちば"), ("岩崎", "いわさき"), ("菅原", "すがわら"), ("木下", "きのした"), ("久保", "くぼ"),
          ("佐野", "さの"), ("野村", "のむら"), ("松尾", "まつお"), ("市川", "いちかわ"), ("菊地", "きくち"),
          ("髙橋", "たかはし"), ("五十嵐", "いがらし"), ("五島", "ごとう"), ("渡邉", "わたなべ"), ("齋藤", "さいとう")]
GIVEN = [("翔", "しょう"), ("大輔", "だいすけ"), ("健太", "けんた"), ("拓也", "たくや"), ("直樹", "なおき"),
         ("亮", "りょう"), ("誠", "まこと"), ("隆", "たかし"), ("浩一", "こういち"), ("一郎", "いちろう"),
         ("陽介", "ようすけ"), ("和也", "かずや"), ("達也", "たつや"), ("悠斗", "ゆうと"), ("蓮", "れん"),
         ("湊", "みなと"), ("大和", "やまと"), ("颯太", "そうた"), ("健", "けん"), ("修", "おさむ"),
         ("花子", "はなこ"), ("美咲", "みさき"), ("愛", "あい"), ("陽子", "ようこ"), ("優子", "ゆうこ"),
         ("由美", "ゆみ"), ("恵", "めぐみ"), ("真由美", "まゆみ"), ("彩", "あや"), ("結衣", "ゆい"),
         ("葵", "あおい"), ("さくら", "さくら"), ("美穂", "みほ"), ("麻衣", "まい"), ("沙織", "さおり"),
         ("千尋", "ちひろ"), ("遥", "はるか"), ("舞", "まい"), ("里奈", "りな"), ("奈々", "なな")]
DEPARTMENTS = ["危機管理部 防災課", "総務局 人事課", "財政局 財政課", "政策局 政策企画課", "デジタル統括本部 DX推進課",
               "こども青少年局 子育て支援課", "健康福祉局 高齢福祉課", "健康福祉局 地域包括ケア推進課",
               "都市整備局 都市計画課", "道路局 道路維持課", "環境創造局 脱炭素推進課", "資源循環局 ごみ減量推進課",
               "経済局 観光振興課", "経済局 産業立地課", "文化観光局 文化振興課", "教育委員会 学校教育課",
               "市民局 市民協働推進課", "市民局 区政推進課", "水道局 経営企画課", "消防局 予防課", "港湾局 港湾振興課",
               "建築局 住宅政策課", "上下水道局 下水道計画課", "企画部 企画政策課", "市長室 秘書課", "交通局 経営企画課"]
POSITIONS = ["主事", "主任", "主査", "係長", "課長補佐", "技師", "主任技師", "保健師", "担当係長"]
INTERESTS = ["防災", "DX", "子育て", "観光", "地域交通", "脱炭素", "公民連携", "人材育成", "医療・介護", "インフラ",
             "オープンデータ", "GIS", "広域連携", "移住定住", "MaaS", "シビックテック", "EBPM", "地域包括ケア"]


def _copy_or_insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        cols = list(rows[0].keys())
        raw = conn.connection.driver_connection
        with raw.cursor() as cur:  # type: ignore[union-attr]
            with cur.copy(f'COPY "{table.name}" ({", ".join(cols)}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([row[c] for c in cols])
    else:
        conn.execute(insert(table), rows)


def _next_id(session: Session, column: Any) -> int:
    return (session.scalar(select(func.max(column))) or 0) + 1


def _cohorts(session: Session, first: int, last: int) -> list[Cohort]:
    have = {c.fiscal_year: c for c in session.scalars(select(Cohort))}
    for fy in range(first, last + 1):
        if fy not in have:
            cohort = Cohort(fiscal_year=fy, title_ja=f"{fy}年度 8市連携スタディミーティング",
                            title_en=f"FY{fy} 8-City Study Meeting", status=CohortStatus.CLOSED,
                            starts_on=date(fy, 4, 1), ends_on=date(fy + 1, 3, 31))
            session.add(cohort)
            have[fy] = cohort
    session.flush()
    return [have[fy] for fy in range(first, last + 1)]


def seed_people(ctx: ScaleContext) -> str:
    n = ctx.sizes.get("people", 0)
    if n <= 0:
        return "no people requested"
    s, rng = ctx.session, ctx.rng
    cities = list(s.scalars(select(City).order_by(City.sort_order)))
    if not cities:
        return "no cities: run `flask sync` first"
    cohorts = _cohorts(s, 2006, 2025)
    uid, gid = _next_id(s, User.id), _next_id(s, RoleGrant.id)
    aid, tid, eid, fid = (_next_id(s, Affiliation.id), _next_id(s, ProfileTag.id), _next_id(s, Enrolment.id),
                          _next_id(s, DirectoryField.id))
    start = uid
    batch = 2000
    with ctx.progress("people", n) as bar:
        for offset in range(0, n, batch):
            users, grants, profiles, affs, tags, enrols, fields, grams_rows = [], [], [], [], [], [], [], []
            for _ in range(min(batch, n - offset)):
                fam, fam_k = rng.choice(FAMILY)
                giv, giv_k = rng.choice(GIVEN)
                name, kana = f"{fam} {giv}", f"{fam_k} {giv_k}"
                city = rng.choice(cities)
                cohort = rng.choice(cohorts)
                users.append({"id": uid, "email": f"scale{uid}@scale.example.jp", "name": name, "name_kana": kana,
                              "locale": "ja", "city_id": city.id, "is_active": True, "session_version": 1,
                              "failed_logins": 0})
                grants.append({"id": gid, "user_id": uid, "role": Role.ALUMNUS.value})
                gid += 1
                romaji = index.display_romaji(kana)
                hidden = rng.random() < 0.08
                vis_dep = Visibility.CITY if hidden else Visibility.MEMBERS
                profiles.append({"user_id": uid, "romaji": romaji, "romaji_edited": False,
                                 "sort_key": index.sort_key(kana, name), "bio": "", "contact_email": "",
                                 "contact_phone": "", "contact_note": "", "welcomes_mentoring": rng.random() < 0.3,
                                 "vis_department": vis_dep.value, "vis_position": "members", "vis_interests": "members",
                                 "vis_skills": "members", "vis_bio": "members", "vis_contact": "city"})
                deps = rng.sample(DEPARTMENTS, rng.choice((1, 1, 2, 3)))
                pos = rng.choice(POSITIONS)
                for k, dep in enumerate(deps):
                    affs.append({"id": aid, "user_id": uid, "city_id": city.id, "department": dep, "position": pos,
                                 "valid_from": date(cohort.fiscal_year + k, 4, 1)})
                    aid += 1
                mine = rng.sample(INTERESTS, rng.randint(1, 4))
                for k, label in enumerate(mine):
                    tags.append({"id": tid, "user_id": uid, "kind": TagKind.INTEREST.value, "label": label,
                                 "norm": normalize(label), "position": k})
                    tid += 1
                enrols.append({"id": eid, "cohort_id": cohort.id, "user_id": uid, "city_id": city.id,
                               "status": EnrolmentStatus.COMPLETED.value, "interests": ""})
                eid += 1
                for field_name, vis, key in (
                        (index.NAME, Visibility.MEMBERS, index.name_key(name, kana, romaji)),
                        ("department", vis_dep, index.values_key(deps)),
                        ("position", Visibility.MEMBERS, index.values_key([pos])),
                        ("interests", Visibility.MEMBERS, index.values_key(mine))):
                    fields.append({"id": fid, "user_id": uid, "field": field_name, "visibility": vis.value, "key": key})
                    grams_rows.extend({"gram": g, "user_id": uid, "field_id": fid}
                                      for g in index.field_grams(key))
                    fid += 1
                uid += 1
            s.execute(insert(User.__table__), users)
            s.execute(insert(RoleGrant.__table__), grants)
            s.execute(insert(Profile.__table__), profiles)
            s.execute(insert(Affiliation.__table__), affs)
            s.execute(insert(ProfileTag.__table__), tags)
            s.execute(insert(Enrolment.__table__), enrols)
            s.execute(insert(DirectoryField.__table__), fields)
            _copy_or_insert(s, DirectoryGram.__table__, grams_rows)
            s.commit()
            bar.update(len(users))
    if s.get_bind().dialect.name == "postgresql":
        for table in ("user", "role_grant", "affiliation", "profile_tag", "enrolment", "directory_field"):
            s.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                           f"(SELECT max(id) FROM \"{table}\"))"))
        s.execute(text("ANALYZE"))
    else:
        s.execute(text("ANALYZE"))
    s.commit()
    ctx.made["people_ids"] = (start, uid - 1)
    return f"{uid - start} people with profiles, affiliations, interests, enrolments and search index"
