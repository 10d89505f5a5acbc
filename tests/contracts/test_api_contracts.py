"""Contracts and terms API under /api/v1/ (CON-1..13, TRM-4, ACC-4): happy paths and refusals through
HTTP, tenant isolation (404), admin-only writes (403) and JSON errors naming the rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from contracts.models import Contract, ContractStatus, Plan, Policy, SpecialTerm, TermsConsent
from contracts.policy import policy_clone
from contracts.presets import load_presets
from contracts.services import applications, changes, suspension, terms
from core import clock
from tests.factories import AdminMemberFactory, MemberFactory

D = dt.date
APPLIED, START = D(2026, 1, 2), D(2026, 1, 5)
pytestmark = pytest.mark.django_db


def _plan(code: str) -> Plan:
    load_presets()
    return Plan.objects.select_related("policy").get(code=code)


def _apply(admin, code: str, *, today: dt.date = APPLIED, start: dt.date = START) -> Contract:
    return applications.contract_apply(
        customer=admin.customer, plan=_plan(code), requested_start=start, today=today, member=admin
    )


def _active(admin, code: str, *, today: dt.date = APPLIED, start: dt.date = START) -> Contract:
    contract = _apply(admin, code, today=today, start=start)
    for kind in contract.plan.required_documents:
        applications.document_upload(
            contract=contract, kind=kind, upload=SimpleUploadedFile(f"{kind}.pdf", b"%PDF"), today=today
        )
    applications.contract_approve(contract=contract, today=today)
    applications.contract_activate(contract=contract, today=start)
    return Contract.objects.get(pk=contract.pk)


def _client(member) -> APIClient:
    client = APIClient()
    client.force_authenticate(member.user)
    return client


def _error(response, status: int, code: str, rule: str | None = None) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code, error
    if rule is not None:
        assert error["rule"] == rule and error["message"].startswith(f"{rule}:"), error
    return error


@pytest.fixture
def admin():
    return AdminMemberFactory()


@pytest.fixture
def api(admin) -> APIClient:
    return _client(admin)


# --------------------------------------------------------------------------- auth and isolation


def test_unauthenticated_is_401_json():
    """ACC-4 / §11: every endpoint needs a member login; the error is the JSON body."""
    load_presets()
    client = APIClient()
    for url in ("/api/v1/contracts/", "/api/v1/plans/", "/api/v1/terms/pending/", "/api/v1/entitlement/"):
        _error(client.get(url), 401, "not_authenticated")
    _error(
        client.post("/api/v1/contracts/1/terminate/", {"effective_on": "2026-03-01"}),
        401,
        "not_authenticated",
    )


def test_token_auth_lists_plans_with_prices(admin):
    """CON-5, BIL-5: GET /plans/ lists the active plans with prices and the policy's term options;
    token authentication works."""
    load_presets()
    Plan.objects.filter(code="dcloud-vm-performance").update(active=False)
    token = Token.objects.create(user=admin.user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get("/api/v1/plans/", {"page_size": 100})
    assert response.status_code == 200
    body = response.json()
    codes = [p["code"] for p in body["results"]]
    assert (
        "dcloud-vm-performance" not in codes
        and body["count"] == len(codes) == Plan.objects.filter(active=True).count()
    )
    damoa = next(p for p in body["results"] if p["code"] == "damoa-standard")
    assert damoa["monthly_fee_won"] == 300_000 and damoa["term_options_months"] == [1, 12, 24]
    assert damoa["required_documents"] == ["application_form", "business_registration"]
    assert damoa["policy"]["code"] == "damoa"


def test_cross_customer_isolation_is_404(api, admin):
    """ACC-4: another customer's contract is invisible (404), for reads and for an admin's writes, and
    it never shows in the list."""
    mine = _active(admin, "damoa-standard")
    other_admin = AdminMemberFactory()
    theirs = _active(other_admin, "damoa-standard")
    with clock.frozen(D(2026, 2, 2)):
        listed = api.get("/api/v1/contracts/").json()
        assert [c["id"] for c in listed["results"]] == [mine.pk]
        _error(api.get(f"/api/v1/contracts/{theirs.pk}/"), 404, "not_found")
        _error(
            api.get(f"/api/v1/contracts/{theirs.pk}/termination-preview/?effective_on=2026-03-01"),
            404,
            "not_found",
        )
        _error(
            api.post(f"/api/v1/contracts/{theirs.pk}/terminate/", {"effective_on": "2026-03-01"}),
            404,
            "not_found",
        )
        _error(api.post(f"/api/v1/contracts/{theirs.pk}/withdraw/", {}), 404, "not_found")
    theirs.refresh_from_db()
    assert theirs.status == ContractStatus.ACTIVE


def test_plain_member_reads_but_cannot_write(admin):
    """ACC-4: a plain member lists and reads, but apply, terminate, withdraw, postpone, stop renewal and
    consent are 403 with the JSON error body; nothing changes."""
    contract = _active(admin, "damoa-standard")
    member = MemberFactory(customer=admin.customer)
    client = _client(member)
    with clock.frozen(D(2026, 2, 2)):
        assert client.get("/api/v1/contracts/").status_code == 200
        assert client.get(f"/api/v1/contracts/{contract.pk}/").status_code == 200
        assert (
            client.get(
                f"/api/v1/contracts/{contract.pk}/termination-preview/?effective_on=2026-03-01"
            ).status_code
            == 200
        )
        error = _error(
            client.post(f"/api/v1/contracts/{contract.pk}/terminate/", {"effective_on": "2026-03-01"}),
            403,
            "admin_required",
        )
        assert error["message"]
        for url, data in (
            ("/api/v1/contracts/", {"plan": "flow-business-monthly", "requested_start": "2026-03-01"}),
            (f"/api/v1/contracts/{contract.pk}/withdraw/", {}),
            (f"/api/v1/contracts/{contract.pk}/postpone/", {"new_date": "2026-03-01"}),
            (f"/api/v1/contracts/{contract.pk}/stop-renewal/", {}),
            (f"/api/v1/terms/{contract.policy_id}/consent/", {"decision": "accepted"}),
        ):
            _error(client.post(url, data), 403, "admin_required")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE and Contract.objects.count() == 1
    assert not TermsConsent.objects.exists()


# ------------------------------------------------------------------ apply, documents, postpone, withdraw


def test_apply_upload_and_detail(api, admin):
    """CON-1, CON-3, ACC-4: apply by plan code, upload the required documents (multipart), staff approve,
    and the detail shows approved with its documents and deadlines."""
    load_presets()
    with clock.frozen(D(2026, 3, 2)):
        response = api.post(
            "/api/v1/contracts/",
            {"plan": "damoa-standard", "requested_start": "2026-03-16", "seats": 5, "term_months": 12},
            format="json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "applied" and body["seats"] == 5 and body["term_months"] == 12
    assert [d["uploaded"] for d in body["required_documents"]] == [False, False]
    assert body["deadlines"]["postpone_until"]["date"] == "2026-03-13"
    contract_id = body["id"]
    for kind in ("application_form", "business_registration"):
        with clock.frozen(D(2026, 3, 3)):
            upload = api.post(
                f"/api/v1/contracts/{contract_id}/documents/",
                {"kind": kind, "file": SimpleUploadedFile(f"{kind}.pdf", b"%PDF-1.4")},
                format="multipart",
            )
        assert upload.status_code == 201, upload.content
        assert upload.json()["kind"] == kind and len(upload.json()["sha256"]) == 64
    applications.contract_approve(contract=Contract.objects.get(pk=contract_id), today=D(2026, 3, 4))
    with clock.frozen(D(2026, 3, 4)):
        detail = api.get(f"/api/v1/contracts/{contract_id}/").json()
    assert detail["status"] == "approved" and len(detail["documents"]) == 2
    assert [t["to_status"] for t in detail["transitions"]] == ["approved"]
    with clock.frozen(D(2026, 3, 4)):
        filtered = api.get("/api/v1/contracts/", {"status": "approved"}).json()
        empty = api.get("/api/v1/contracts/", {"status": "active"}).json()
        bad = api.get("/api/v1/contracts/", {"status": "nonsense"})
    assert filtered["count"] == 1 and empty["count"] == 0
    _error(bad, 400, "validation_error")


def test_apply_refusals_leave_the_db_unchanged(api, admin):
    """CON-4: a start date in the past; CON-1: a duplicate application and an unknown plan — each an error
    naming the rule, with no row written."""
    load_presets()
    with clock.frozen(D(2026, 3, 2)):
        past = api.post("/api/v1/contracts/", {"plan": "damoa-standard", "requested_start": "2026-03-01"})
        assert _error(past, 400, "date_in_past", "CON-4")["field"] == "requested_start"
        assert Contract.objects.count() == 0
        assert (
            api.post(
                "/api/v1/contracts/", {"plan": "damoa-standard", "requested_start": "2026-03-10"}
            ).status_code
            == 201
        )
        dup = api.post("/api/v1/contracts/", {"plan": "damoa-standard", "requested_start": "2026-03-12"})
        assert _error(dup, 400, "duplicate_application", "CON-1")["field"] == "plan"
        _error(
            api.post("/api/v1/contracts/", {"plan": "no-such-plan", "requested_start": "2026-03-10"}),
            400,
            "unknown_plan",
            "CON-1",
        )
        _error(api.post("/api/v1/contracts/", {"plan": "damoa-standard"}), 400, "validation_error")
    assert Contract.objects.count() == 1


def test_upload_refused_after_approval(api, admin):
    """CON-3: documents belong to an application in progress; after approval an upload is refused."""
    contract = _active(admin, "damoa-standard")
    with clock.frozen(D(2026, 2, 2)):
        response = api.post(
            f"/api/v1/contracts/{contract.pk}/documents/",
            {"kind": "id_copy", "file": SimpleUploadedFile("id.pdf", b"x")},
            format="multipart",
        )
    _error(response, 400, "invalid_state", "CON-1")
    assert contract.documents.count() == 2


def test_postpone_and_too_late(api, admin):
    """CON-4: the customer postpones up to 3 days before the scheduled date; later it is refused."""
    contract = _apply(admin, "dcloud-vm-standard", today=D(2026, 3, 2), start=D(2026, 3, 10))
    with clock.frozen(D(2026, 3, 8)):
        late = api.post(f"/api/v1/contracts/{contract.pk}/postpone/", {"new_date": "2026-03-20"})
    error = _error(late, 400, "postpone_too_late", "CON-4")
    assert error["field"] == "new_date" and "2026-03-07" in error["message"]
    contract.refresh_from_db()
    assert contract.activation_date == D(2026, 3, 10)
    with clock.frozen(D(2026, 3, 6)):
        ok = api.post(
            f"/api/v1/contracts/{contract.pk}/postpone/", {"new_date": "2026-03-20", "reason": "이전"}
        )
    assert ok.status_code == 200 and ok.json()["activation_date"] == "2026-03-20"


def test_withdraw_application_and_window_closed(api, admin):
    """CON-8: an application is withdrawn at once; an active officecore contract only within 7 days of
    service start."""
    application = _apply(admin, "damoa-standard")
    with clock.frozen(D(2026, 1, 3)):
        response = api.post(f"/api/v1/contracts/{application.pk}/withdraw/", {"reason": "취소"})
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    running = _active(admin, "officecore-standard-monthly")
    with clock.frozen(D(2026, 1, 8)):
        assert (
            api.get(f"/api/v1/contracts/{running.pk}/").json()["deadlines"]["withdrawal_until"]["date"]
            == "2026-01-12"
        )
    with clock.frozen(D(2026, 1, 13)):
        _error(
            api.post(f"/api/v1/contracts/{running.pk}/withdraw/", {}),
            400,
            "withdrawal_window_closed",
            "CON-8",
        )
    running.refresh_from_db()
    assert running.status == ContractStatus.ACTIVE


# --------------------------------------------------------------------------- termination, renewal


def test_termination_preview_then_terminate(api, admin):
    """CON-7: the preview shows the settlement lines and total and changes nothing; terminate moves the
    contract to terminating on the effective date."""
    contract = _active(admin, "damoa-standard")
    with clock.frozen(D(2026, 3, 2)):
        preview = api.get(
            f"/api/v1/contracts/{contract.pk}/termination-preview/", {"effective_on": "2026-03-20"}
        )
    assert preview.status_code == 200, preview.content
    body = preview.json()
    assert body["effective_on"] == "2026-03-20" and body["lines"]
    assert body["total_won"] == sum(line["amount_won"] for line in body["lines"])
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    with clock.frozen(D(2026, 3, 2)):
        done = api.post(
            f"/api/v1/contracts/{contract.pk}/terminate/", {"effective_on": "2026-03-20", "reason": "x"}
        )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "terminating" and done.json()["termination_effective_on"] == "2026-03-20"


def test_termination_refusals(api, admin):
    """CON-7: a date in the past, dcloud's 7-day notice and a missing date are refused with the rule;
    the contract stays active."""
    contract = _active(admin, "dcloud-vm-standard")
    url = f"/api/v1/contracts/{contract.pk}"
    with clock.frozen(D(2026, 3, 2)):
        _error(
            api.get(f"{url}/termination-preview/", {"effective_on": "2026-03-01"}),
            400,
            "date_in_past",
            "CON-7",
        )
        _error(api.get(f"{url}/termination-preview/"), 400, "validation_error")
        short = api.post(f"{url}/terminate/", {"effective_on": "2026-03-05"})
    assert "2026-03-09" in _error(short, 400, "notice_too_short", "CON-7")["message"]
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE and contract.termination_effective_on is None


def test_stop_renewal(api, admin):
    """CON-6: stopping renewal before the deadline is recorded; kgmsg's 30-day notice refuses a late stop."""
    contract = _active(admin, "dcloud-vm-standard")
    with clock.frozen(D(2026, 2, 1)):
        detail = api.get(f"/api/v1/contracts/{contract.pk}/").json()
        assert detail["deadlines"]["renewal_stop_until"]["date"] == "2026-12-28"
        response = api.post(f"/api/v1/contracts/{contract.pk}/stop-renewal/", {"reason": "이전"})
    assert response.status_code == 200 and response.json()["renewal_stopped"] is True
    kg = _active(admin, "kgmsg-standard")
    with clock.frozen(D(2026, 12, 20)):
        _error(
            api.post(f"/api/v1/contracts/{kg.pk}/stop-renewal/", {}), 400, "renewal_notice_too_late", "CON-6"
        )


def test_detail_shows_special_term_source(api, admin):
    """CON-12: an overridden policy value is shown with the special term as its source."""
    contract = _active(admin, "dcloud-vm-standard")
    changes.special_term_set(
        contract=contract,
        parameter="customer_termination_notice_days",
        value=3,
        note="3일",
        signed_on=D(2026, 1, 9),
    )
    assert SpecialTerm.objects.filter(contract=contract).count() == 1
    with clock.frozen(D(2026, 2, 1)):
        body = api.get(f"/api/v1/contracts/{contract.pk}/").json()
    row = next(r for r in body["effective_policy"] if r["parameter"] == "customer_termination_notice_days")
    assert (
        row["value"] == 3
        and row["source"] == "특약 (2026-01-09 체결)"
        and row["special_term"]["note"] == "3일"
    )
    other = next(r for r in body["effective_policy"] if r["parameter"] == "renewal_notice_days")
    assert other["source"] == "dcloud v1" and other["special_term"] is None
    assert body["deadlines"]["earliest_termination"] == {
        "date": "2026-02-04",
        "source": "특약 (2026-01-09 체결)",
    }


# --------------------------------------------------------------------------- terms, entitlement


def _publish(v1: Policy, *, today: dt.date, effective_on: dt.date):
    return terms.terms_publish(
        policy=policy_clone(policy=v1),
        previous=v1,
        effective_on=effective_on,
        reasons="요금 체계 정비",
        today=today,
    )


def test_pending_terms_and_consent(api, admin):
    """TRM-3, TRM-4: pending versions are listed with reasons, effective date and the silence rule;
    consent via the API records member, IP and channel api; a second answer is refused."""
    contract = _active(admin, "officecore-standard-monthly")
    release = _publish(contract.policy, today=D(2026, 2, 1), effective_on=D(2026, 2, 15))
    with clock.frozen(D(2026, 2, 2)):
        pending = api.get("/api/v1/terms/pending/").json()
        assert pending["count"] == 1
        row = pending["results"][0]
        assert row["policy"]["id"] == release.policy_id and row["release"]["effective_on"] == "2026-02-15"
        assert row["release"]["reasons"] == "요금 체계 정비" and row["silence_is_consent"] is True
        assert row["contract_ids"] == [contract.pk] and row["consent"] is None
        assert row["refusal_termination_available"] is True
        response = api.post(
            f"/api/v1/terms/{release.policy_id}/consent/", {"decision": "refused"}, REMOTE_ADDR="198.51.100.4"
        )
        assert response.status_code == 201, response.content
        assert response.json()["decision"] == "refused" and response.json()["channel"] == "api"
        again = api.post(f"/api/v1/terms/{release.policy_id}/consent/", {"decision": "accepted"})
        _error(again, 400, "already_decided", "TRM-4")
        assert api.get("/api/v1/terms/pending/").json()["results"][0]["consent"]["decision"] == "refused"
    consent = TermsConsent.objects.get()
    assert (consent.member, consent.ip_address, consent.channel) == (admin, "198.51.100.4", "api")


def test_consent_for_unpublished_version_is_refused(api, admin):
    """TRM-4: consent for a version not yet published is an error naming the rule; the DB is unchanged."""
    contract = _active(admin, "officecore-standard-monthly")
    draft = policy_clone(policy=contract.policy)
    with clock.frozen(D(2026, 2, 2)):
        response = api.post(f"/api/v1/terms/{draft.pk}/consent/", {"decision": "accepted"})
        assert _error(response, 400, "not_published", "TRM-4")["field"] == "policy"
        _error(
            api.post(f"/api/v1/terms/{draft.pk}/consent/", {"decision": "deemed"}), 400, "validation_error"
        )
        _error(api.post("/api/v1/terms/999999/consent/", {"decision": "accepted"}), 404, "not_found")
        assert api.get("/api/v1/terms/pending/").json()["count"] == 0
    assert not TermsConsent.objects.exists()
    draft.refresh_from_db()
    assert draft.status == Policy.Status.DRAFT


def test_entitlement(api, admin):
    """CON-13: the service is usable while a contract is active, not while suspended or restricted."""
    with clock.frozen(D(2026, 1, 3)):
        body = api.get("/api/v1/entitlement/", {"feature": "service"}).json()
    assert body == {
        "feature": "service",
        "allowed": False,
        "reason": body["reason"],
        "contract_id": None,
        "on_date": "2026-01-03",
    }
    contract = _active(admin, "flow-business-monthly")
    with clock.frozen(D(2026, 2, 1)):
        body = api.get("/api/v1/entitlement/").json()
    assert body["allowed"] is True and body["contract_id"] == contract.pk and body["feature"] == "service"
    suspension.suspension_schedule(contract=contract, reason="위반", today=D(2026, 2, 1), days=5)
    with clock.frozen(D(2026, 2, 2)):
        body = api.get("/api/v1/entitlement/").json()
    assert body["allowed"] is False and body["contract_id"] == contract.pk
