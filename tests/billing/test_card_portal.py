"""The portal's card pages with PortOne (issue 18; BIL-7, ACC-4): registering a card with the billing key
PortOne's browser SDK issued, the SDK loaded only with PortOne (and allowed by the page's CSP), "삭제"
deleting the billing key at PortOne; PortOne's answers are recordings served at the HTTP boundary."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
import respx
from django.urls import reverse

from billing.models import PaymentMethod, Refund
from billing.services import payments, refunds
from core import clock
from core.errors import DomainError
from core.models import ProviderCall
from tests.billing.payment_factories import PaymentMethodFactory, fake_gateway  # noqa: F401 - fixture
from tests.billing.portone_support import API_SECRET, CHANNEL_KEY, STORE_ID, route, url, use_portone
from tests.factories import AdminMemberFactory, MemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.billing.urls_for_tests")]

BILLING_KEY = "billing-key-0193f1a2-aaaa-bbbb-cccc-0123456789ab"
SDK = "vendor/portone/v2.js"
PAGE_SCRIPT = "billing/portone-card.js"


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(dt.date(2026, 11, 20)):
        yield


@pytest.fixture
def admin():
    return AdminMemberFactory()


@pytest.fixture
def router():
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mocked:
        yield mocked


def csp(response) -> str:  # type: ignore[no-untyped-def]
    return response.headers.get("Content-Security-Policy", "")


def test_with_the_fake_gateway_the_page_is_as_before(client, admin, settings, fake_gateway):  # noqa: F811
    """BIL-7: without PortOne there is no PortOne script, no card-registration form and the strict CSP."""
    settings.PAYMENT_GATEWAY = "fake"
    client.force_login(admin.user)
    response = client.get(reverse("portal:payment_methods"))
    body = response.content.decode()
    assert response.status_code == 200
    assert SDK not in body and PAGE_SCRIPT not in body and 'id="portone-card"' not in body
    assert "cdn.portone.io" not in csp(response)
    assert 'value="card"' in body  # a card is still typed in by label as today


def test_with_portone_the_page_loads_the_sdk_and_its_csp_allows_it(client, admin, settings):
    """BIL-7, issue 18: with PortOne the page loads the vendored SDK loader and our module script (no
    inline script), hands the browser the store id and channel key but never the API secret, and its
    CSP allows PortOne's CDN script and frames; the typed-in card choice is gone."""
    use_portone(settings)
    client.force_login(admin.user)
    response = client.get(reverse("portal:payment_methods"))
    body = response.content.decode()
    assert f"/static/{SDK}" in body and f'<script type="module" src="/static/{PAGE_SCRIPT}">' in body
    assert STORE_ID in body and CHANNEL_KEY in body and API_SECRET not in body
    policy = csp(response)
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'self'" in script_src and "https://cdn.portone.io" in script_src
    assert "frame-src" in policy and "https://*.portone.io" in policy
    assert 'value="card"' not in body
    assert "cdn.portone.io" not in csp(client.get(reverse("portal:invoices")))  # other pages stay strict


def test_members_who_are_not_admins_get_no_card_form(client, settings):
    """ACC-4: only the customer's admins register cards."""
    use_portone(settings)
    member = MemberFactory()
    client.force_login(member.user)
    body = client.get(reverse("portal:payment_methods")).content.decode()
    assert PAGE_SCRIPT not in body
    denied = client.post(reverse("portal:payment_method_card_register"), {"billing_key": BILLING_KEY})
    assert denied.status_code == 403 and not PaymentMethod.objects.exists()


def test_posting_the_billing_key_portone_issued_stores_the_card(client, admin, settings, router):
    """BIL-7, issue 18: the billing key from the browser is checked at PortOne and stored; the card's label
    is PortOne's (masked number) when the customer gives none; the first method is the default."""
    use_portone(settings)
    route(router, "get_billing_key.issued", billingKey=BILLING_KEY)
    client.force_login(admin.user)
    response = client.post(reverse("portal:payment_method_card_register"), {"billing_key": BILLING_KEY})
    assert response.status_code == 302
    method = PaymentMethod.objects.get()
    assert method.kind == PaymentMethod.Kind.CARD and method.gateway_token == BILLING_KEY
    assert method.label == "신한 법인카드 451842******1234" and method.is_default
    assert ProviderCall.objects.filter(operation="get_billing_key", outcome="ok").exists()


def test_a_billing_key_portone_did_not_issue_is_refused(client, admin, settings, router):
    """BIL-7, issue 18: a key PortOne does not know is refused with a message; nothing is stored."""
    use_portone(settings)
    route(router, "get_billing_key.not_found", billingKey="bk-forged")
    client.force_login(admin.user)
    response = client.post(
        reverse("portal:payment_method_card_register"),
        {"billing_key": "bk-forged", "label": "내 카드"},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert shown == ["결제대행사가 발급한 카드 빌링키가 아닙니다."]
    assert not PaymentMethod.objects.exists()


def test_card_registration_is_refused_without_portone(client, admin, settings, fake_gateway):  # noqa: F811
    """BIL-7: with the fake gateway the PortOne endpoint stores nothing."""
    settings.PAYMENT_GATEWAY = "fake"
    client.force_login(admin.user)
    client.post(reverse("portal:payment_method_card_register"), {"billing_key": BILLING_KEY})
    assert not PaymentMethod.objects.exists()


def test_portal_remove_deletes_the_billing_key_at_portone(client, admin, settings, router):
    """BIL-7, issue 18: "삭제" in the portal deletes the card's billing key at PortOne, then the card is
    no longer listed."""
    use_portone(settings)
    method = PaymentMethodFactory(customer=admin.customer, gateway_token=BILLING_KEY, label="카드 ****1234")
    deleted = route(router, "delete_billing_key.deleted", billingKey=BILLING_KEY)
    client.force_login(admin.user)
    response = client.post(reverse("portal:payment_method_remove", args=[method.pk]), follow=True)
    assert deleted.call_count == 1
    assert "카드 ****1234" not in response.content.decode().split("<table")[1].split("</table>")[0]
    method.refresh_from_db()
    assert not method.active
    assert ProviderCall.objects.filter(operation="delete_billing_key", outcome="ok").exists()


def test_portal_remove_is_for_admins_of_the_customer(client, settings, fake_gateway):  # noqa: F811
    """ACC-4: a member who is not an admin cannot remove a method; another customer's is a 404."""
    method = PaymentMethodFactory()
    member = MemberFactory(customer=method.customer)
    client.force_login(member.user)
    assert client.post(reverse("portal:payment_method_remove", args=[method.pk])).status_code == 403
    stranger = AdminMemberFactory()
    client.force_login(stranger.user)
    assert client.post(reverse("portal:payment_method_remove", args=[method.pk])).status_code == 404
    method.refresh_from_db()
    assert method.active and fake_gateway.deleted_billing_keys == []


@pytest.mark.parametrize(
    ("recording", "code"),
    [
        ("delete_billing_key.pg_refused", "billing_key_delete_refused"),
        ("delete_billing_key.server_error", "gateway_unavailable"),
        (None, "gateway_unavailable"),  # timeout
    ],
)
def test_a_portone_failure_keeps_the_card(settings, router, recording, code):
    """BIL-7, issue 18: PortOne refusing the deletion, answering 5xx or timing out leaves the method in
    place, with the field named; the API secret appears in no message and no ProviderCall row."""
    use_portone(settings)
    method = PaymentMethodFactory(gateway_token=BILLING_KEY)
    if recording:
        route(router, recording, billingKey=BILLING_KEY)
    else:
        router.delete(url(f"/billing-keys/{BILLING_KEY}")).mock(side_effect=httpx.ReadTimeout("timed out"))
    with pytest.raises(DomainError) as err:
        payments.payment_method_remove(method=method)
    assert err.value.code == code and err.value.field == "method"
    method.refresh_from_db()
    assert method.active and method.gateway_token == BILLING_KEY
    assert API_SECRET not in str(err.value)
    assert not any(API_SECRET in (c.detail or "") for c in ProviderCall.objects.all())


def test_admin_actions_are_offered(admin_client, fake_gateway):  # noqa: F811
    """BIL-11, BIL-7: staff find "카드로 환불" on refunds and the removal on payment methods."""
    method = PaymentMethodFactory()
    Refund.objects.create(
        customer=method.customer, amount_won=1_000, reason="과납", requested_on=dt.date(2026, 11, 1)
    )
    refunds_page = admin_client.get(reverse("admin:billing_refund_changelist")).content.decode()
    assert "pay_to_card" in refunds_page
    methods_page = admin_client.get(reverse("admin:billing_paymentmethod_changelist")).content.decode()
    assert "remove_methods" in methods_page


def test_admin_refund_page_lists_the_card_parts(admin_client, fake_gateway):  # noqa: F811
    """BIL-11, issue 18: staff see on a refund which card payments it went back to, and how much."""
    from tests.billing.test_card_flows import TODAY, overpaid_customer

    customer, _payments = overpaid_customer((40_000, dt.date(2026, 10, 1)))
    refund = refunds.refund_request(customer=customer, amount_won=12_000, reason="과납", today=TODAY)
    refunds.refund_pay_card(refund=refund, today=TODAY)
    page = admin_client.get(reverse("admin:billing_refund_change", args=[refund.pk])).content.decode()
    assert "카드 환불" in page and "12,000원" in page and "환불 완료" in page
