# ruff: noqa: F811  (pytest fixtures imported from test_paid_support)
"""Back office: the per-customer monthly usage page (MSG-6, BIL-6) and the opt-out list (MSG-7)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.services.charges import monthly_lines
from billing.services.dates import calendar_month
from contracts.effective import effective_policy
from contracts.presets import load_presets
from core import clock
from messaging.limits import MessagingLimits
from messaging.models import Message, MessageKind, Recipient
from messaging.providers.fake import FAILED, Outcome
from messaging.services import sending, spam, templates_kakao
from tests.billing.conftest import D, make_contract
from tests.factories import CustomerFactory

from .test_paid_support import (  # noqa: F401
    NOW,
    SENDER,
    approve_sender,
    fake,
    kgmsg_limits,
    mobile,
    paid_customer,
    run_provider,
)

pytestmark = pytest.mark.django_db
USAGE_URL = reverse("admin:messaging_message_usage")
LONG_TEXT = "[한빛] 11월 정기 점검 안내입니다. " * 4  # over 90 CP949 bytes: LMS


def _kgmsg_customer():  # type: ignore[no-untyped-def]
    load_presets(codes=["kgmsg"])
    contract = make_contract("kgmsg-standard", start=D(2026, 1, 1))
    limits = MessagingLimits.from_policy(effective_policy(contract), contract.plan.usage_unit_prices)
    approve_sender(contract.customer)
    return contract, limits


def _known_month(fake) -> tuple:  # type: ignore[no-untyped-def]
    """Customer A (kgmsg plan: SMS 9, LMS 27, AlimTalk 7 won): in November 4 SMS delivered and 1 failed,
    1 LMS delivered, 1 AlimTalk failed whose fallback SMS was delivered; one SMS on 31 October (another
    month). Customer B (no plan): 2 SMS delivered."""
    contract, limits = _kgmsg_customer()
    a = contract.customer
    fake.script(mobile(4), Outcome(FAILED, "결번"))
    sending.bulk_send(
        customer=a, limits=limits, kind="text", recipients=[mobile(n) for n in range(5)],
        sender=SENDER, text="[한빛] 점검 안내", now=NOW,
    )
    sending.message_send(
        customer=a, limits=limits, kind="text", recipient=mobile(10), sender=SENDER, text=LONG_TEXT, now=NOW
    )
    template = templates_kakao.template_register(
        customer=a, sender_profile="@hanbit", code="pay-1", name="결제", limits=limits,
        body="#{name}님, 결제가 완료되었습니다.",
    )
    template = templates_kakao.template_submit(template=template, now=NOW)
    template = templates_kakao.template_review(template=template, approved=True, now=NOW)
    fake.script(mobile(20), Outcome(FAILED, "카카오톡 미사용자"))
    sending.message_send(
        customer=a, limits=limits, kind="alimtalk", recipient=mobile(20), template=template,
        variables={"name": "홍길동"}, fallback_sender=SENDER, now=NOW,
    )
    run_provider()
    fake.script(mobile(20), Outcome())  # the fallback SMS to the same phone is delivered
    run_provider()
    october = dt.datetime(2026, 10, 31, 14, 0, tzinfo=clock.SEOUL)
    sending.message_send(
        customer=a, limits=limits, kind="text", recipient=mobile(30), sender=SENDER, text="[한빛] 10월",
        now=october,
    )
    run_provider(october)

    b = CustomerFactory(legal_name="주식회사 가나상사")
    approve_sender(b)
    sending.bulk_send(
        customer=b, limits=kgmsg_limits(), kind="text", recipients=[mobile(40), mobile(41)],
        sender=SENDER, text="[가나] 안내", now=NOW,
    )
    run_provider()
    return contract, a, b


def test_usage_page_counts_a_known_month_and_bills_only_delivered_messages(admin_client, fake):
    """MSG-6, BIL-6, MSG-3: per customer and month, messages sent / delivered / failed by type; the billable
    amount is the delivered messages at the plan's unit prices (the failed AlimTalk is not billed, its
    fallback SMS is, at the SMS price) — the same amount the month's invoice bills; CSV gives the same."""
    contract, a, b = _known_month(fake)
    response = admin_client.get(USAGE_URL, {"month": "2026-11"})
    assert response.status_code == 200
    rows = {row["customer_id"]: row for row in response.context["rows"]}
    assert set(rows) == {a.pk, b.pk}
    counts = rows[a.pk]["counts"]
    assert counts["sms"] == {"sent": 5, "delivered": 4, "failed": 1}
    assert counts["lms"] == {"sent": 1, "delivered": 1, "failed": 0}
    assert counts["alimtalk"] == {"sent": 1, "delivered": 0, "failed": 1}
    assert counts["friendtalk"] == {"sent": 0, "delivered": 0, "failed": 0}
    assert counts["fallback"] == {"sent": 1, "delivered": 1, "failed": 0}
    assert rows[a.pk]["totals"] == {"sent": 8, "delivered": 6, "failed": 2}
    assert rows[a.pk]["billable_won"] == 4 * 9 + 1 * 27 + 1 * 9  # 72
    assert rows[b.pk]["counts"]["sms"] == {"sent": 2, "delivered": 2, "failed": 0}
    assert rows[b.pk]["billable_won"] == 0  # no kgmsg plan, no prices
    page = response.content.decode()
    assert "72" in page and a.legal_name in page and b.legal_name in page

    # the invoice run bills the same amount for the month (BIL-6)
    lines = monthly_lines(contract, calendar_month(D(2026, 11, 1)), effective_policy(contract))
    assert sum(line.amount_won for line in lines if line.kind == "usage") == 72

    # October holds only the 31 October SMS
    october = admin_client.get(USAGE_URL, {"month": "2026-10"}).context["rows"]
    assert [(r["customer_id"], r["totals"], r["billable_won"]) for r in october] == [
        (a.pk, {"sent": 1, "delivered": 1, "failed": 0}, 9)
    ]

    export = admin_client.get(USAGE_URL, {"month": "2026-11", "format": "csv"})
    assert export["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    header, body = table[0], {row[1]: row for row in table[1:]}
    assert len(body) == 2
    line = dict(zip(header, body[str(a.pk)], strict=True))
    assert line["SMS 발송"] == "5" and line["SMS 성공"] == "4" and line["SMS 실패"] == "1"
    assert line["대체발송 성공"] == "1" and line["청구 금액(원)"] == "72"


def _customers_with_messages(n: int, first: int) -> None:
    for i in range(n):
        customer = CustomerFactory(legal_name=f"주식회사 사용량{first + i:02d}")
        approve_sender(customer)
        for kind, text in (("sms", "[안내] 짧은 문자"), ("lms", LONG_TEXT)):
            Message.objects.create(
                customer=customer, kind=kind, sender="0212345678", recipient=mobile(first + i), text=text,
                status=Message.Status.DELIVERED, sent_at=NOW,
            )


def _queries(client) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(USAGE_URL, {"month": "2026-11"})
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context["rows"])


def test_usage_page_costs_the_same_queries_for_2_and_10_customers(admin_client):
    """MSG-6, BIL-6: the usage page reads every customer's counts and prices in a fixed number of queries."""
    _customers_with_messages(2, 0)
    with_two, rows = _queries(admin_client)
    assert rows == 2
    _customers_with_messages(8, 2)
    with_ten, rows = _queries(admin_client)
    assert rows == 10
    assert with_ten == with_two


def test_message_list_links_the_usage_page_and_filters_by_status_and_kind(admin_client, paid_customer, fake):
    """MSG-6: the message list links the usage page, filters by status and kind, searches by number."""
    approve_sender(paid_customer)
    sending.message_send(
        customer=paid_customer, limits=kgmsg_limits(), kind="text", recipient=mobile(1), sender=SENDER,
        text="[한빛] 안내", now=NOW,
    )
    url = reverse("admin:messaging_message_changelist")
    page = admin_client.get(url)
    assert USAGE_URL in page.content.decode()
    query = {"status__exact": "queued", "kind__exact": MessageKind.SMS, "q": mobile(1)}
    filtered = admin_client.get(url, query)
    assert filtered.status_code == 200
    assert [m.pk for m in filtered.context["cl"].result_list] == [Message.objects.get().pk]
    none = admin_client.get(url, {"status__exact": "delivered"})
    assert list(none.context["cl"].result_list) == []


def test_staff_add_and_remove_opt_outs_through_the_service(admin_client, admin_user, paid_customer, fake):
    """MSG-7: staff record an opt-out (through spam.opt_out) and remove it (spam.recipient_update); the list
    shows opted-out numbers only, searchable by number with or without dashes, filtered by customer;
    rows are never edited or deleted directly; a send to an opted-out number is refused."""
    other = CustomerFactory(legal_name="주식회사 다른상사")
    spam.recipient_update(customer=paid_customer, number="010-7777-0000", now=NOW, ad_consent=True)
    add_url = reverse("admin:messaging_recipient_add")
    assert admin_client.get(add_url).status_code == 200
    response = admin_client.post(add_url, {"customer": paid_customer.pk, "number": "010-7777-1234"})
    assert response.status_code == 302
    row = Recipient.objects.get(customer=paid_customer, number="01077771234")
    assert row.opted_out_at is not None
    bad = admin_client.post(add_url, {"customer": paid_customer.pk, "number": "12"})
    assert bad.status_code == 200 and not Recipient.objects.filter(number="12").exists()
    assert bad.context["form"].errors
    spam.opt_out(customer=other, number="010-7777-9999", now=NOW)

    url = reverse("admin:messaging_recipient_changelist")
    listed = admin_client.get(url)
    assert {r.number for r in listed.context["cl"].result_list} == {"01077771234", "01077779999"}
    found = admin_client.get(url, {"q": "010-7777-1234"})
    assert [r.pk for r in found.context["cl"].result_list] == [row.pk]
    mine = admin_client.get(url, {"customer__id__exact": other.pk})
    assert [r.number for r in mine.context["cl"].result_list] == ["01077779999"]
    everyone = admin_client.get(url, {"opted_out": "all"})
    assert len(everyone.context["cl"].result_list) == 3
    assert admin_client.get(reverse("admin:messaging_recipient_delete", args=[row.pk])).status_code == 403

    approve_sender(paid_customer)
    batch = sending.bulk_send(
        customer=paid_customer, limits=kgmsg_limits(), kind="text", recipients=["010-7777-1234"],
        sender=SENDER, text="[한빛] 안내", now=NOW,
    )
    assert batch.refused == 1 and batch.refusals[0]["rule"] == "MSG-7"

    admin_client.post(url, {"action": "remove_opt_out", ACTION_CHECKBOX_NAME: [row.pk]})
    row.refresh_from_db()
    assert row.opted_out_at is None
    assert [r.number for r in admin_client.get(url).context["cl"].result_list] == ["01077779999"]
    batch = sending.bulk_send(
        customer=paid_customer, limits=kgmsg_limits(), kind="text", recipients=["010-7777-1234"],
        sender=SENDER, text="[한빛] 안내 2", now=NOW,
    )
    assert (batch.accepted, batch.refused) == (1, 0)


def test_staff_groups_reach_the_usage_page_and_opt_outs_by_their_permissions(client, paid_customer):
    """MSG-7, ACC-11: the messaging team sees the usage page and adds and removes opt-outs; support reads
    both but changes nothing; billing staff (no messaging permission) do not reach the usage page."""
    from accounts.staff import ensure_staff_groups
    from tests.factories import StaffUserFactory

    ensure_staff_groups()
    row = spam.opt_out(customer=paid_customer, number="010-7777-1234", now=NOW)
    url = reverse("admin:messaging_recipient_changelist")
    add_url = reverse("admin:messaging_recipient_add")

    client.force_login(StaffUserFactory(groups=["billing"]))
    assert client.get(USAGE_URL).status_code == 403

    client.force_login(StaffUserFactory(groups=["support"]))
    assert client.get(USAGE_URL).status_code == 200
    assert client.get(url).status_code == 200
    assert client.post(add_url, {"customer": paid_customer.pk, "number": "010-7777-5555"}).status_code in (
        302, 403,
    )
    assert not Recipient.objects.filter(number="01077775555").exists()
    client.post(url, {"action": "remove_opt_out", ACTION_CHECKBOX_NAME: [row.pk]})
    row.refresh_from_db()
    assert row.opted_out_at is not None

    client.force_login(StaffUserFactory(groups=["messaging"]))
    assert client.get(USAGE_URL).status_code == 200
    assert client.post(add_url, {"customer": paid_customer.pk, "number": "010-7777-5555"}).status_code == 302
    assert Recipient.objects.get(number="01077775555").opted_out_at is not None
    client.post(url, {"action": "remove_opt_out", ACTION_CHECKBOX_NAME: [row.pk]})
    row.refresh_from_db()
    assert row.opted_out_at is None
