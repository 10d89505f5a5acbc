"""Registering a card with PortOne in a real browser (issue 18; BIL-7): the portal page's module script
loads the vendored PortOne loader, which fetches PortOne's SDK from PortOne's CDN (served here by a stub
at the browser's network boundary, since these machines cannot reach PortOne), asks it for a billing key
and posts the key; the server checks it at PortOne (a recording, at the HTTP boundary) and stores the
card. The page's Content-Security-Policy must let the CDN script run, or the test fails."""

from __future__ import annotations

from typing import Any

import pytest
import respx
from django.urls import reverse

from billing.models import PaymentMethod
from tests.billing.portone_support import CHANNEL_KEY, STORE_ID, route, use_portone
from tests.e2e.conftest import _login
from tests.factories import DEFAULT_PASSWORD, AdminMemberFactory

BILLING_KEY = "billing-key-0193f1a2-aaaa-bbbb-cccc-0123456789ab"
CDN_SDK = "https://cdn.portone.io/v2/browser-sdk.js"
# PortOne's SDK as the page sees it: window.PortOne.requestIssueBillingKey answering with a billing key.
STUB_SDK = """
window.PortOne = {
  requestIssueBillingKey: async (request) => {
    await window.reportRequest(request);
    return { transactionType: "ISSUE_BILLING_KEY", billingKey: "BILLING_KEY" };
  },
};
""".replace("BILLING_KEY", BILLING_KEY)


@pytest.mark.django_db(transaction=True)
def test_a_card_is_registered_through_portones_window(browser: Any, live_server: Any, settings: Any) -> None:
    """BIL-7, issue 18: the browser gets a billing key from PortOne's SDK (store id and channel key, card
    method) and the portal stores it as the customer's card, named by PortOne's masked number."""
    use_portone(settings)
    admin = AdminMemberFactory()
    context = browser.new_context(locale="ko-KR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    requested: dict[str, Any] = {}
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def serve_sdk(sdk_route: Any) -> None:
        requested["sdk"] = True
        sdk_route.fulfill(status=200, content_type="application/javascript", body=STUB_SDK)

    page.route(CDN_SDK, serve_sdk)
    page.expose_function("reportRequest", lambda request: requested.update(request=request))
    try:
        with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
            route(router, "get_billing_key.issued", billingKey=BILLING_KEY)
            _login(page, f"{live_server.url}/login/", admin.login_id, DEFAULT_PASSWORD)
            page.goto(live_server.url + reverse("portal:payment_methods"))
            captured: dict[str, Any] = {}
            page.on(
                "request",
                lambda r: (
                    captured.update(body=r.post_data) if r.method == "POST" and "card" in r.url else None
                ),
            )
            with page.expect_navigation():
                page.locator("[data-portone-issue]").click()
            assert "카드를 등록했습니다" in page.content()
    finally:
        context.close()
    assert not errors, errors
    assert requested.get("sdk"), "the page did not load PortOne's SDK"
    method = PaymentMethod.objects.get(customer=admin.customer)
    assert method.gateway_token == BILLING_KEY and method.label == "신한 법인카드 451842******1234"
    assert f"billing_key={BILLING_KEY}" in captured["body"]
    sent = requested["request"]
    assert (sent["storeId"], sent["channelKey"], sent["billingKeyMethod"]) == (STORE_ID, CHANNEL_KEY, "CARD")
    assert sent["customer"] == {"customerId": f"customer-{admin.customer_id}"}
