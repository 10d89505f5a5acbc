"""The customer's dispute page links the article its window and answer date come from (TRM-1, BIL-10)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from billing.models import Dispute
from billing.selectors import dispute_answer_citations, dispute_rule_citations
from contracts.presets import load_presets
from core import clock
from tests.billing.bdocs_support import make_invoice
from tests.factories import AdminMemberFactory

pytestmark = pytest.mark.django_db


def _dispute(member, policy) -> Dispute:  # type: ignore[no-untyped-def]
    invoice = make_invoice(member.customer, issue_date=dt.date(2026, 11, 10), policy_obj=policy)
    return Dispute.objects.create(
        invoice=invoice,
        customer=member.customer,
        amount_won=10_000,
        reason="사용하지 않은 요금",
        filed_on=dt.date(2026, 11, 12),
        answer_due_on=dt.date(2026, 11, 19),
    )


def test_dispute_page_links_the_cited_article_in_plain_korean(client) -> None:  # type: ignore[no-untyped-def]
    """TRM-1: the dispute page names the article (dcloud 002 art.35①: 15 days to dispute, 7 days to
    answer) as a link to that paragraph of the invoice's terms version, in plain Korean, with no rule id."""
    dcloud = {p.code: p for p in load_presets(codes=["dcloud"])}["dcloud"]
    member = AdminMemberFactory()
    dispute = _dispute(member, dcloud)
    client.force_login(member.user)
    with clock.frozen(dt.date(2026, 11, 20)):
        page = client.get(reverse("portal:disputes")).content.decode()
    link = f'href="{reverse("portal:contract_terms_document", args=[dcloud.pk])}#art-35-1"'
    assert page.count(link) == 2  # the window (page head) and the dispute's answer date (its row)
    assert "약관 제35조 제1항 보기" in page
    assert "BIL-10" not in page and "002 art" not in page
    assert [c.anchor for c in dispute_answer_citations(dispute)] == ["art-35-1"]


def test_dispute_citations_follow_the_invoice_terms_version(client) -> None:  # type: ignore[no-untyped-def]
    """TRM-1: an officecore invoice cites officecore's articles (000 art.17①: 6 months, no limit when the
    operator erred; art.17②: answer in 2 weeks), each once."""
    officecore = load_presets(codes=["officecore"])[0]
    member = AdminMemberFactory()
    dispute = _dispute(member, officecore)
    assert [c.anchor for c in dispute_rule_citations(member.customer)] == ["art-17-1", "art-17-2"]
    assert [c.anchor for c in dispute_answer_citations(dispute)] == ["art-17-2"]
    assert {c.policy_id for c in dispute_rule_citations(member.customer)} == {officecore.pk}
