"""Issue 15, English mode (SPEC §11 Korean first, English second): a status reads as a state and an action
as a verb though Korean uses one word ("승낙": "Approved" / "Approve"), one invoice is "Invoice" and the
menu "Invoices", a submit button is not a status, and a notice reads in the reader's language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import CustomerChangeRequest
from contracts.models import ContractStatus
from contracts.services.actions import STAFF_ACTIONS
from core import clock
from messaging.defaults import ensure_default_templates
from messaging.models import Notice
from messaging.services import notify
from tests.billing.bdocs_support import make_invoice
from tests.contracts.factories import PolicyFactory
from tests.factories import AdminMemberFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def _english(client):  # type: ignore[no-untyped-def]
    client.cookies["django_language"] = "en"
    return client


def test_statuses_read_as_states_and_actions_as_verbs():
    """CON-1, CON-2, ACC-9: "승낙" is "Approved" as a contract status and "Approve" as the staff action;
    "보류"/"거절" likewise; a change request that waits reads "Requested", not "Applied"."""
    with translation.override("en"):
        assert [str(ContractStatus(s).label) for s in ("applied", "held", "approved", "rejected")] == [
            "Applied", "On hold", "Approved", "Rejected"]
        actions = {spec.code: str(spec.label) for spec in STAFF_ACTIONS}
        assert (actions["approve"], actions["hold"], actions["reject"]) == ("Approve", "Hold", "Reject")
        assert str(CustomerChangeRequest.Status.REQUESTED.label) == "Requested"
        assert f"{ContractStatus.APPLIED.label} → {ContractStatus.APPROVED.label}" == "Applied → Approved"
    with translation.override("ko"):
        assert str(ContractStatus.APPROVED.label) == "승낙" and str(ContractStatus.HELD.label) == "보류"


@pytest.mark.urls("tests.billing.urls_for_tests")
def test_dispute_form_in_english_says_invoice_and_submit(client):
    """BIL-10: in English the dispute form's field is "Invoice" (one invoice, not "Invoices"), its button
    "Submit" (not the status "Applied"), and the menu still says "Invoices"."""
    member = AdminMemberFactory()
    with clock.frozen(dt.date(2026, 11, 20)):
        policy = PolicyFactory(dispute_window_days=15)
        make_invoice(member.customer, issue_date=dt.date(2026, 11, 10), policy_obj=policy)
        client.force_login(member.user)
        page = _english(client).get(reverse("portal:disputes")).content.decode()
    label = re.search(r'<label for="id_invoice">(.*?)</label>', page, re.S)
    assert label and label.group(1).startswith("Invoice ") and "Invoices" not in label.group(1)
    form = page[page.index('id="dispute-form"'):]
    # step 1 of the two-step form: choose the invoice, then its lines; its button is an action in English
    button = re.search(r'<button type="submit"[^>]*>([^<]*)</button>', form)
    assert button and button.group(1).strip() and not re.search(r"[가-힣]", button.group(1))
    assert ">Applied<" not in form
    assert re.search(r'<a href="[^"]*"[^>]*>Invoices</a>', page)


@pytest.fixture
def korean_customer_notice(db):  # type: ignore[no-untyped-def]
    ensure_default_templates()
    member = AdminMemberFactory(customer=CustomerFactory(legal_name="주식회사 한빛", preferred_language="ko"))
    context = {
        "invoice_number": "INV-2026-000123", "due_date": "2026-03-10", "amount_won": 330000,
        "days_overdue": 6, "step": "notify", "next_action": "", "next_on": "",
    }
    notice = notify(
        customer=member.customer, event="dunning.step", channels=["portal"], members=[member], context=context
    )[0]
    return member, notice


def test_notice_reads_in_the_readers_language(client, korean_customer_notice):
    """MSG-1: a notice sent in Korean (the customer's language) reads in English, subject and body, for a
    member who reads the portal in English, from the English template with the notice's variables."""
    member, notice = korean_customer_notice
    assert notice.language == "ko" and "330,000원" in notice.subject
    client.force_login(member.user)
    inbox = _english(client).get(reverse("portal:inbox")).content.decode()
    assert "[TermsOps] Payment overdue: invoice INV-2026-000123 (KRW 330,000)" in inbox
    assert "미납 요금 안내" not in inbox
    detail = client.get(reverse("portal:inbox_detail", args=[notice.pk])).content.decode()
    assert "KRW 330,000" in detail and "330,000원" not in detail
    client.cookies["django_language"] = "ko"
    inbox = client.get(reverse("portal:inbox")).content.decode()
    assert "미납 요금 안내: 청구서 INV-2026-000123 (330,000원)" in inbox
    assert Notice.objects.get(pk=notice.pk).subject == notice.subject  # the record stays as sent


def test_notice_without_an_english_template_reads_as_sent(client, korean_customer_notice):
    """MSG-1: with no active English template for the event, the notice reads as it was sent."""
    from messaging.models import NoticeTemplate

    member, notice = korean_customer_notice
    NoticeTemplate.objects.filter(event="dunning.step", language="en").update(is_active=False)
    client.force_login(member.user)
    inbox = _english(client).get(reverse("portal:inbox")).content.decode()
    assert notice.subject in inbox
