"""Issue 18: the Popbill e-tax invoice adapter over recorded HTTP exchanges (BIL-18).

Each test routes the vendor SDK's own ``http.client`` traffic through the recordings in
``tests/billing/recordings/popbill`` (see ``popbill_replay``): success, refusal, timeout, server
error, lost answer (duplicate document number), status polling and cancellation.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging

import pytest
from django.test import override_settings

from billing.taxinvoice import (
    LineItem,
    Party,
    TaxInvoiceConfigurationError,
    TaxInvoiceDocument,
    TaxInvoiceNotFound,
    TaxInvoiceRefused,
    TaxInvoiceTransportError,
    get_issuer,
)
from billing.taxinvoice.popbill import PopbillIssuer, check, state_from_info
from core import providers
from core.models import ProviderCall
from tests.billing import popbill_replay

pytestmark = pytest.mark.django_db

SECRET = base64.b64encode(b"termsops-popbill-test-secret-32b").decode()
POPBILL = {
    "TAX_INVOICE_PROVIDER": "popbill",
    "POPBILL_LINK_ID": "TERMSOPS",
    "POPBILL_SECRET_KEY": SECRET,
    "POPBILL_CORP_NUM": "2208162517",
    "POPBILL_IS_TEST": "true",
    "POPBILL_TIMEOUT": "3",
}
APPROVAL = "20261130410000420000a1b2"


@pytest.fixture
def popbill_settings():
    with override_settings(**POPBILL):
        yield


def document(**overrides) -> TaxInvoiceDocument:
    values = {
        "number": "INV-2026-000001",
        "written_on": dt.date(2026, 11, 30),
        "issue_by": dt.date(2026, 12, 10),
        "type_code": "0101",
        "purpose_code": "02",
        "supplier": Party(
            "2208162517", "주식회사 텀즈옵스", "정하윤", "서울특별시 중구 세종대로 110", "billing@op.kr"
        ),
        "buyer": Party("1234567891", "주식회사 가나다", "홍길동", "서울 강남구", "tax@ganada.kr"),
        "supply_won": 100_000,
        "vat_won": 10_000,
        "total_won": 110_000,
        "items": (LineItem(1, dt.date(2026, 11, 30), "기본료 2026-11", 100_000, 10_000),),
        "remarks": ("비고 하나",),
    }
    values.update(overrides)
    return TaxInvoiceDocument(**values)


def test_get_issuer_is_file_by_default_and_popbill_when_set(popbill_settings):
    """BIL-18, issue 18: TAX_INVOICE_PROVIDER chooses the adapter; nothing set = the file export."""
    assert isinstance(get_issuer(), PopbillIssuer)
    with override_settings(TAX_INVOICE_PROVIDER=""):
        issuer = get_issuer()
        assert issuer.name == "file" and issuer.automatic is False
    with override_settings(TAX_INVOICE_PROVIDER="hometax"), pytest.raises(TaxInvoiceConfigurationError):
        get_issuer()


def test_issue_sends_registissue_with_our_number_and_records_approval(popbill_settings, monkeypatch):
    """BIL-18: 정발행 즉시 발행 with our number as invoicerMgtKey; the 국세청 승인번호 comes back."""
    replay = popbill_replay.install(monkeypatch, "token", "issue_success")
    state = get_issuer().issue(document())
    assert state.approval_number == APPROVAL and state.code == "300" and state.cancellable
    (sent,) = replay.calls("ISSUE")
    body = sent.body
    assert sent.host == "popbill-test.linkhub.co.kr" and sent.path == "/Taxinvoice"
    assert sent.headers["Authorization"] == "Bearer recorded-session-token"
    assert sent.timeout == 3.0  # the SDK sets none; the adapter does, on every connection
    assert body["invoicerMgtKey"] == "INV-2026-000001"
    assert (body["issueType"], body["chargeDirection"], body["taxType"], body["purposeType"]) == (
        "정발행",
        "정과금",
        "과세",
        "청구",
    )
    assert body["writeDate"] == "20261130" and body["invoicerCorpNum"] == "2208162517"
    assert (body["supplyCostTotal"], body["taxTotal"], body["totalAmount"]) == ("100000", "10000", "110000")
    assert body["invoiceeCorpNum"] == "1234567891" and body["invoiceeType"] == "사업자"
    assert (
        body["detailList"][0]["supplyCost"] == "100000" and body["detailList"][0]["purchaseDT"] == "20261130"
    )
    assert "forceIssue" not in body and "modifyCode" not in body
    token = next(s for s in replay.sent if s.host == "auth.linkhub.co.kr")
    assert token.headers["Authorization"].startswith("LINKHUB TERMSOPS ") and token.timeout == 3.0
    call = ProviderCall.objects.get(operation="registIssue")
    assert (call.kind, call.provider, call.outcome, call.http_status, call.reference) == (
        "tax_invoice",
        "popbill",
        "ok",
        200,
        "INV-2026-000001",
    )


def test_amended_issue_carries_modify_code_and_original_approval(popbill_settings, monkeypatch):
    """BIL-18: a 수정세금계산서 names the modify code (NTS 01..06 → Popbill 1..6) and the original's
    승인번호; late issues are allowed explicitly (forceIssue)."""
    replay = popbill_replay.install(monkeypatch, "token", "issue_success")
    amended = document(
        number="CN-2026-000001",
        type_code="0201",
        amendment_code="02",
        original_approval_number=APPROVAL,
        supply_won=-10_000,
        vat_won=-1_000,
        total_won=-11_000,
        items=(LineItem(1, dt.date(2026, 11, 30), "수정", -10_000, -1_000),),
    )
    get_issuer().issue(amended, late=True)
    body = replay.calls("ISSUE")[0].body
    assert body["modifyCode"] == 2 and body["orgNTSConfirmNum"] == APPROVAL
    assert body["forceIssue"] is True
    assert body["totalAmount"] == "-11000"


def test_refusal_is_a_refusal_with_the_vendor_code(popbill_settings, monkeypatch):
    """BIL-18: Popbill's error answer (invalid business number) is a refusal, logged as refused."""
    popbill_replay.install(monkeypatch, "token", "issue_refused_business_number")
    with pytest.raises(TaxInvoiceRefused) as exc:
        get_issuer().issue(document())
    assert exc.value.code == "-11001014"
    call = ProviderCall.objects.get(operation="registIssue")
    assert call.outcome == "refused" and call.http_status == 400 and "-11001014" in call.detail


def test_unknown_document_is_not_found(popbill_settings, monkeypatch):
    """BIL-18: GetInfo of a number Popbill does not know raises TaxInvoiceNotFound (-11000005)."""
    popbill_replay.install(monkeypatch, "token", "info_not_found")
    with pytest.raises(TaxInvoiceNotFound):
        get_issuer().state("INV-2026-000404")
    assert ProviderCall.objects.get(operation="getInfo").outcome == "refused"


@pytest.mark.parametrize("recording", ["issue_timeout", "issue_server_error", "issue_server_error_json"])
def test_timeout_and_server_errors_are_transport_errors(popbill_settings, monkeypatch, recording):
    """BIL-18: no clear answer (timeout, 5xx with HTML or JSON) is a transport error: try again later."""
    popbill_replay.install(monkeypatch, "token", recording)
    with pytest.raises(TaxInvoiceTransportError):
        get_issuer().issue(document())
    call = ProviderCall.objects.get(operation="registIssue")
    assert call.outcome == "error"
    if recording != "issue_timeout":
        assert call.http_status in (502, 503)


def test_state_mapping_follows_popbill_state_codes(popbill_settings, monkeypatch):
    """BIL-18: 300 issued and cancellable; 304 sent to the NTS (final); 305 failed there (final);
    600 cancelled."""
    popbill_replay.install(monkeypatch, "token", "info_issued", "info_sent_to_nts")
    issuer = get_issuer()
    first = issuer.state("INV-2026-000001")
    assert (first.code, first.issued, first.final, first.cancellable) == ("300", True, False, True)
    assert first.approval_number == APPROVAL
    sent = issuer.state("INV-2026-000001")
    assert (sent.code, sent.final, sent.cancellable, sent.nts_result) == ("304", True, False, "SUC001")
    failed = state_from_info(type("Info", (), {"stateCode": 305, "ntssendErrCode": "ERR001"})())
    assert failed.final and not failed.cancelled and failed.nts_result == "ERR001"
    cancelled = state_from_info(type("Info", (), {"stateCode": 600})())
    assert cancelled.cancelled and cancelled.final


def test_cancel_and_refused_cancel(popbill_settings, monkeypatch):
    """BIL-18: 발행취소 before the NTS transmission; Popbill's refusal after it is a refusal."""
    replay = popbill_replay.install(monkeypatch, "token", "cancel_success", "cancel_refused")
    issuer = get_issuer()
    state = issuer.cancel("INV-2026-000001", memo="중복 발행")
    assert state.cancelled and state.code == "600"
    (sent,) = replay.calls("CANCELISSUE")
    assert sent.path == "/Taxinvoice/SELL/INV-2026-000001" and sent.body == {"memo": "중복 발행"}
    with pytest.raises(TaxInvoiceRefused):
        issuer.cancel("INV-2026-000001")


def test_wrong_credentials_are_refused_not_retried_silently(popbill_settings, monkeypatch):
    """Issue 18: Linkhub refusing the LinkID/SecretKey is a refusal (configuration), logged."""
    popbill_replay.install(monkeypatch, "token_refused")
    with pytest.raises(TaxInvoiceRefused) as exc:
        get_issuer().issue(document())
    assert exc.value.code == "-10000001"


def test_secret_key_never_in_logs_rows_or_errors(popbill_settings, monkeypatch, caplog):
    """Issue 18: the secret key appears in no ProviderCall row, log line or exception message."""
    caplog.set_level(logging.DEBUG)
    popbill_replay.install(
        monkeypatch, "token", "issue_success", "issue_refused_business_number", "issue_timeout"
    )
    issuer = get_issuer()
    issuer.issue(document())
    messages = []
    for _ in range(2):
        try:
            issuer.issue(document())
        except Exception as exc:  # every error's text is checked
            messages.append(str(exc))
    with override_settings(POPBILL_SECRET_KEY="not base64!"):
        try:
            get_issuer()
        except TaxInvoiceConfigurationError as exc:
            messages.append(str(exc))
    texts = [*messages, caplog.text]
    for call in ProviderCall.objects.all():
        texts += [call.reference, call.detail, call.operation]
    assert all(SECRET not in text for text in texts)
    assert "not base64!" not in " ".join(messages)


def test_check_reports_configuration_problems_without_calling():
    """Issue 18: check_providers names each missing or malformed Popbill setting."""
    with override_settings(
        TAX_INVOICE_PROVIDER="popbill",
        POPBILL_LINK_ID="",
        POPBILL_SECRET_KEY="***not-base64***",
        POPBILL_CORP_NUM="220-81-6251",
        POPBILL_TIMEOUT="soon",
    ):
        problems = check(False)
    assert any("POPBILL_LINK_ID" in p for p in problems)
    assert any("POPBILL_SECRET_KEY" in p for p in problems)
    assert any("POPBILL_CORP_NUM" in p for p in problems)
    assert any("POPBILL_TIMEOUT" in p for p in problems)
    assert ProviderCall.objects.count() == 0


def test_ping_reports_the_certificate_check_or_an_unreachable_vendor(popbill_settings, monkeypatch):
    """Issue 18: the ping asks Popbill's test environment (CheckCertValidation); when the network
    cannot reach it the answer is one clear problem line, not a crash or a hang."""
    popbill_replay.install(monkeypatch, "token", "cert_valid")
    assert check(True) == []
    monkeypatch.undo()
    problems = check(True)  # the real SDK transport: this machine cannot reach Linkhub
    assert len(problems) == 1 and "not reachable" in problems[0]
    (state,) = [s for s in providers.check(ping=False) if s.kind == "tax_invoice"]
    assert state.chosen == "popbill" and state.ok
    secret = next(v for v in state.variables if v.name == "POPBILL_SECRET_KEY")
    assert secret.secret and secret.present
