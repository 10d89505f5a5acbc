"""Issue #14, ACC-8: a succession filing names its counterparty by business number; trying numbers must
not reveal another company's registered name, and filings are rate-limited."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts.models import SuccessionRequest
from contracts.presets import load_presets
from contracts.services import applications, succession
from core import clock
from messaging.models import Notice
from tests.contracts.conftest import active, new_customer
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 20)
URL = "/api/v1/customer/successions/"


@pytest.fixture(autouse=True)
def _presets(db):  # type: ignore[no-untyped-def]
    load_presets()
    yield
    applications.set_unpaid_lookup(lambda customer, day: 0)


@pytest.fixture
def parties():  # type: ignore[no-untyped-def]
    predecessor = new_customer(legal_name="주식회사 비밀상호")
    active("dcloud", customer=predecessor)
    successor = new_customer(legal_name="주식회사 신고인")
    return predecessor, successor


def _docs() -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile("사업자등록증.pdf", b"%PDF-1.4 a")]


def _admin(customer):  # type: ignore[no-untyped-def]
    return customer.members.filter(role="admin").first()


def _as(api_client, customer):  # type: ignore[no-untyped-def]
    token, _ = Token.objects.get_or_create(user=_admin(customer).user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api_client


def _form(predecessor) -> dict:  # type: ignore[no-untyped-def,type-arg]
    return {"side": "successor", "kind": "merger", "event_date": "2026-03-02",
            "counterparty_business_number": predecessor.business_number, "documents": _docs()}


def test_api_filing_does_not_reveal_the_counterpartys_name(api_client, parties):
    """Issue #14, ACC-8: a successor filing against a business number sees the number, never the
    predecessor's registered name (response, list, detail, its own notice); the predecessor sees the
    filer's name; staff approval shows both."""
    predecessor, successor = parties
    with clock.frozen(TODAY):
        response = _as(api_client, successor).post(URL, _form(predecessor), format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    number = predecessor.business_number_display
    assert body["predecessor_name"] == f"사업자등록번호 {number} 고객"
    assert body["successor_name"] == "주식회사 신고인"
    for page in (api_client.get(URL).content, api_client.get(f"{URL}{body['id']}/").content):
        assert "비밀상호" not in page.decode()
    notices = Notice.objects.filter(customer=successor, event="customer.succession_requested")
    assert notices.exists()
    for notice in notices:
        assert "비밀상호" not in notice.body and number in notice.body
    to_predecessor = Notice.objects.filter(customer=predecessor, event="customer.succession_requested")
    assert to_predecessor.exists()
    assert all("주식회사 신고인" in n.body for n in to_predecessor)  # the filer disclosed itself

    seen_by_predecessor = _as(api_client, predecessor).get(f"{URL}{body['id']}/").json()
    assert (seen_by_predecessor["predecessor_name"], seen_by_predecessor["successor_name"]) == (
        "주식회사 비밀상호", "주식회사 신고인")

    request = SuccessionRequest.objects.get()
    succession.succession_approve(request=request, actor=StaffUserFactory(groups=["support"]), today=TODAY)
    approved = _as(api_client, successor).get(f"{URL}{body['id']}/").json()
    assert approved["predecessor_name"] == "주식회사 비밀상호"


def test_portal_filing_does_not_reveal_the_counterpartys_name(client, parties):
    """Issue #14, ACC-8: the portal's list and detail show the filer the counterparty's number only."""
    predecessor, successor = parties
    client.force_login(_admin(successor).user)
    with clock.frozen(TODAY):
        response = client.post(reverse("portal:successions"), _form(predecessor))
    assert response.status_code == 302, response.content.decode()[:2000]
    request = SuccessionRequest.objects.get()
    for url in (reverse("portal:successions"), reverse("portal:succession_detail", args=[request.pk])):
        page = client.get(url).content.decode()
        assert "비밀상호" not in page
        assert predecessor.business_number_display in page


@pytest.fixture
def one_per_hour(settings):  # type: ignore[no-untyped-def]
    cache = dict(django_settings.CACHES["default"])
    cache["KEY_PREFIX"] = f"succession-test-{uuid.uuid4().hex}"
    settings.CACHES = {"default": cache}
    rest = dict(django_settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], "succession": "1/hour"}
    settings.REST_FRAMEWORK = rest


def test_api_filings_are_rate_limited(api_client, parties, one_per_hour):
    """Issue #14, ACC-8: scope ``succession`` (1/hour here): a second lookup-and-file within the hour is
    429 ``throttled``; reading the filings is not limited."""
    predecessor, successor = parties
    _as(api_client, successor)
    with clock.frozen(TODAY):
        first = api_client.post(URL, {**_form(predecessor), "counterparty_business_number": "1234567891"},
                                format="multipart")
        assert first.status_code == 400  # no such customer: the filing cannot proceed
        second = api_client.post(URL, _form(predecessor), format="multipart")
    assert second.status_code == 429
    assert second.json()["error"]["code"] == "throttled"
    assert api_client.get(URL).status_code == 200
    assert not SuccessionRequest.objects.exists()


def test_portal_filings_are_rate_limited(client, parties, one_per_hour):
    """Issue #14, ACC-8: the portal form shares the limit: the second attempt within the hour is refused
    (429) with a Korean message and nothing is filed."""
    predecessor, successor = parties
    client.force_login(_admin(successor).user)
    url = reverse("portal:successions")
    with clock.frozen(TODAY):
        client.post(url, {**_form(predecessor), "counterparty_business_number": "1234567891"})
        response = client.post(url, _form(predecessor))
    assert response.status_code == 429
    assert "지위 승계 신고를 너무 자주 시도했습니다" in response.content.decode()
    assert not SuccessionRequest.objects.exists()
