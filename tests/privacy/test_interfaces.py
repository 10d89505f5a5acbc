"""Privacy portal and API: export request, status and download (DAT-1); deletion with confirmation (DAT-4);
what is kept and until when (DAT-2, DAT-3)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Customer, Member
from privacy.models import ExportRequest, RetainedRecord
from privacy.services.export import export_build
from privacy.services.retention import CONTRACT_RECORD_TABLES, DISPUTE_RECORD_TABLES

from .conftest import ended_customer, rows_per_table

pytestmark = pytest.mark.django_db


def _admin(customer: Customer) -> Member:
    return customer.members.select_related("user").get(role=Member.Role.ADMIN)


def _portal(member: Member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _api(member: Member) -> APIClient:
    client = APIClient()
    client.force_authenticate(member.user)
    return client


def test_api_export_request_status_and_download(presets, django_capture_on_commit_callbacks):
    """DAT-1: POST queues an export built in the background; its status shows progress, then a link."""
    customer = ended_customer("officecore")
    client = _api(_admin(customer))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = client.post(reverse("api-privacy-exports"))
    assert created.status_code == 201 and created.json()["status"] == "queued"
    assert created.json()["download_url"] is None and len(callbacks) == 1
    export_id = created.json()["id"]
    export_build(request_id=export_id)
    detail = client.get(reverse("api-privacy-export-detail", args=[export_id])).json()
    assert detail["status"] == "ready" and detail["progress"] == 100
    download = client.get(detail["download_url"])
    assert download.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        assert "payments.csv" in archive.namelist()
    listing = client.get(reverse("api-privacy-exports")).json()
    assert [row["id"] for row in listing["results"]] == [export_id]


def test_api_export_is_the_customers_own_and_admins_only(presets):
    """DAT-1: another customer's export is a 404; an ordinary member is refused."""
    mine, theirs = ended_customer("flow"), ended_customer("flow")
    other = ExportRequest.objects.create(customer=theirs, requested_on=theirs.created_at.date())
    client = _api(_admin(mine))
    assert client.get(reverse("api-privacy-export-detail", args=[other.pk])).status_code == 404
    plain = mine.members.exclude(role=Member.Role.ADMIN).first()
    assert _api(plain).post(reverse("api-privacy-exports")).status_code == 403


def test_portal_shows_what_is_kept_and_until_when(presets):
    """DAT-2, DAT-3: the portal says in plain Korean what is kept after the end and for how long."""
    customer = ended_customer("damoa")
    body = _portal(_admin(customer)).get(reverse("portal:privacy_home")).content.decode()
    assert "1개월 동안 보관한 다음 완전히 삭제합니다" in body
    assert "로그인 아이디는 계약이 끝난 뒤 3개월" in body
    assert "5년" in body and "3년" in body and "12개월" in body
    assert "DAT-" not in body


def test_portal_deletion_with_last_export_offer_and_confirmation(presets):
    """DAT-4: ask, see the last export offer, type the name: the data is gone and the admin logged out."""
    customer = ended_customer("flow")
    client = _portal(_admin(customer))
    url = reverse("portal:privacy_delete")
    client.post(url, {"action": "request"})
    page = client.get(url).content.decode()
    assert "마지막으로 내려받으세요" in page
    wrong = client.post(url, {"action": "confirm", "confirmation": "아니오"}).content.decode()
    assert "고객사 이름을 정확히" in wrong and "DAT-" not in wrong
    assert rows_per_table(customer.pk)["accounts.Member"] == 2
    done = client.post(url, {"action": "confirm", "confirmation": customer.legal_name})
    assert done.status_code == 200 and "삭제했습니다" in done.content.decode()
    left = {t: n for t, n in rows_per_table(customer.pk).items() if n and t != "accounts.PersonalDataAccess"}
    kept = RetainedRecord.objects.filter(customer_ref=customer.pk).exclude(tables={})
    assert left == {t: len(ids) for r in kept for t, ids in r.tables.items()}
    assert set(left) <= set(CONTRACT_RECORD_TABLES) | set(DISPUTE_RECORD_TABLES)


def test_portal_export_button_queues_an_export(presets, django_capture_on_commit_callbacks):
    """DAT-1: the portal's button queues the export; the page lists it with its status."""
    customer = ended_customer("dcloud")
    client = _portal(_admin(customer))
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("portal:privacy_export"))
    assert response.status_code == 302
    export = ExportRequest.objects.get(customer=customer)
    page = client.get(reverse("portal:privacy_home")).content.decode()
    assert f'id="export-{export.pk}"' in page
