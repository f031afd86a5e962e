"""The case library through HTTP: browse and filter, read, propose, decide, edit."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories
from tests import factories_wiki as fw
from wiki.cases import services
from wiki.cases.models import Case, CaseStatus

PROPOSAL = {"title": "九都県市の災害時相互応援協定", "title_en": "Nine capital-region governments mutual aid",
            "bodies": "埼玉県、千葉県\n東京都, 神奈川県", "prefecture": "首都圏", "field": "disaster", "kind": "agreement",
            "period": "", "summary": "首都圏の1都3県と指定都市が災害時に応援し合う。", "results": "", "source": "横浜市の提案書"}


@pytest.fixture()
def library(indb):  # type: ignore[no-untyped-def]
    with indb() as session:
        services.sync_cases(session)
        session.commit()


def test_browse_filter_and_search(library, login, person) -> None:
    client = login(person())
    body = client.get("/cases").get_data(as_text=True)
    assert "38件の事例" in body and "8市連携スタディミーティング（若手職員勉強会）" in body
    disaster = client.get("/cases?field=disaster").get_data(as_text=True)
    assert "7件の事例" in disaster and "防災・消防" in disaster
    assert "消防指令センターの共同運用" in disaster and "図書館" not in disaster.split("case-list")[1]
    by_city = client.get("/cases?city=町田市&kind=agreement").get_data(as_text=True)
    assert "災害時における相互応援に関する協定" in by_city
    found = client.get("/cases?q=図書館").get_data(as_text=True)
    assert "図書館" in found and "件の事例" in found
    assert "0件の事例" in client.get("/cases?q=存在しない言葉の組み合わせ").get_data(as_text=True)
    assert "38件の事例" in client.get("/cases?field=no-such-code").get_data(as_text=True)  # unknown codes ignored


def test_read_a_case(library, login, person) -> None:
    body = login(person()).get("/cases/nagoya-joint-dispatch-center").get_data(as_text=True)
    assert "名古屋市" in body and "84" in body and "出典" in body and "[[case:nagoya-joint-dispatch-center]]" in body
    assert login(person()).get("/cases/no-such-case").status_code == 404


def test_propose_and_see_the_status(library, login, indb, person) -> None:
    proposer = person()
    client = login(proposer)
    r = client.post("/cases/new", data={**PROPOSAL, "title": "", "field": "weather"})
    body = r.get_data(as_text=True)
    assert r.status_code == 400 and "入力してください。" in body and "首都圏の1都3県" in body
    r = client.post("/cases/new", data=PROPOSAL)
    assert r.status_code == 302
    status = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "確認待ち" in status and "埼玉県・千葉県・東京都・神奈川県" in status
    assert "九都県市" in client.get("/cases/proposals").get_data(as_text=True)
    assert "九都県市" not in client.get("/cases").get_data(as_text=True)  # not in the library yet
    assert login(person()).get(r.headers["Location"]).status_code == 403  # not someone else's business


def test_a_facilitator_approves_and_the_case_becomes_searchable(library, login, indb, person) -> None:
    proposer, reviewer = person(), person(factories.facilitator)
    login(proposer).post("/cases/new", data=PROPOSAL)
    with indb() as session:
        case_id = session.scalar(select(Case.id).where(Case.title == PROPOSAL["title"]))
    assert login(proposer).post(f"/cases/proposals/{case_id}", data={"decision": "approve"}).status_code == 403
    queue = login(reviewer).get("/cases").get_data(as_text=True)
    assert "提案の確認（1件待ち）" in queue
    r = login(reviewer).post(f"/cases/proposals/{case_id}", data={"decision": "approve", "slug": "Bad Slug"})
    assert r.status_code == 400 and "半角の英小文字" in r.get_data(as_text=True)
    r = login(reviewer).post(f"/cases/proposals/{case_id}", data={"decision": "approve", "note": "ありがとう"})
    assert r.status_code == 302 and r.headers["Location"] == "/cases/nine-capital-region-governments-mutual-aid"
    assert "九都県市" in login(proposer).get("/search?q=九都県市").get_data(as_text=True)
    status = login(proposer).get(f"/cases/proposals/{case_id}").get_data(as_text=True)
    assert "採用" in status and "ありがとう" in status


def test_rejecting_needs_a_reason_the_proposer_reads(library, login, indb, person) -> None:
    proposer, reviewer = person(), person(factories.facilitator)
    login(proposer).post("/cases/new", data=PROPOSAL)
    with indb() as session:
        case_id = session.scalar(select(Case.id).where(Case.title == PROPOSAL["title"]))
    r = login(reviewer).post(f"/cases/proposals/{case_id}", data={"decision": "reject"})
    assert r.status_code == 400 and "見送る理由を入力してください" in r.get_data(as_text=True)
    login(reviewer).post(f"/cases/proposals/{case_id}", data={"decision": "reject", "note": "出典を確認できませんでした"})
    status = login(proposer).get(f"/cases/proposals/{case_id}").get_data(as_text=True)
    assert "見送り" in status and "出典を確認できませんでした" in status
    with indb() as session:
        assert session.get(Case, case_id).status is CaseStatus.REJECTED


def test_edit_a_case_and_sync_leaves_it_alone(library, login, indb, person) -> None:
    reviewer = person(factories.facilitator)
    client = login(reviewer)
    form = client.get("/cases/nagoya-joint-dispatch-center/edit").get_data(as_text=True)
    assert "名古屋市、津島市" in form
    assert login(person()).get("/cases/nagoya-joint-dispatch-center/edit").status_code == 403
    with indb() as session:
        case = services.by_slug(session, "nagoya-joint-dispatch-center")
        data = {"title": case.title + "（改訂）", "title_en": case.title_en, "bodies": "、".join(case.body_names),
                "prefecture": case.prefecture, "field": case.field, "kind": case.kind, "period": case.period,
                "summary": case.summary, "results": case.results, "source": case.source}
    assert client.post("/cases/nagoya-joint-dispatch-center/edit", data=data).status_code == 302
    with indb() as session:
        assert "updated" in services.sync_cases(session)
        session.commit()
        assert services.by_slug(session, "nagoya-joint-dispatch-center").title.endswith("（改訂）")


def test_a_search_past_a_hundred_matches_reaches_its_last_page(indb, login, person) -> None:
    with indb() as session:
        for n in range(105):
            fw.case(f"潮汐発電の協定{n:03d}", field="environment", commit=False)
        fw.case("潮汐発電の防災", field="disaster", commit=False)
        session.commit()
    body = login(person()).get("/cases?q=潮汐発電&field=environment&page=4").get_data(as_text=True)
    assert "105件の事例" in body and "4 / 4" in body and "次へ" not in body
    assert body.count("潮汐発電の協定") == 105 - 3 * services.PER_PAGE and "潮汐発電の防災" not in body
