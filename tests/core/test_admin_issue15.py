"""Issue 15: the back office as staff meet it: job-run records (read-only for everyone, counts as a
table, names in words), who did it and which status in words, amounts formatted in every admin list,
and error pages in Korean (English in English mode) instead of a bare "403 Forbidden"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.views import defaults

from accounts.staff import ensure_staff_groups
from contracts.models import ApplicationCheck, ContractStatus, ContractTransition, RejectionReason
from contracts.presets import load_presets
from core.adminkit import AdminPage, actor_label, job_label
from core.models import JobRun, StatusTransition
from tests.billing.conftest import make_contract
from tests.billing.payment_factories import make_invoice
from tests.factories import StaffUserFactory, UserFactory


def _superuser_client() -> tuple[Client, object]:
    user = UserFactory(is_staff=True, is_superuser=True, first_name="세종", last_name="")
    client = Client()
    client.force_login(user)
    return client, user


# --------------------------------------------------------------------------- job runs


@pytest.mark.django_db
def test_a_job_run_cannot_be_deleted_even_by_a_superuser_and_reads_in_words() -> None:
    """Issue 15: the job-run record (the once-per-date guard of a job) is never deletable; its counts are
    a table with Korean labels, not raw JSON, and the job is named in words, not by its code name."""
    run = JobRun.objects.create(
        job="activate_contracts", as_of=dt.date(2026, 11, 20), status=JobRun.Status.SUCCEEDED,
        counts={"activated": 3, "errors": 0}, started_at=timezone.now(),
    )
    client, _user = _superuser_client()
    assert client.get(reverse("admin:core_jobrun_delete", args=[run.pk])).status_code == 403
    assert client.post(reverse("admin:core_jobrun_delete", args=[run.pk]), {"post": "yes"}).status_code == 403
    listing = client.get(reverse("admin:core_jobrun_changelist")).content.decode()
    assert "delete_selected" not in listing
    for content in (listing, client.get(reverse("admin:core_jobrun_change", args=[run.pk])).content.decode()):
        assert "개통일이 된 승낙 계약 개통" in content
        assert '<table class="job-counts">' in content and "<th scope=\"row\">개통</th>" in content
        assert "{&quot;activated&quot;" not in content and '{"activated"' not in content
    assert JobRun.objects.filter(pk=run.pk).exists()


# --------------------------------------------------------------------------- who and which status, in words


@pytest.mark.django_db
def test_actor_labels_read_as_people_and_jobs() -> None:
    """Issue 15: ``user:…`` is the person's name, ``job:…`` is "자동 작업: <job in words>"."""
    UserFactory(username="sejong-admin", first_name="세종", last_name="이")
    assert actor_label("user:sejong-admin") == "세종 이"
    assert actor_label("job:activate_contracts") == "자동 작업: 개통일이 된 승낙 계약 개통"
    assert actor_label("job:seed_demo") == "자동 작업: 데모 데이터 준비"
    assert actor_label("system") == "시스템"
    assert job_label("dunning") == "미납 청구서의 연체 단계 진행"
    with translation.override("en"):
        assert actor_label("system") == "System"


@pytest.mark.django_db
def test_the_contract_page_shows_statuses_checks_and_actors_in_words() -> None:
    """Issue 15, CON-1, CON-2: the contract page shows "신청 → 승낙", the check's label with 통과/실패 and
    the acting job in words; never ``applied → approved``, ``false_name: OK`` or ``job:seed_demo``."""
    load_presets()
    contract = make_contract("officecore-standard-monthly", start=dt.date(2026, 1, 5))
    ContractTransition.objects.create(
        contract=contract, from_status=ContractStatus.APPLIED, to_status=ContractStatus.APPROVED,
        on_date=dt.date(2026, 1, 2), actor="job:seed_demo",
    )
    ApplicationCheck.objects.update_or_create(
        contract=contract, code=RejectionReason.FALSE_NAME,
        defaults={"passed": True, "checked_on": dt.date(2026, 1, 2)},
    )
    StatusTransition.objects.create(
        content_type=ContentType.objects.get_for_model(contract), object_id=contract.pk, machine="contract",
        from_status="applied", to_status="approved", on_date=dt.date(2026, 1, 2), actor="user:nobody-here",
    )
    client, _user = _superuser_client()
    content = client.get(reverse("admin:contracts_contract_change", args=[contract.pk])).content.decode()
    assert "applied → approved" not in content
    assert f"{ContractStatus.APPLIED.label} → {ContractStatus.APPROVED.label}" in content
    assert "false_name: OK" not in content and f"{RejectionReason.FALSE_NAME.label}: 통과" in content
    assert "job:seed_demo" not in content and "자동 작업: 데모 데이터 준비" in content
    listing = client.get(reverse("admin:core_statustransition_changelist")).content.decode()
    assert f"<td class=\"field-to_label\">{ContractStatus.APPROVED.label}</td>" in listing
    assert "user:nobody-here" not in listing


# --------------------------------------------------------------------------- amounts and quantities


def _raw_number_fields(model: type[models.Model], names: object) -> list[str]:
    out = []
    for name in names or ():  # type: ignore[attr-defined]
        if not isinstance(name, str):
            continue
        try:
            field = model._meta.get_field(name)
        except Exception:
            continue
        if (name.endswith("_won") and isinstance(field, models.IntegerField)) or isinstance(
            field, models.DecimalField
        ):
            out.append(name)
    return out


def test_no_admin_shows_a_money_or_decimal_field_unformatted() -> None:
    """Issue 15: every list column and read-only field of an amount (``*_won``) or a decimal quantity
    goes through ``core.adminkit.won_column`` / ``qty_column`` (``core.formatting``), in every registered
    admin and inline; ``330000`` and ``1.0000`` never reach a page."""
    found = []
    for model, model_admin in admin.site._registry.items():
        name = type(model_admin).__name__
        found += [f"{name}.{n}" for n in _raw_number_fields(model, model_admin.list_display)]
        found += [f"{name}.{n}" for n in _raw_number_fields(model, model_admin.readonly_fields)]
        for inline in model_admin.inlines:
            shown = _raw_number_fields(inline.model, inline.readonly_fields)
            found += [f"{inline.__name__}.{n}" for n in shown]
    assert found == []


@pytest.mark.django_db
def test_the_invoice_list_and_page_show_won_and_quantities_formatted() -> None:
    """Issue 15, BIL-2: the invoice list shows ``110,000원``; the invoice page's lines show the quantity
    without trailing zeros."""
    load_presets()
    contract = make_contract("officecore-standard-monthly", start=dt.date(2026, 1, 5))
    invoice = make_invoice(contract.customer, 110_000)
    client, _user = _superuser_client()
    listing = client.get(reverse("admin:billing_invoice_changelist")).content.decode()
    assert "110,000원" in listing and ">110000<" not in listing
    page = client.get(reverse("admin:billing_invoice_change", args=[invoice.pk])).content.decode()
    assert "110,000원" in page and ".0000" not in page


# --------------------------------------------------------------------------- error pages


@pytest.mark.django_db
def test_a_refused_admin_page_is_a_korean_403_page() -> None:
    """Issue 15: a staff member refused a page (the messaging group on the billing dashboard) reads a
    Korean page with a way back to the back office, not a bare "403 Forbidden"; English in English mode."""
    ensure_staff_groups()
    client = Client()
    client.force_login(StaffUserFactory(groups=["messaging"]))
    url = reverse("admin:billing_after_due_dashboard")
    response = client.get(url)
    assert response.status_code == 403
    content = response.content.decode()
    assert "접근 권한이 없습니다" in content and 'href="/admin/"' in content
    assert "403 Forbidden" not in content
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 403 and "Access denied" in english.content.decode()


@pytest.mark.django_db
def test_a_missing_page_is_a_korean_404_page_in_the_portal_and_the_admin(client: Client) -> None:
    """Issue 15: 404 pages in Korean (English in English mode), leading back to the portal or the admin."""
    portal = client.get("/no-such-page/")
    assert portal.status_code == 404
    assert "페이지를 찾을 수 없습니다" in portal.content.decode() and 'href="/"' in portal.content.decode()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    staff = client.get("/admin/billing/invoice/999999999/nothing/")
    assert staff.status_code in (302, 404)
    english = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Page not found" in english.content.decode()


@pytest.mark.parametrize(
    ("view", "status", "korean", "english"),
    [
        (defaults.server_error, 500, "일시적인 오류가 발생했습니다", "A temporary error occurred"),
        (defaults.bad_request, 400, "요청을 처리할 수 없습니다", "The request cannot be processed"),
    ],
)
def test_server_error_and_bad_request_pages_are_ours(
    view: object, status: int, korean: str, english: str
) -> None:
    """Issue 15: the 500 and 400 pages are the project's, in the active language."""
    request = RequestFactory().get("/")
    for language, text in (("ko", korean), ("en", english)):
        with translation.override(language):
            response = view(request) if status == 500 else view(request, Exception("bad"))  # type: ignore[operator]
        assert response.status_code == status
        assert text in response.content.decode()


def test_the_navigation_pages_are_admin_pages() -> None:
    """Issue 15: the navigation declarations name real admin URLs."""
    for model_admin in admin.site._registry.values():
        page: AdminPage
        for page in getattr(model_admin, "admin_pages", ()):
            assert reverse(f"admin:{page.url_name}").startswith("/admin/")
            assert callable(getattr(model_admin, page.allowed))
