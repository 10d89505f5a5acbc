"""MSG-1: notify() — templated notices per recipient and channel, email after commit, dedupe."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.db import transaction

from core.errors import DomainError
from messaging.models import Channel, Notice, NoticeTemplate
from messaging.services import notice_deliver, notice_retry, notify
from tests.factories import AdminMemberFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved_templates() -> None:
    # The built-in contract.approved templates (messaging 0003) make way for these test ones.
    NoticeTemplate.objects.filter(event="contract.approved").delete()
    NoticeTemplate.objects.create(
        event="contract.approved", channel=Channel.EMAIL, language="ko",
        subject="[텀즈옵스] {{ customer.legal_name }} 계약 승인",
        body="{{ customer.legal_name }} 고객님, 계약 {{ contract_no }}이(가) 승인되었습니다. "
             "월 요금 {{ amount|intcomma }}원, 시작일 {{ start|date:'Y-m-d' }}",
    )
    NoticeTemplate.objects.create(
        event="contract.approved", channel=Channel.PORTAL, language="ko",
        subject="계약 승인", body="계약 {{ contract_no }} 승인, {{ amount|intcomma }}원",
    )
    NoticeTemplate.objects.create(
        event="contract.approved", channel=Channel.EMAIL, language="en",
        subject="[TermsOps] Contract approved for {{ customer.legal_name }}",
        body="Contract {{ contract_no }} is approved. Monthly fee KRW {{ amount|intcomma }}.",
    )


def test_one_notice_per_recipient_and_channel(customer, admin_member, approved_templates):
    """MSG-1: email to the billing email and each active admin (deduplicated), portal per admin."""
    second_admin = AdminMemberFactory(customer=customer, email="billing@hanbit.example")  # same as billing
    MemberFactory(customer=customer, role="member", email="plain@hanbit.example")  # not an admin
    AdminMemberFactory(customer=customer, status="removed", email="gone@hanbit.example")  # inactive

    notices = notify(customer=customer, event="contract.approved",
                     context={"contract_no": "C-1", "amount": 1_500_000, "start": dt.date(2026, 12, 1)})

    emails = sorted(n.recipient for n in notices if n.channel == Channel.EMAIL)
    portal = sorted(n.member_id for n in notices if n.channel == Channel.PORTAL)
    assert emails == ["admin@hanbit.example", "billing@hanbit.example"]
    assert portal == sorted([admin_member.pk, second_admin.pk])
    assert Notice.objects.count() == 4
    stored = Notice.objects.get(channel=Channel.EMAIL, recipient="admin@hanbit.example")
    assert stored.status == Notice.Status.QUEUED
    assert stored.member == admin_member
    assert stored.context == {"contract_no": "C-1", "amount": 1_500_000, "start": "2026-12-01"}
    assert stored.event == "contract.approved"
    assert Notice.objects.get(member=admin_member, channel=Channel.PORTAL).status == Notice.Status.SENT


def test_default_channels_come_from_the_templates(customer, admin_member):
    """MSG-1: an event with only an email template notifies by email only."""
    NoticeTemplate.objects.create(event="invoice.issued", channel=Channel.EMAIL, language="ko",
                                  subject="청구서", body="청구서가 발행되었습니다.")
    notices = notify(customer=customer, event="invoice.issued", context={})
    assert {n.channel for n in notices} == {Channel.EMAIL}


def test_email_goes_through_the_mail_backend_after_commit(
    customer, admin_member, approved_templates, mailoutbox, django_capture_on_commit_callbacks,
):
    """MSG-1: email is sent only after commit, then the notice is marked sent."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(customer=customer, event="contract.approved", channels=["email"],
               context={"contract_no": "C-7", "amount": 1234567, "start": dt.date(2026, 12, 1)})
        assert mailoutbox == []
    assert len(callbacks) == 1
    callbacks[0]()

    assert sorted(m.to[0] for m in mailoutbox) == ["admin@hanbit.example", "billing@hanbit.example"]
    message = mailoutbox[0]
    assert message.subject == "[텀즈옵스] 주식회사 한빛 계약 승인"
    assert "월 요금 1,234,567원" in message.body
    assert "시작일 2026-12-01" in message.body
    assert set(Notice.objects.values_list("status", flat=True)) == {Notice.Status.SENT}
    assert all(n.sent_at is not None for n in Notice.objects.all())


def test_nothing_is_emailed_when_the_transaction_rolls_back(
    customer, admin_member, mailoutbox, django_capture_on_commit_callbacks,
):
    """MSG-1: a rolled-back notify leaves no notice and sends no email."""
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(customer=customer, event="generic", context={"title": "t", "message": "m"})
        raise RuntimeError("boom")
    assert callbacks == []
    assert mailoutbox == []
    assert Notice.objects.count() == 0


def test_a_failing_mail_backend_marks_the_notice_failed(
    customer, settings, django_capture_on_commit_callbacks,
):
    """MSG-1: each send is a record with status; a backend error is kept on the notice."""
    settings.EMAIL_BACKEND = "tests.messaging.failing_backend.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        [notice] = notify(customer=customer, event="generic", channels=["email"],
                          context={"title": "t", "message": "m"})
    notice.refresh_from_db()
    assert notice.status == Notice.Status.FAILED
    assert "SMTP down" in notice.error
    assert notice.attempts == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        notice_retry(notice=notice)
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SENT
    assert notice.error == ""
    assert notice_deliver(notice_id=notice.pk) is None  # already sent: nothing happens


def test_dedupe_key_makes_the_second_call_create_nothing(
    customer, admin_member, mailoutbox, django_capture_on_commit_callbacks,
):
    """MSG-1: a job that runs twice never notifies twice."""
    ctx = {"title": "연체 안내", "message": "2단계"}
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(customer=customer, event="generic", context=ctx, dedupe_key="dunning:INV-1:step-2")
    AdminMemberFactory(customer=customer)  # a new admin between the runs changes nothing
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = notify(customer=customer, event="generic", context=ctx, dedupe_key="dunning:INV-1:step-2")

    assert callbacks == []
    assert [n.pk for n in second] == sorted(n.pk for n in first)
    assert Notice.objects.count() == len(first) == 3  # 2 emails + 1 portal
    assert len(mailoutbox) == 2
    other = notify(customer=customer, event="generic", context=ctx, dedupe_key="dunning:INV-1:step-3")
    assert len(other) == 5


def test_english_template_for_english_customer_with_korean_fallback(
    customer, admin_member, approved_templates,
):
    """MSG-1: English where the customer chose it; Korean when no English template exists."""
    customer.preferred_language = "en"
    customer.save()
    notices = notify(customer=customer, event="contract.approved",
                     context={"contract_no": "C-2", "amount": 990000, "start": dt.date(2026, 12, 1)})
    email = next(n for n in notices if n.channel == Channel.EMAIL)
    portal = next(n for n in notices if n.channel == Channel.PORTAL)
    assert email.language == "en"
    assert email.subject == "[TermsOps] Contract approved for 주식회사 한빛"
    assert email.body == "Contract C-2 is approved. Monthly fee KRW 990,000."
    assert portal.language == "ko"  # no English portal template: Korean fallback
    assert portal.body == "계약 C-2 승인, 990,000원"


def test_explicit_language_overrides_the_customer_preference(customer, admin_member):
    """MSG-1: the built-in generic templates exist in both languages."""
    [notice] = notify(customer=customer, event="generic", channels=["portal"], language="en",
                      context={"title": "Maintenance", "message": "Tonight"})
    assert notice.subject == "[TermsOps] Maintenance"
    assert notice.body.startswith("Dear 주식회사 한빛,")


def test_amounts_render_with_thousands_separators(customer, admin_member):
    """MSG-1: template variables — amounts in won with separators, the customer's name."""
    NoticeTemplate.objects.create(
        event="invoice.overdue", channel=Channel.PORTAL, language="ko",
        subject="{{ customer.legal_name }} 미납 {{ amount|intcomma }}원",
        body="미납 금액 {{ amount|intcomma }}원, 연체료 {{ late_fee_won|intcomma }}원",
    )
    [notice] = notify(customer=customer, event="invoice.overdue",
                      context={"amount": 12345678, "late_fee_won": 1000})
    assert notice.subject == "주식회사 한빛 미납 12,345,678원"
    assert notice.body == "미납 금액 12,345,678원, 연체료 1,000원"


def test_missing_template_uses_the_generic_fallback_and_warns(customer, admin_member, caplog):
    """MSG-1: an event without a template still notifies (never crashes), with a warning."""
    NoticeTemplate.objects.filter(event="generic").delete()
    with caplog.at_level(logging.WARNING, logger="messaging.services"):
        notices = notify(customer=customer, event="sla.credit_issued",
                         context={"title": "크레딧 지급", "message": "3,000원이 적립되었습니다."})
    assert {n.channel for n in notices} == {Channel.PORTAL, Channel.EMAIL}
    assert all(n.subject == "[텀즈옵스] 크레딧 지급" for n in notices)
    assert all("3,000원이 적립되었습니다." in n.body for n in notices)
    assert all(n.template is None for n in notices)
    assert "sla.credit_issued" in caplog.text


def test_given_members_receive_exactly(customer, admin_member, plain_member):
    """MSG-1: with members given, portal and email go to those members only."""
    notices = notify(customer=customer, event="generic", members=[plain_member],
                     context={"title": "t", "message": "m"})
    assert sorted((n.channel, n.recipient) for n in notices) == [
        ("email", "user@hanbit.example"), ("portal", "hanbit-user"),
    ]


def test_refuses_unknown_channels_and_other_customers_members(customer, other_admin):
    """MSG-1: mistakes are refused with the rule named."""
    with pytest.raises(DomainError) as unknown:
        notify(customer=customer, event="generic", channels=["fax"], context={})
    assert unknown.value.rule == "MSG-1"
    with pytest.raises(DomainError):
        notify(customer=customer, event="generic", members=[other_admin], context={})
    assert Notice.objects.count() == 0


def test_actor_is_recorded(customer, admin_member):
    """MSG-1: a job's notice names the job."""
    notices = notify(customer=customer, event="generic", context={"title": "t"}, actor="dunning")
    assert {n.actor for n in notices} == {"job:dunning"}
