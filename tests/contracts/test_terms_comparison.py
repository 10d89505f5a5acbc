"""TRM-1, TRM-3: preset citations resolve to their articles; the 신구조문 대비표 of two versions (service,
PDF, back office before publishing, the notice, the portal's consent page)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from contracts import selectors
from contracts.models import Policy, TermsDocument, TermsRelease
from contracts.policy import policy_clone, policy_update
from contracts.presets import PRESET_CODES, load_presets
from contracts.services import terms
from contracts.services.terms_documents import parameter_changes, terms_compare, terms_import
from contracts.services.terms_pdf import comparison_pdf
from contracts.terms_text.compare import ArticleText, compare_articles
from core import clock
from messaging.models import Notice
from tests.contracts.test_contract_admin import TODAY, _frozen_today, active, messages_of  # noqa: F401
from tests.factories import AdminMemberFactory

pytestmark = pytest.mark.django_db

OLD_34 = "① 납기일까지 내지 않은 요금에는 월 1000분의 15(1.5%)의 연체료를 붙입니다."
NEW_34 = "① 납기일까지 내지 않은 요금에는 월 1000분의 12.5(1.25%)의 연체료를 붙입니다."


@pytest.fixture
def policies() -> dict[str, Policy]:
    return {p.code: p for p in load_presets()}


def _dcloud_v2(v1: Policy) -> Policy:
    """dcloud v2: article 34 ① and the late-charge rule lowered from 1.5 % to 1.25 % a month."""
    draft = policy_clone(policy=v1)
    text = draft.terms_text_ko.replace(OLD_34, NEW_34)
    assert text != draft.terms_text_ko
    terms_import(policy=draft, data=text.encode("utf-8"))
    return policy_update(policy=draft, changes={"late_charge_monthly_percent": Decimal("1.25")})


def test_every_preset_citation_resolves(policies) -> None:  # type: ignore[no-untyped-def]
    """TRM-1: each preset's terms text has every article and part its policy fields cite."""
    counts = {}
    for code in PRESET_CODES:
        cited = selectors.policy_citations(policies[code])
        assert [c.citation.text for c in cited if not c.ok] == []
        counts[code] = len(cited)
    # citations per seed document in the Policy help texts (counted by hand from contracts/models/policy.py)
    assert counts["dcloud"] >= 40 and counts["kgmsg"] >= 20
    late = selectors.policy_citations(policies["dcloud"], fields=["late_charge_monthly_percent"])
    assert [(c.citation.label, c.anchor) for c in late] == [("제34조 제1항", "art-34-1")]
    assert late[0].excerpt == "① 납기일까지 내지 않은 요금에는 월 1000분의 15(1.5%)의 연체료를 붙입니다."


def test_unresolved_citation_is_flagged(policies) -> None:  # type: ignore[no-untyped-def]
    """TRM-1: a document without the cited article leaves the citation unresolved, with the reason."""
    draft = policy_clone(policy=policies["damoa"])
    terms_import(policy=draft, data="다모아 약관\n제1조 (목적)\n목적\n제2조 (변경)\n1. 공시\n".encode())
    cited = selectors.policy_citations(draft)
    assert cited and not any(c.ok for c in cited)
    problems = {c.citation.text: c.problem for c in cited}
    assert problems["004 art.7②"] == "article_missing"


def test_comparison_marks_changes_and_parameters(policies) -> None:  # type: ignore[no-untyped-def]
    """TRM-3: one changed article with the change marked, and the rule parameter in plain Korean."""
    v2 = _dcloud_v2(policies["dcloud"])
    comparison = terms_compare(old=policies["dcloud"], new=v2)
    assert [(a.key, a.status) for a in comparison.articles] == [("34", "changed")]
    article = comparison.articles[0]
    assert article.heading == "제34조 (연체료)"
    assert "<del>15</del>" in article.old_html and "<del>1.5</del>" in article.old_html
    assert "<ins>12.5</ins>" in article.new_html and "<ins>1.25</ins>" in article.new_html
    assert [str(p) for p in comparison.parameters] == [
        "연체 월율: 월 1.5% → 월 1.25%",
        "연체 이자율: 연 18% → 연 15%",
    ]
    assert comparison.summary_lines() == [
        "연체 월율: 월 1.5% → 월 1.25%",
        "연체 이자율: 연 18% → 연 15%",
        "제34조 (연체료) 변경",
    ]


def test_added_and_removed_articles_in_order() -> None:
    """TRM-3: an added article appears where it stands in the new version, a removed one where it stood."""
    old = [
        ArticleText("1", "제1조 (목적)", "목적"),
        ArticleText("2", "제2조 (정의)", "정의"),
        ArticleText("3", "제3조", "셋"),
    ]
    new = [
        ArticleText("1", "제1조 (목적)", "목적"),
        ArticleText("2-2", "제2조의2 (신설)", "새 조"),
        ArticleText("3", "제3조", "셋  "),
    ]
    changes = compare_articles(old, new)
    assert [(c.key, c.status) for c in changes] == [("2", "removed"), ("2-2", "added")]


def test_parameter_formats() -> None:
    """TRM-3: days, months, booleans, choices and times read as a person writes them."""
    a, b = Policy(), Policy()
    b.dispute_window_days, b.auto_renew, b.maintenance_window_start = 30, not a.auto_renew, dt.time(1, 0)
    a.dispute_window_days = 15
    lines = [str(p) for p in parameter_changes(a, b)]
    assert "이의신청 기한: 15일 → 30일" in lines
    assert "정기 점검 시작: 없음 → 01:00" in lines
    assert any(line.startswith("자동 갱신: ") for line in lines)


def test_pdf_renders(policies) -> None:  # type: ignore[no-untyped-def]
    """TRM-3: the comparison downloads as a PDF."""
    pdf = comparison_pdf(terms_compare(old=policies["dcloud"], new=_dcloud_v2(policies["dcloud"])))
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000


def test_pdf_embeds_every_font(policies, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """TRM-3, BIL-18: every font in the comparison PDF is embedded (pdffonts "emb yes"; no Helvetica)."""
    assert shutil.which("pdffonts"), "pdffonts (poppler-utils, installed by .ci/run) is needed"
    path = tmp_path / "comparison.pdf"
    comparison = terms_compare(old=policies["dcloud"], new=_dcloud_v2(policies["dcloud"]))
    path.write_bytes(comparison_pdf(comparison))
    rows = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    fonts = rows.splitlines()[2:]
    assert fonts and all(row.split()[-5] == "yes" and "Helvetica" not in row for row in fonts), rows


@override_settings(PDF_FONT_PATH="/nonexistent/font.ttf")
def test_pdf_uses_the_shared_font_home(policies) -> None:  # type: ignore[no-untyped-def]
    """TRM-3: the comparison PDF takes its Korean font from core.pdf, as the invoice PDF does (BIL-18): a
    configured font that does not exist falls back to the built-in CID font for both."""
    pdf = comparison_pdf(terms_compare(old=policies["dcloud"], new=_dcloud_v2(policies["dcloud"])))
    assert b"HYGothic-Medium" in pdf and b"NanumGothic" not in pdf


def test_notice_lists_the_changes(policies) -> None:  # type: ignore[no-untyped-def]
    """TRM-3: the publication notice carries the comparison in short, after the reasons given: a heading
    pointing to the full table in the portal, then one line per changed number and article."""
    contract = active("dcloud-vm-standard")
    v2 = _dcloud_v2(policies["dcloud"])
    terms.terms_publish(
        policy=v2,
        previous=policies["dcloud"],
        effective_on=TODAY + dt.timedelta(days=30),
        reasons="요율 인하",
        today=TODAY,
    )
    notice = Notice.objects.get(customer=contract.customer, event="terms.published")
    assert "연체 이자율: 연 18% → 연 15%" in notice.body
    assert "제34조 (연체료) 변경" in notice.body
    assert notice.context["reasons"] == (
        "요율 인하\n\n[주요 변경 내용 — 신구조문 대비표는 고객 포털 약관 화면에서]\n"
        "- 연체 월율: 월 1.5% → 월 1.25%\n- 연체 이자율: 연 18% → 연 15%\n- 제34조 (연체료) 변경"
    )


def test_portal_notice_links_the_changed_articles(client, policies) -> None:  # type: ignore[no-untyped-def]
    """TRM-3, TRM-1: the new version's notice in the portal links its full text and the clause each
    changed number comes from (the late charge: 002 art.34①), in plain Korean with no rule id; a notice
    sent before the release was named in its context still finds it by its dedupe key."""
    contract = active("dcloud-vm-standard")
    member = AdminMemberFactory(customer=contract.customer)
    v2 = _dcloud_v2(policies["dcloud"])
    release = terms.terms_publish(
        policy=v2,
        previous=policies["dcloud"],
        effective_on=TODAY + dt.timedelta(days=30),
        reasons="요율 인하",
        today=TODAY,
    )
    notice = Notice.objects.get(member=member, event="terms.published", channel="portal")
    assert notice.context["release_id"] == release.pk
    client.force_login(member.user)
    document_url = reverse("portal:contract_terms_document", args=[v2.pk])
    with clock.frozen(TODAY):
        page = client.get(reverse("portal:inbox_detail", args=[notice.pk])).content.decode()
        assert f'href="{document_url}#art-34-1">약관 제34조 제1항 보기</a>' in page
        assert f'href="{document_url}">새 약관 전문 보기</a>' in page
        assert "TRM-" not in page and "002 art" not in page
        Notice.objects.filter(pk=notice.pk).update(context={"policy_name": v2.name})  # an older notice
        page = client.get(reverse("portal:inbox_detail", args=[notice.pk])).content.decode()
        assert f'href="{document_url}#art-34-1"' in page


# --------------------------------------------------------------------------- back office


def test_admin_policy_page_import_and_articles(admin_client, policies) -> None:  # type: ignore[no-untyped-def]
    """TRM-1: the policy page links the document; an upload imports; a broken upload names its lines
    and saves nothing; the articles page lists citations linked to anchors and flags unresolved ones."""
    draft = policy_clone(policy=policies["flow"])
    change = admin_client.get(reverse("admin:contracts_policy_change", args=[draft.pk])).content.decode()
    assert "조항 31개" in change and reverse("admin:contracts_policy_terms_import", args=[draft.pk]) in change
    url = reverse("admin:contracts_policy_terms_import", args=[draft.pk])
    broken = SimpleUploadedFile("broken.txt", "약관\n제1조 (목적)\n본문\n제3조 (요금)\n".encode("cp949"))
    page = admin_client.post(url, {"terms_file": broken})
    assert page.status_code == 200
    assert "4행: 제3조 앞에 제2조가 없습니다" in page.content.decode()
    assert draft.terms_document.articles.count() == 31
    upload = SimpleUploadedFile(
        "flow.txt", "플로우 약관\n제1조 (목적)\n목적\n제2조 (정의)\n① 정의\n".encode()
    )
    response = admin_client.post(url, {"terms_file": upload})
    assert response.status_code == 302, messages_of(response)
    articles = admin_client.get(response.url).content.decode()
    assert 'id="art-2-1"' in articles and "citation-unresolved" in articles
    v1_page = admin_client.get(
        reverse("admin:contracts_policy_terms", args=[policies["flow"].pk])
    ).content.decode()
    assert 'href="#art-19-6-나"' in v1_page and "citation-unresolved" not in v1_page


def test_admin_compare_and_publish_preview(admin_client, policies) -> None:  # type: ignore[no-untyped-def]
    """TRM-3: staff see the comparison (HTML and PDF) before publishing; publishing still needs the
    publish button."""
    v2 = _dcloud_v2(policies["dcloud"])
    page = admin_client.get(
        reverse("admin:contracts_policy_terms_compare", args=[policies["dcloud"].pk, v2.pk])
    )
    assert "<ins>1.25</ins>" in page.content.decode()
    pdf = admin_client.get(
        reverse("admin:contracts_policy_terms_compare_pdf", args=[policies["dcloud"].pk, v2.pk])
    )
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    data = {
        "policy": str(v2.pk),
        "previous": str(policies["dcloud"].pk),
        "effective_on": (TODAY + dt.timedelta(days=30)).isoformat(),
        "reasons": "요율 인하",
    }
    preview = admin_client.post(reverse("admin:contracts_termsrelease_add"), {**data, "_preview": "1"})
    assert preview.status_code == 200
    assert "연체 이자율: 연 18% → 연 15%" in preview.content.decode()
    assert not TermsRelease.objects.exists()
    done = admin_client.post(reverse("admin:contracts_termsrelease_add"), data)
    assert done.status_code == 302 and TermsRelease.objects.filter(policy=v2).exists()


# --------------------------------------------------------------------------- portal


def test_portal_consent_page_shows_comparison_text_and_pdf(client, policies) -> None:  # type: ignore[no-untyped-def]
    """TRM-3: the consent page shows the comparison table and the full new text by article; the PDF
    downloads; a published version's articles open at their anchors."""
    contract = active("dcloud-vm-standard")
    member = AdminMemberFactory(customer=contract.customer)
    client.force_login(member.user)
    v2 = _dcloud_v2(policies["dcloud"])
    terms.terms_publish(
        policy=v2,
        previous=policies["dcloud"],
        effective_on=TODAY + dt.timedelta(days=30),
        reasons="요율 인하",
        today=TODAY,
    )
    with clock.frozen(TODAY):
        page = client.get(reverse("portal:contract_terms")).content.decode()
        assert "<del>1.5</del>" in page and "<ins>1.25</ins>" in page
        assert 'id="art-34-1"' in page and "연체 이자율: 연 18% → 연 15%" in page
        pdf = client.get(reverse("portal:contract_terms_comparison_pdf", args=[v2.pk]))
        assert pdf.content.startswith(b"%PDF")
        doc = client.get(reverse("portal:contract_terms_document", args=[v2.pk])).content.decode()
        assert 'id="art-32-3-1"' in doc and "제8장 이용요금" in doc
        assert TermsDocument.objects.filter(policy=v2).first() is not None


# --------------------------------------------------------------------------- API


def test_api_versions_articles_and_comparison(policies) -> None:  # type: ignore[no-untyped-def]
    """TRM-1, TRM-3: published versions with their articles, and the comparison of two, as JSON;
    drafts are not shown."""
    from rest_framework.test import APIClient

    member = AdminMemberFactory()
    api = APIClient()
    api.force_authenticate(member.user)
    v2 = _dcloud_v2(policies["dcloud"])
    listing = api.get("/api/v1/terms/versions/").json()
    assert listing["count"] == 5  # the five presets' v1; the v2 draft is not listed
    assert api.get(f"/api/v1/terms/versions/{v2.pk}/").status_code == 404
    terms.terms_publish(
        policy=v2,
        previous=policies["dcloud"],
        effective_on=TODAY + dt.timedelta(days=30),
        reasons="요율 인하",
        today=TODAY,
    )
    detail = api.get(f"/api/v1/terms/versions/{v2.pk}/").json()
    assert len(detail["articles"]) == 37
    art34 = detail["articles"][33]
    assert (art34["label"], art34["title"], art34["chapter_number"]) == ("제34조", "연체료", 8)
    assert art34["clauses"][0]["anchor"] == "art-34-1"
    compared = api.get(f"/api/v1/terms/compare/?old={policies['dcloud'].pk}&new={v2.pk}").json()
    assert [(a["key"], a["status"]) for a in compared["articles"]] == [("34", "changed")]
    assert [p["text"] for p in compared["parameters"]] == [
        "연체 월율: 월 1.5% → 월 1.25%",
        "연체 이자율: 연 18% → 연 15%",
    ]
    other = api.get(f"/api/v1/terms/compare/?old={policies['flow'].pk}&new={v2.pk}")
    assert other.status_code == 400 and other.json()["error"]["code"] == "compare_other_code"
    assert api.get("/api/v1/terms/compare/?old=x&new=1").status_code == 400


def test_portal_contract_pages_link_the_cited_article(client, policies) -> None:  # type: ignore[no-untyped-def]
    """TRM-1: the contract page links each value and deadline to the clause it comes from."""
    contract = active("dcloud-vm-standard")
    member = AdminMemberFactory(customer=contract.customer)
    client.force_login(member.user)
    article_url = reverse("portal:contract_terms_document", args=[contract.policy_id])
    with clock.frozen(TODAY):
        detail = client.get(reverse("portal:contract_detail", args=[contract.pk])).content.decode()
        assert f'href="{article_url}#art-20-2"' in detail  # 고객 해지 통지 일수: 002 art.20②
        terminate = client.get(reverse("portal:contract_terminate", args=[contract.pk])).content.decode()
        assert f'href="{article_url}#art-20-2"' in terminate
        page = client.get(article_url).content.decode()
    assert 'id="art-20-2"' in page and "해지일 7일 전까지" in page


def test_admin_document_list_and_policy_without_document(admin_client, policies) -> None:  # type: ignore[no-untyped-def]
    """TRM-1: the documents list renders; a version without a document says so and flags its citations."""
    listing = admin_client.get(reverse("admin:contracts_termsdocument_changelist"))
    assert listing.status_code == 200 and "디클라우드 서버 이용약관 (데모)" in listing.content.decode()
    draft = policy_clone(policy=policies["kgmsg"])
    TermsDocument.objects.filter(policy=draft).delete()
    page = admin_client.get(reverse("admin:contracts_policy_terms", args=[draft.pk])).content.decode()
    assert "조항 구조가 없습니다" in page and "citation-unresolved" in page


def test_admin_policy_page_links_each_field_to_its_article(admin_client, policies) -> None:  # type: ignore[no-untyped-def]
    """TRM-1: the policy page's sections link each field's cited clause."""
    page = admin_client.get(reverse("admin:contracts_policy_change", args=[policies["dcloud"].pk]))
    html = page.content.decode()
    terms_url = reverse("admin:contracts_policy_terms", args=[policies["dcloud"].pk])
    assert f'연체 월율(%): <a href="{terms_url}#art-34-1">제34조 제1항</a>' in html
