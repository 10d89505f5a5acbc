"""Registering a card in the portal through PortOne (issue 18; BIL-7), when ``PAYMENT_GATEWAY=portone``.

The payment-methods page then shows a "카드 등록" form that loads PortOne's browser SDK (the npm loader
served from ``static/vendor/portone``; it fetches PortOne's SDK from PortOne's CDN) through
``static/billing/portone-card.js``, which calls ``PortOne.requestIssueBillingKey`` with the store id
and channel key (not secrets) and posts the billing key PortOne issued to
:func:`payment_method_card_register`. That view stores it through ``payments.payment_method_add``,
which asks PortOne whether it issued the key (and takes the masked card number as the label when the
customer gives none). With any other gateway nothing here shows and the page is as before.

:func:`csp_for_portone` adds what PortOne's SDK needs to the page's Content-Security-Policy (settings
``PORTONE_BROWSER_CSP`` and ``PORTONE_CSP_FRAME_ORIGINS``); other pages keep the strict policy.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.portal.auth import admin_member_required, request_member
from contracts.portal import display
from core import providers
from core.errors import DomainError

from ..models import PaymentMethod
from ..services import payments


def portone_browser_config() -> dict[str, str] | None:
    """What the browser needs to ask PortOne for a billing key, or None when PortOne is not the gateway
    (or is not configured). Only public identifiers: never the API secret."""
    if str(providers.setting("PAYMENT_GATEWAY", "fake") or "").strip().lower() != "portone":
        return None
    store_id = str(providers.setting("PORTONE_STORE_ID", "") or "").strip()
    channel_key = str(providers.setting("PORTONE_CHANNEL_KEY", "") or "").strip()
    if not store_id or not channel_key:
        return None
    return {"store_id": store_id, "channel_key": channel_key}


def csp_for_portone(response: HttpResponseBase) -> HttpResponseBase:
    """Allow PortOne's SDK script and frames on this response (django-csp's per-response update)."""
    update: dict[str, list[str]] = {
        name: list(values) for name, values in getattr(settings, "PORTONE_BROWSER_CSP", {}).items()
    }
    extra = list(getattr(settings, "PORTONE_CSP_FRAME_ORIGINS", []) or [])
    if extra:
        update["frame-src"] = update.get("frame-src", []) + extra
    response._csp_update = update  # type: ignore[attr-defined]
    return response


class CardRegisterForm(forms.Form):
    billing_key = forms.CharField(max_length=200, widget=forms.HiddenInput)
    label = forms.CharField(
        label=gettext_lazy("표시 이름 (선택)"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("비워 두면 카드사와 마스킹된 카드 번호로 표시합니다."),
    )
    make_default = forms.BooleanField(label=gettext_lazy("기본 결제 수단으로"), required=False)


def page_context(member: Any) -> dict[str, Any]:
    """The card-registration part of the payment-methods page (empty unless PortOne is the gateway)."""
    config = portone_browser_config()
    if config is None:
        return {"portone": None}
    return {
        "portone": config,
        "portone_customer_id": f"customer-{member.customer_id}",
        "card_form": CardRegisterForm(),
    }


@require_POST
@admin_member_required
def payment_method_card_register(request: HttpRequest) -> HttpResponse:
    """The billing key PortOne issued in the browser → a card payment method (BIL-7)."""
    member = request_member(request)
    if portone_browser_config() is None:
        messages.error(request, _("카드 등록은 결제대행사 연동이 설정된 경우에만 할 수 있습니다."))
        return redirect("portal:payment_methods")
    form = CardRegisterForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("카드 등록 정보를 받지 못했습니다. 다시 시도해 주세요."))
        return redirect("portal:payment_methods")
    try:
        method = payments.payment_method_add(
            customer=member.customer,
            kind=PaymentMethod.Kind.CARD,
            label=form.cleaned_data["label"],
            gateway_token=form.cleaned_data["billing_key"],
            make_default=form.cleaned_data["make_default"],
        )
    except DomainError as exc:
        messages.error(request, display.error_text(exc))
        return redirect("portal:payment_methods")
    messages.success(request, _("카드를 등록했습니다: {method}").format(method=method))
    return redirect("portal:payment_methods")
