"""TRM-1: a terms version is a document. The reader of Korean terms texts, against the five public seed
documents (copies in fixtures/terms) and hand-made broken files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from contracts.models import Policy
from contracts.terms_text.citations import parse_citations, resolve
from contracts.terms_text.parser import decode_terms, parse_terms

FIXTURES = Path(__file__).parent / "fixtures" / "terms"

# Article counts read off the documents by hand (002 writes its 13th heading "13 조 …", without 제).
SEEDS = {
    "000_officecore.txt": (25, "그룹웨어 서비스 약관"),
    "001_flow.txt": (31, "플로우 서비스 이용약관을 확인하세요."),
    "002_dcloud.txt": (41, "더존비즈온 클라우드 서버(D-Cloud Server) 이용약관"),
    "003_kgmsg.txt": (17, "문자서비스 및 카카오톡 비즈메시지 이용에 관한 특약"),
    "004_damoa.txt": (29, "이용약관"),
}


def _parse(name: str):  # type: ignore[no-untyped-def]
    text, encoding = decode_terms((FIXTURES / name).read_bytes())
    return parse_terms(text, encoding=encoding)


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_documents_parse_without_errors(name: str) -> None:
    """TRM-1: each seed parses with no error, its articles numbered 1..N in order and its title found."""
    doc = _parse(name)
    count, title = SEEDS[name]
    assert doc.errors == []
    articles = [a for a in doc.articles if not a.appendix]
    assert len(articles) == count
    assert [a.number for a in articles] == list(range(1, count + 1))
    assert doc.title == title


def test_heading_styles_of_the_seeds() -> None:
    """TRM-1: `제 1 조 (목 적)`, `1. 제 1조 (목적)`, `제 1 조 목적`, `제1조 (목적)` and `13 조 제목`
    are headings."""
    assert _parse("000_officecore.txt").articles[0].title == "목 적"
    flow = _parse("001_flow.txt")
    assert (flow.articles[0].title, flow.articles[18].title) == ("목적", "“서비스” 이용 요금 납부 및 청구")
    dcloud = _parse("002_dcloud.txt")
    assert dcloud.articles[0].title == "목적"
    assert (dcloud.articles[12].number, dcloud.articles[12].title) == (13, "고객에 대한 통지 및 공지")
    assert (dcloud.articles[13].chapter_number, dcloud.articles[13].chapter_title) == (4, "이용")
    damoa = _parse("004_damoa.txt")
    assert (damoa.articles[0].label, damoa.articles[0].title, damoa.articles[0].chapter_title) == (
        "제1조",
        "목적",
        "총 칙",
    )
    assert damoa.articles[-1].label == "별표1"


def test_paragraphs_items_and_sub_items() -> None:
    """TRM-1: ①② paragraphs with 1. items; 1./가. nesting; tab-indented nested items (004 art.23②1)."""
    office = _parse("000_officecore.txt")
    art19 = office.article(19)
    assert art19 is not None
    assert [c.label for c in art19.clauses][:3] == ["①", "②", "③"]
    assert [c.number for c in art19.clauses[2].children][:3] == [1, 2, 3]
    flow_20 = _parse("001_flow.txt").article(20)
    assert flow_20 is not None
    assert [c.label for c in flow_20.clauses[3].children][:2] == ["가.", "나."]
    damoa_23 = _parse("004_damoa.txt").article(23)
    assert damoa_23 is not None
    assert [c.number for c in damoa_23.clauses] == [1, 2]
    nested = damoa_23.clauses[1].children
    assert [c.label for c in nested] == ["1.", "2."]
    assert nested[0].text.startswith("1. 회사의 귀책사유로 월 장애누적시간이 48시간")


def test_lines_broken_mid_sentence_continue_the_paragraph() -> None:
    """TRM-1: a line broken inside a sentence ("30 일 이상…" style) stays in its paragraph; the exact
    article text is kept."""
    art2 = _parse("000_officecore.txt").article(2)
    assert art2 is not None
    fourth = art2.clauses[3]
    assert fourth.label == "④"
    assert "약관내용을 변경하는 경우에는 최소한 30 일 이상의 사전 유예기간을 두고 공지" in " ".join(
        fourth.lines
    )
    assert art2.text.startswith("제 2 조 (약관의 효력 및 변경)")
    assert "① 본 약관은 오피스코어 서비스를 이용하는 고객에 대하여 그 효력을 발생합니다." in art2.text


def test_front_matter_before_the_title_is_kept() -> None:
    """TRM-1: 003 starts with an application form; everything up to the title is front matter, not an
    error."""
    doc = _parse("003_kgmsg.txt")
    assert doc.preamble[0] == "1. 상점정보"
    assert doc.articles[0].title == "목적"


def test_addenda_with_effective_dates() -> None:
    """TRM-1: the addenda are kept with the date the version took effect."""
    assert _parse("002_dcloud.txt").effective_date == dt.date(2016, 1, 1)
    assert _parse("001_flow.txt").effective_date == dt.date(2024, 3, 1)
    tidy = parse_terms(
        "약관\n제1조 (목적)\n목적입니다.\n부 칙\n제1조 (시행일) 이 약관은 2027년 1월 1일부터 시행합니다.\n"
    )
    assert tidy.errors == []
    assert len(tidy.articles) == 1  # the addendum's own 제1조 is not a second article
    assert tidy.addenda[0].effective_date == dt.date(2027, 1, 1)


def test_cp949_is_read() -> None:
    """TRM-1: a text saved as CP949 (Korean Windows) reads the same as UTF-8."""
    text = (
        "서비스 약관\n제1조 (목적)\n① 이 약관은 목적을 정합니다.\n"
        "제1조의2 (정의)\n정의입니다.\n제2조 (요금)\n요금입니다.\n"
    )
    decoded, encoding = decode_terms(text.encode("cp949"))
    assert (decoded, encoding) == (text, "cp949")
    doc = parse_terms(decoded, encoding=encoding)
    assert doc.errors == []
    assert [a.label for a in doc.articles] == ["제1조", "제1조의2", "제2조"]


@pytest.mark.parametrize(
    ("text", "line", "code"),
    [
        ("약관\n제1조 (목적)\n본문\n제3조 (요금)\n본문\n", 4, "article_skipped"),
        ("약관\n제1조 (목적)\n본문\n제2조 (요금)\n본문\n제2조 (해지)\n본문\n", 6, "article_repeated"),
        ("약관\n제1조 (목적)\n본문\n제2조 (요금\n본문\n", 4, "unclosed_bracket"),
        (
            "약관\n이 약관은 회사와 고객의 권리와 의무를 정하는 것을 목적으로 하며 다음과 같습니다.\n"
            "제1조 (목적)\n본문\n",
            2,
            "text_before_first_article",
        ),
        ("① 고객은 요금을 냅니다.\n제1조 (목적)\n본문\n", 1, "text_before_first_article"),
        ("약관\n제1조 (목적)\n① 하나\n② 둘\n④ 넷\n", 5, "number_skipped"),
        ("약관\n제1조 (목적)\n① 하나\n② 둘\n② 둘\n", 5, "number_repeated"),
        ("약관\n제1장 총칙\n제1조 (목적)\n본문\n제3장 요금\n제2조 (요금)\n본문\n", 5, "chapter_sequence"),
        ("약관 없음\n", 1, "no_articles"),
    ],
)
def test_broken_files_are_refused_with_the_line(text: str, line: int, code: str) -> None:
    """TRM-1: a skipped or repeated number, an unclosed bracket and text before the first article are
    reported with their line."""
    doc = parse_terms(text)
    assert (doc.errors[0].line, doc.errors[0].code) == (line, code)
    assert f"{line}행" in str(doc.errors[0])


def test_every_seed_article_citation_resolves() -> None:
    """TRM-1: each Policy field's article citation resolves to the article and part in its seed document
    (the seed copy of 003 lacks its annexes 별표2/별표3, which only the demo text carries)."""
    citations = [c for f in Policy._meta.concrete_fields for c in parse_citations(str(f.help_text))]
    assert len(citations) > 150
    files = {name[:3]: name for name in SEEDS}
    unresolved = []
    for doc_code, name in files.items():
        doc = _parse(name)
        index = {a.key: {"clauses": [c.as_dict() for c in a.clauses]} for a in doc.articles}
        for c in citations:
            if c.document == doc_code and not resolve(c, index).ok:
                unresolved.append(c.text)
    assert sorted(set(unresolved)) == ["003 별표2-가", "003 별표2-나", "003 별표3"]


def test_citation_grammar() -> None:
    """TRM-1: `18③④` cites two paragraphs; paths read as 항/호/목."""
    cs = parse_citations("(CON-9; 000 art.18③④, 002 art.32③-1, 001 art.19-6-가, 003 별표2-나)")
    assert [c.label for c in cs] == [
        "제18조 제3항",
        "제18조 제4항",
        "제32조 제3항 제1호",
        "제19조 제6항 가목",
        "별표2 나목",
    ]
    assert cs[2].anchor == "art-32-3-1"
