"""DOCX files a city can send through its own channels: the 提案書, and the reviews a team received.

Japanese text (East Asian font set on every style), page numbers through a PAGE field in the footer,
the cities and the date in 令和. The file's metadata (author, last modified by, comments) names the
programme, never a person: reviewers stay anonymous in exports too.
"""
from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from core.dates import UTC, wareki
from wiki.links import plain_links

PROGRAMME = "8市連携スタディミーティング"
FONT = "游明朝"
HEADING_FONT = "游ゴシック"


@dataclass(frozen=True)
class DocSection:
    heading: str
    text: str  # Markdown


@dataclass(frozen=True)
class ProposalDocument:
    title: str
    cohort_label: str  # e.g. "令和8年度 8市連携スタディミーティング"
    team: str | None  # None: the team is not named
    cities: Sequence[str]
    policy_field: str | None
    directions: Sequence[str]
    version_label: str  # e.g. "提出版（第1版）"
    dated: date
    sections: Sequence[DocSection]
    outcome: str | None = None
    case_titles: Mapping[str, str] = field(default_factory=dict)  # slug -> title, for [[case:slug]]


@dataclass(frozen=True)
class ReviewEntry:
    label: str  # "査読者A" (or the name when the round does not hide reviewers)
    scores: Sequence[tuple[str, int | None, str]]  # (criterion, score, comment)
    overall: str
    response: str | None = None


@dataclass(frozen=True)
class ReviewsDocument:
    proposal_title: str
    round_title: str
    dated: date
    reviews: Sequence[ReviewEntry] = field(default_factory=tuple)


def _east_asian(style_or_run_element, font: str) -> None:  # type: ignore[no-untyped-def]
    rpr = style_or_run_element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)


def _new_document(title: str, subject: str) -> Document:  # type: ignore[valid-type]
    doc = Document()
    for name, font in (("Normal", FONT), ("Title", HEADING_FONT), ("Heading 1", HEADING_FONT),
                       ("Heading 2", HEADING_FONT), ("List Bullet", FONT), ("List Number", FONT)):
        style = doc.styles[name]
        style.font.name = font
        _east_asian(style.element, font)
    doc.styles["Normal"].font.size = Pt(10.5)
    props = doc.core_properties
    props.author = PROGRAMME
    props.last_modified_by = PROGRAMME
    props.comments = ""
    props.title = title
    props.subject = subject
    props.keywords = ""
    props.category = ""
    props.identifier = ""
    now = datetime.now(UTC).replace(microsecond=0)
    props.created = now
    props.modified = now
    props.revision = 1
    _page_numbers(doc)
    return doc


def _field(paragraph: Paragraph, instruction: str, placeholder: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays out the document."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = placeholder
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instr, separate, shown, end):
        run._r.append(element)


def _page_numbers(doc: Document) -> None:  # type: ignore[valid-type]
    for section in doc.sections:
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run("― ")
        _field(paragraph, "PAGE", "1")
        paragraph.add_run(" / ")
        _field(paragraph, "NUMPAGES", "1")
        paragraph.add_run(" ―")


_INLINE = re.compile(r"(\*\*[^*]+\*\*|__[^_]+__)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
_HEADING = re.compile(r"^\s*#{1,6}\s+(.*)$")


def _runs(paragraph: Paragraph, text: str) -> None:
    text = _LINK.sub(lambda m: f"{m.group(1)}（{m.group(2)}）", text)
    for part in _INLINE.split(text):
        if not part:
            continue
        if _INLINE.fullmatch(part):
            paragraph.add_run(part[2:-2]).bold = True
        else:
            paragraph.add_run(part.replace("`", ""))


def markdown_paragraphs(doc: Document, source: str,  # type: ignore[valid-type]
                        case_titles: Mapping[str, str] | None = None) -> None:
    """The Markdown people write in sections, as Word paragraphs (lists, bold, sub-headings); a ``[[link]]``
    becomes the text it shows (a case link: the case's title from ``case_titles``)."""
    buffer: list[str] = []
    source = plain_links(source, case_titles)

    def flush() -> None:
        if buffer:
            _runs(doc.add_paragraph(), "".join(line.strip() for line in buffer))
            buffer.clear()

    for line in source.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            flush()
            continue
        if m := _HEADING.match(line):
            flush()
            p = doc.add_paragraph()
            p.add_run(m.group(1).strip()).bold = True
        elif m := _BULLET.match(line):
            flush()
            _runs(doc.add_paragraph(style="List Bullet"), m.group(1))
        elif m := _NUMBERED.match(line):
            flush()
            _runs(doc.add_paragraph(style="List Number"), m.group(1))
        elif line.lstrip().startswith("|") and set(line.strip()) <= set("|-: "):
            continue  # a Markdown table's separator row
        else:
            buffer.append(line)
    flush()


def _save(doc: Document) -> bytes:  # type: ignore[valid-type]
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def proposal_docx(p: ProposalDocument) -> bytes:
    doc = _new_document(p.title, f"{p.cohort_label} 提案書")
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    head.add_run(f"{wareki(p.dated)}\n{p.version_label}")
    doc.add_paragraph(p.cohort_label).alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_heading(p.title, level=0)
    facts = [("参加市", "、".join(p.cities) or "—"), ("政策分野", p.policy_field or "—"),
             ("連携の方向性", "／".join(p.directions) or "—")]
    if p.team:
        facts.insert(0, ("チーム", p.team))
    if p.outcome:
        facts.append(("結果", p.outcome))
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in facts:
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = value
    for s in p.sections:
        doc.add_heading(s.heading, level=1)
        if s.text.strip():
            markdown_paragraphs(doc, s.text, p.case_titles)
        else:
            doc.add_paragraph("（未記入）")
    return _save(doc)


def reviews_docx(r: ReviewsDocument) -> bytes:
    doc = _new_document(f"{r.proposal_title} 査読結果", f"{PROGRAMME} 相互評価")
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    head.add_run(wareki(r.dated))
    doc.add_heading(f"査読結果：{r.proposal_title}", level=0)
    doc.add_paragraph(r.round_title)
    for entry in r.reviews:
        doc.add_heading(entry.label, level=1)
        table = doc.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ("観点", "評点", "コメント"), strict=True):
            cell.text = text
        for name, score, comment in entry.scores:
            cells = table.add_row().cells
            cells[0].text = name
            cells[1].text = "—" if score is None else f"{score} / 5"
            cells[2].text = comment
        doc.add_heading("総評", level=2)
        markdown_paragraphs(doc, entry.overall or "—")
        if entry.response:
            doc.add_heading("チームからの返答", level=2)
            markdown_paragraphs(doc, entry.response)
    return _save(doc)
