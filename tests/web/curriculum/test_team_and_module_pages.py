"""Team formation pages and module pages (marking done, adapting, progress)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from core.extensions import db
from curriculum.models import ModuleOverride, Team, TeamMember
from tests import factories
from tests import factories_curriculum as fc
from wiki.cases import services as case_services

CODES = [
    factories.YOKOHAMA,
    factories.KAWASAKI,
    factories.YOKOSUKA,
    factories.KAMAKURA,
    factories.FUJISAWA,
    factories.ZUSHI,
    factories.YAMATO,
    factories.MACHIDA,
]


def test_suggest_apply_adjust_and_publish_teams(app, login) -> None:
    with app.app_context():
        facilitator = factories.facilitator()
        cohort = fc.cohort(facilitators=(facilitator,))
        people = [fc.participant_in(cohort, CODES[i % 8], name=f"参加 {i:02d}") for i in range(16)]
        alumnus = factories.alumnus(name="先輩 修了")
        participant = people[0]
    staff, member = login(facilitator), login(participant)
    assert member.get(f"/cohorts/{cohort.id}/teams").status_code == 403  # a draft is for facilitators only
    preview = staff.get(f"/cohorts/{cohort.id}/teams/suggest?teams=4&seed=7")
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "すべてのチームが条件を満たしています。" in body
    assert body.count("参加 ") >= 16
    assert staff.get(f"/cohorts/{cohort.id}/teams/suggest?teams=0&seed=7").status_code == 400
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]+)"', body).group(1)
    apply = {"teams": "4", "seed": "7", "fingerprint": fingerprint}
    assert staff.post(f"/cohorts/{cohort.id}/teams/suggest", data=apply).status_code == 302
    with app.app_context():
        teams = db.session.scalars(select(Team).order_by(Team.number)).all()
        assert len(teams) == 4 and db.session.scalar(select(func.count(TeamMember.id))) == 16
        first, second = teams[0], teams[1]
        mover = first.members[0].user_id
    stale = staff.post(f"/cohorts/{cohort.id}/teams/suggest", data={**apply, "fingerprint": "0" * 16})
    assert stale.status_code == 302  # back to the preview with the reason
    assert "提案の後に参加者が変わりました" in staff.get(stale.headers["Location"]).get_data(as_text=True)
    # adjust by hand
    assert (
        staff.post(
            f"/cohorts/{cohort.id}/teams/move", data={"person": str(mover), "team": str(second.id)}
        ).status_code
        == 302
    )
    clash = staff.post(f"/teams/{first.id}/edit", data={"name": second.name, "mentor": ""})
    assert clash.status_code == 400 and "同じ名前のチームが既にあります。" in clash.get_data(as_text=True)
    not_alumnus = staff.post(
        f"/teams/{first.id}/edit", data={"name": "防災リンク", "mentor": str(participant.id)}
    )
    assert not_alumnus.status_code == 400
    blank = staff.post(f"/teams/{first.id}/edit", data={"name": "空白の選択", "mentor": " \r\n"})
    assert blank.status_code == 400  # whitespace is not a choice (was a 500: found by the form fuzzer)
    assert "空白の選択" in blank.get_data(as_text=True)  # what was typed is kept
    assert (
        staff.post(
            f"/teams/{first.id}/edit", data={"name": "防災リンク", "mentor": str(alumnus.id)}
        ).status_code
        == 302
    )
    assert staff.post(f"/cohorts/{cohort.id}/teams/publish").status_code == 302
    page = member.get(f"/cohorts/{cohort.id}/teams").get_data(as_text=True)
    assert "防災リンク" in page and "チーム分けを提案させる" not in page
    team_page = member.get(f"/teams/{first.id}").get_data(as_text=True)
    assert f'href="/teams/{first.id}/wiki/"' in team_page and "先輩 修了" in team_page
    assert login(alumnus).get(f"/teams/{first.id}").status_code == 200  # the mentor
    assert login(alumnus).get(f"/teams/{second.id}").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(TeamMember.team_id).filter_by(user_id=mover)) == second.id


def test_modules_marked_done_adapted_and_followed(app, login) -> None:
    with app.app_context():
        fc.modules()
        case_services.sync_cases(db.session)
        db.session.commit()
        facilitator = factories.facilitator()
        cohort = fc.cohort(facilitators=(facilitator,))
        me = fc.participant_in(cohort, name="学習 花子")
        kawasaki = fc.participant_in(cohort, factories.KAWASAKI, name="川崎 次郎")
        coordinator = factories.coordinator(factories.YOKOHAMA)
    client = login(me)
    page = client.get(f"/cohorts/{cohort.id}/modules/why-2040").get_data(as_text=True)
    assert "なぜ2040年なのか" in page and "学習のねらい" in page
    # related cases, served by the wiki, under their titles
    assert '<a href="/cases/eight-cities-study-meeting">8市連携スタディミーティング（若手職員勉強会）</a>' in page
    assert client.post(f"/cohorts/{cohort.id}/modules/why-2040/done").status_code == 302
    assert client.post(f"/cohorts/{cohort.id}/modules/why-2040/done").status_code == 302  # double click
    listing = client.get(f"/cohorts/{cohort.id}/modules").get_data(as_text=True)
    assert "1 / 7 完了" in listing
    progress = login(facilitator).get(f"/cohorts/{cohort.id}/progress").get_data(as_text=True)
    assert "学習 花子" in progress and "川崎 次郎" in progress and "川崎市" in progress
    own_city = login(coordinator).get(f"/cohorts/{cohort.id}/progress").get_data(as_text=True)
    assert "学習 花子" in own_city and "川崎 次郎" not in own_city
    assert client.post(f"/cohorts/{cohort.id}/modules/why-2040/undo").status_code == 302
    assert "0 / 7 完了" in client.get(f"/cohorts/{cohort.id}/modules").get_data(as_text=True)
    assert kawasaki.id != me.id

    staff = login(facilitator)
    form = staff.get(f"/cohorts/{cohort.id}/modules/eight-cities/adapt").get_data(as_text=True)
    assert 'name="base_version" type="hidden" value="0"' in form
    adapted = {
        "title_ja": "8市のいま（令和8年度版）",
        "minutes": "60",
        "body": "## 今年の追加ワーク\n\n更新費用を比べる",
        "note": "公共施設の比較",
        "base_version": "0",
    }
    assert staff.post(f"/cohorts/{cohort.id}/modules/eight-cities/adapt", data=adapted).status_code == 302
    stale = staff.post(
        f"/cohorts/{cohort.id}/modules/eight-cities/adapt", data={**adapted, "body": "別の人の書きかけ"}
    )
    body = stale.get_data(as_text=True)
    assert (
        stale.status_code == 400
        and "この間に別の方がこの単元を保存しました" in body
        and "別の人の書きかけ" in body
    )
    seen = client.get(f"/cohorts/{cohort.id}/modules/eight-cities").get_data(as_text=True)
    assert (
        "8市のいま（令和8年度版）" in seen and "更新費用を比べる" in seen and "この期向けに調整済み" in seen
    )
    assert "8市のいま（令和8年度版）" not in client.get("/modules/eight-cities").get_data(as_text=True)
    assert staff.post(f"/cohorts/{cohort.id}/modules/eight-cities/reset").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(ModuleOverride.id))) == 0


def test_modules_in_english(app, login) -> None:
    with app.app_context():
        fc.modules()
        person = factories.alumnus()
    page = login(person).get("/modules?lang=en").get_data(as_text=True)
    assert "Why 2040" in page and "Modules" in page


def test_a_refused_new_team_name_comes_back_at_the_field(app, login) -> None:
    with app.app_context():
        facilitator = factories.facilitator()
        cohort = fc.cohort(facilitators=(facilitator,))
        fc.participant_in(cohort, name="参加 一")
    staff = login(facilitator)
    assert staff.post(f"/cohorts/{cohort.id}/teams/new", data={"name": "防災チーム"}).status_code == 302
    again = staff.post(f"/cohorts/{cohort.id}/teams/new", data={"name": "防災チーム"})
    body = again.get_data(as_text=True)
    assert again.status_code == 400 and "同じ名前のチームが既にあります。" in body
    assert re.search(r'name="name"[^>]*value="防災チーム"', body)  # what was typed is still in the field
    too_long = staff.post(f"/cohorts/{cohort.id}/teams/new", data={"name": "長" * 121})
    assert too_long.status_code == 400 and "長" * 121 in too_long.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Team.id))) == 1
