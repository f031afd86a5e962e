"""DOCX files (opened back with python-docx) and the template service."""
from __future__ import annotations

import io
import zipfile
from datetime import date

import docx
import pytest

from core.dates import utcnow
from core.errors import DomainError
from proposals import export
from proposals import template as tpl


def _document(**overrides: object) -> export.ProposalDocument:
    values: dict[str, object] = dict(
        title="8市で支える防災人材バンク", cohort_label="令和8年度 8市連携スタディミーティング", team="チーム1",
        cities=["横浜市", "川崎市", "町田市"], policy_field="防災", directions=["将来の脅威に対する備え"],
        version_label="提出版（第1版）", dated=date(2026, 11, 25),
        sections=[export.DocSection("目的", "災害時に**専門職**が不足する。\n\n- 名簿\n- 訓練\n\n1. 一つ目\n"),
                  export.DocSection("効果", "")])
    values.update(overrides)
    return export.ProposalDocument(**values)  # type: ignore[arg-type]


def test_proposal_docx_has_japanese_text_cities_reiwa_date_and_page_numbers() -> None:
    data = export.proposal_docx(_document())
    d = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in d.paragraphs)
    assert "8市で支える防災人材バンク" in text and "令和8年11月25日" in text and "提出版（第1版）" in text
    assert "災害時に専門職が不足する。" in text and "（未記入）" in text
    cells = [c.text for row in d.tables[0].rows for c in row.cells]
    assert "横浜市、川崎市、町田市" in cells and "防災" in cells and "将来の脅威に対する備え" in cells
    bullets = [p.text for p in d.paragraphs if p.style.name == "List Bullet"]
    assert bullets == ["名簿", "訓練"]
    bold = [r.text for p in d.paragraphs for r in p.runs if r.bold]
    assert "専門職" in bold
    footer = zipfile.ZipFile(io.BytesIO(data)).read("word/footer1.xml").decode()
    assert "PAGE" in footer and "NUMPAGES" in footer and 'fldCharType="begin"' in footer
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
    assert 'w:eastAsia="游明朝"' in styles


def test_docx_metadata_names_the_programme_never_a_person() -> None:
    d = docx.Document(io.BytesIO(export.proposal_docx(_document(team=None))))
    props = d.core_properties
    assert props.author == "8市連携スタディミーティング" == props.last_modified_by
    assert props.comments == "" and props.title == "8市で支える防災人材バンク"
    assert all("チーム1" not in c.text for row in d.tables[0].rows for c in row.cells)  # team hidden when asked


def test_reviews_docx_uses_aliases() -> None:
    data = export.reviews_docx(export.ReviewsDocument(
        "防災人材バンク", "中間発表後の相互評価", date(2026, 12, 1),
        [export.ReviewEntry("査読者A", [("効果", 4, "数値が良い"), ("新規性", None, "")], "総評です", "返答です")]))
    d = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in d.paragraphs)
    assert "査読者A" in text and "総評です" in text and "返答です" in text and "令和8年12月1日" in text
    assert [c.text for c in d.tables[0].rows[1].cells] == ["効果", "4 / 5", "数値が良い"]
    assert d.core_properties.author == "8市連携スタディミーティング"


def test_default_template_and_edits(session, year) -> None:
    template = tpl.ensure_template(session, year.cohort)
    assert [s.heading for s in template.sections] == ["提案名", "取組概要", "目的", "取組内容", "新規性", "効果",
                                                     "継続性", "全国展開の可能性", "関係者との連携体制"]
    assert template.section("title").single_line and template.section("activities").min_chars == 400
    assert len(template.criteria) == 7 and template.criteria[2].levels[4] == (5, "これまでにない発想で、他の模範となる")
    assert tpl.ensure_template(session, year.cohort) is template
    added = tpl.add_section(session, template, heading="予算の見込み", guidance="概算で", min_chars=None, max_chars=300,
                            required=False, actor=year.facilitator)
    assert added.key not in {s.key for s in template.sections if s is not added} and template.sections[-1] is added
    with pytest.raises(DomainError, match="min_gt_max"):
        tpl.update_section(added, heading="予算", guidance="", min_chars=500, max_chars=300, required=False,
                           actor=year.facilitator)
    tpl.move(template.sections, added, -1)
    session.flush()
    session.expire(template, ["sections"])
    assert [s.heading for s in template.sections][-2:] == ["予算の見込み", "関係者との連携体制"]
    with pytest.raises(DomainError, match="title_required"):
        tpl.set_retired(template.section("title"), True, now=utcnow(), actor=year.facilitator)
    tpl.set_retired(template.section("rollout"), True, now=utcnow(), actor=year.facilitator)
    assert "rollout" not in {s.key for s in template.active_sections}
    c = tpl.add_criterion(session, template, name="独自性", description="", levels=["1", "2", "3", "4", "5"],
                          actor=year.facilitator)
    assert c.levels[0] == (1, "1")
    with pytest.raises(DomainError):
        tpl.update_criterion(c, name="x", description="", levels=["1"], actor=year.facilitator)


def test_reading_pages_use_defaults_without_writing(session, year) -> None:
    from proposals.models import ProposalTemplate

    shown = tpl.template_or_default(session, year.cohort.id)
    assert shown.id is None and len(shown.sections) == 9
    assert session.query(ProposalTemplate).count() == 0
