"""Issue 18: the outside providers' configuration report, ``check_providers`` and the call log."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from core import providers
from core.models import ProviderCall

pytestmark = pytest.mark.django_db


def _port(kind: str, status: list[providers.PortStatus]) -> providers.PortStatus:
    return next(s for s in status if s.kind == kind)


def test_each_port_is_registered_and_the_fakes_need_nothing(settings):
    """BIL-7, MSG-8: with nothing set, payments and messaging run on the fakes and are fine."""
    settings.PAYMENT_GATEWAY = "fake"
    settings.MESSAGING_PROVIDER = "fake"
    states = providers.status()
    assert {s.kind for s in states} >= {"payment", "tax_invoice", "messaging"}
    assert _port("payment", states).ok and _port("messaging", states).ok


def test_a_vendor_missing_its_secret_is_reported_without_any_value(settings, monkeypatch):
    """BIL-7: the HTTP gateway needs a URL and a secret; the report names what is missing, never a value."""
    settings.PAYMENT_GATEWAY = "http"
    settings.PAYMENT_GATEWAY_URL = "https://pg.example/v1"
    monkeypatch.delenv("PAYMENT_GATEWAY_SECRET", raising=False)
    settings.PAYMENT_GATEWAY_SECRET = ""
    state = _port("payment", providers.status())
    assert not state.ok
    assert state.problems == ["PAYMENT_GATEWAY_SECRET is not set"]
    by_name = {v.name: v for v in state.variables}
    assert by_name["PAYMENT_GATEWAY_URL"].present and not by_name["PAYMENT_GATEWAY_URL"].secret
    assert by_name["PAYMENT_GATEWAY_SECRET"].secret and not by_name["PAYMENT_GATEWAY_SECRET"].present


def test_an_unknown_vendor_name_is_a_problem(settings):
    settings.MESSAGING_PROVIDER = "carrier-pigeon"
    state = _port("messaging", providers.status())
    assert not state.ok and "carrier-pigeon" in state.problems[0]


def test_check_providers_exits_non_zero_on_a_problem_and_never_prints_a_secret(settings, capsys):
    settings.PAYMENT_GATEWAY = "http"
    settings.PAYMENT_GATEWAY_URL = ""
    settings.PAYMENT_GATEWAY_SECRET = "sk_live_topsecret_9f8e7d"
    with pytest.raises(CommandError):
        call_command("check_providers")
    out = capsys.readouterr().out
    assert "PAYMENT_GATEWAY_URL: MISSING" in out
    assert "PAYMENT_GATEWAY_SECRET [secret]: set" in out
    assert "sk_live_topsecret_9f8e7d" not in out


def test_check_providers_passes_on_the_defaults(settings, capsys):
    settings.PAYMENT_GATEWAY = "fake"
    settings.MESSAGING_PROVIDER = "fake"
    call_command("check_providers")
    assert "all providers configured" in capsys.readouterr().out


def test_redact_masks_configured_secrets_and_secret_looking_pairs(settings):
    settings.PAYMENT_GATEWAY_SECRET = "sk_live_topsecret_9f8e7d"
    text = providers.redact(
        "POST failed: Authorization: PortOne sk_live_topsecret_9f8e7d api_secret=abc123 token=xyz&x=1"
    )
    assert "sk_live_topsecret_9f8e7d" not in text
    assert "abc123" not in text and "xyz" not in text
    assert "x=1" in text


def test_provider_call_logs_success_refusal_and_errors(settings):
    settings.PAYMENT_GATEWAY_SECRET = "sk_live_topsecret_9f8e7d"
    with providers.provider_call(
        kind="payment", provider="http", operation="charge", reference="k-1"
    ) as call:
        call.http_status = 200
    with providers.provider_call(
        kind="payment", provider="http", operation="charge", reference="k-2"
    ) as call:
        call.refused("card declined")
    with (
        pytest.raises(TimeoutError),
        providers.provider_call(kind="payment", provider="http", operation="refund", reference="k-3"),
    ):
        raise TimeoutError("no answer using sk_live_topsecret_9f8e7d")
    rows = {r.reference: r for r in ProviderCall.objects.all()}
    assert rows["k-1"].outcome == "ok" and rows["k-1"].http_status == 200
    assert rows["k-2"].outcome == "refused" and rows["k-2"].detail == "card declined"
    assert rows["k-3"].outcome == "error" and rows["k-3"].operation == "refund"
    assert "sk_live_topsecret_9f8e7d" not in rows["k-3"].detail and "TimeoutError" in rows["k-3"].detail


def test_the_admin_page_shows_configuration_and_calls_but_no_secret(admin_client, settings):
    """Issue 18: per provider, what is configured and the recent calls with their outcome (no secrets)."""
    settings.PAYMENT_GATEWAY = "http"
    settings.PAYMENT_GATEWAY_URL = "https://pg.example/v1"
    settings.PAYMENT_GATEWAY_SECRET = "sk_live_topsecret_9f8e7d"
    with providers.provider_call(kind="payment", provider="http", operation="charge", reference="inv-7"):
        pass
    response = admin_client.get("/admin/core/providercall/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "PAYMENT_GATEWAY_SECRET" in body and "inv-7" in body
    assert "sk_live_topsecret_9f8e7d" not in body
