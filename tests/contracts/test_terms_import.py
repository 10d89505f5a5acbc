"""TRM-1: importing a terms text into a draft policy version (service and ``manage.py import_terms``)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from contracts.models import Policy, TermsArticle, TermsDocument
from contracts.policy import policy_clone
from contracts.services.terms_documents import TermsTextInvalid, terms_import
from core.errors import DomainError
from tests.contracts.conftest import apply

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "terms"
BROKEN = "서비스 약관\n제1조 (목적)\n본문\n제3조 (요금)\n① 요금\n③ 셋\n"


def _draft(code: str) -> Policy:
    return policy_clone(policy=Policy.objects.get(code=code, version=1))


def test_import_stores_text_articles_and_addenda(presets) -> None:  # type: ignore[no-untyped-def]
    """TRM-1: the dcloud seed becomes the draft's text and 41 articles, with chapters, paragraphs and the
    addenda's effective date."""
    draft = _draft("dcloud")
    data = (FIXTURES / "002_dcloud.txt").read_bytes()
    document = terms_import(policy=draft, data=data, source_name="002_dcloud.txt")
    draft.refresh_from_db()
    assert draft.terms_text_ko == data.decode("utf-8")
    assert document.citation_source == "002"
    assert document.articles.filter(appendix=False).count() == 41
    assert str(document.effective_date) == "2016-01-01"
    art32 = document.articles.get(key="32")
    assert (art32.label, art32.title, art32.chapter_number) == ("제32조", "서비스 이용요금의 정산방법", 8)
    assert [c["label"] for c in art32.clauses][:3] == ["①", "②", "③"]


def test_cp949_file_imports(presets) -> None:  # type: ignore[no-untyped-def]
    """TRM-1: a CP949 file is read and stored as Unicode text."""
    draft = _draft("flow")
    text = "플로우 약관\n제1조 (목적)\n이 약관은 목적을 정합니다.\n제2조 (요금)\n① 요금은 매월 냅니다.\n"
    document = terms_import(policy=draft, data=text.encode("cp949"), source_name="flow.txt")
    assert document.encoding == "cp949"
    assert list(document.articles.values_list("label", flat=True)) == ["제1조", "제2조"]


def test_broken_file_saves_nothing(presets) -> None:  # type: ignore[no-untyped-def]
    """TRM-1: errors are reported by line and nothing changes."""
    draft = _draft("flow")
    before = draft.terms_text_ko
    with pytest.raises(TermsTextInvalid) as info:
        terms_import(policy=draft, data=BROKEN.encode("utf-8"))
    assert [(p.line, p.code) for p in info.value.problems] == [(4, "article_skipped"), (6, "number_skipped")]
    assert info.value.rule == "TRM-1"
    draft.refresh_from_db()
    assert draft.terms_text_ko == before
    assert TermsDocument.objects.get(policy=draft).articles.count() == 31  # the preset's, untouched


def test_not_text_is_refused(presets) -> None:  # type: ignore[no-untyped-def]
    """TRM-1: bytes that are neither UTF-8 nor CP949 are refused by name."""
    with pytest.raises(DomainError) as info:
        terms_import(policy=_draft("flow"), data=b"\xff\xfe\xff\xff\x00")
    assert info.value.code == "terms_encoding"


def test_version_in_use_is_not_reimported(presets) -> None:  # type: ignore[no-untyped-def]
    """TRM-1: a version that contracts use is never edited; import into a clone instead."""
    apply("flow")
    v1 = Policy.objects.get(code="flow", version=1)
    with pytest.raises(DomainError) as info:
        terms_import(policy=v1, data=(FIXTURES / "001_flow.txt").read_bytes())
    assert info.value.code == "policy_in_use"


def test_clone_carries_the_document(presets) -> None:  # type: ignore[no-untyped-def]
    """TRM-1: the next version starts with the same articles as the text it copies."""
    draft = _draft("damoa")
    terms_import(policy=draft, data=(FIXTURES / "004_damoa.txt").read_bytes())
    clone = policy_clone(policy=draft)
    assert TermsDocument.objects.get(policy=clone).articles.count() == 30
    assert TermsDocument.objects.get(policy=draft).articles.count() == 30
    assert TermsArticle.objects.filter(document__policy=clone, key="A1").exists()


def test_import_terms_command(presets, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """TRM-1: `manage.py import_terms` imports a seed and refuses a broken file naming the lines."""
    draft = _draft("officecore")
    out = StringIO()
    call_command(
        "import_terms", "officecore", str(draft.version), str(FIXTURES / "000_officecore.txt"), stdout=out
    )
    assert "25개 조항" in out.getvalue()
    broken = tmp_path / "broken_terms.txt"
    broken.write_text(BROKEN, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_terms", "officecore", str(draft.version), str(broken), stderr=err)
    assert "broken_terms.txt:4행" in err.getvalue()
    assert TermsDocument.objects.get(policy=draft).articles.count() == 25


def test_text_edited_in_place_keeps_the_document_in_step(presets) -> None:  # type: ignore[no-untyped-def]
    """TRM-1: editing a draft's text re-reads its articles; a text that no longer reads drops them."""
    from contracts.policy import policy_update

    draft = _draft("flow")
    text = "플로우 약관\n제1조 (목적)\n목적\n제2조 (요금)\n① 요금\n"
    policy_update(policy=draft, changes={"terms_text_ko": text})
    document = TermsDocument.objects.get(policy=draft)
    assert list(document.articles.values_list("key", flat=True)) == ["1", "2"]
    assert document.citation_source == "001"
    policy_update(policy=draft, changes={"terms_text_ko": "개정 약관 본문"})
    assert not TermsDocument.objects.filter(policy=draft).exists()
