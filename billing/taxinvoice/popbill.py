"""Popbill (팝빌, Linkhub) adapter of the e-tax invoice port, on the vendor's ``popbill`` SDK (issue 18).

Settings (Django settings first, then the environment, through :func:`core.providers.setting`):

- ``POPBILL_LINK_ID`` and ``POPBILL_SECRET_KEY`` (secret): the partner credentials Linkhub issues;
- ``POPBILL_CORP_NUM``: the operator's business registration number (the Popbill member that issues);
- ``POPBILL_IS_TEST``: ``true`` (default) talks to the test environment (popbill-test.linkhub.co.kr);
- ``POPBILL_USER_ID`` (optional): the Popbill user recorded as the issuer;
- ``POPBILL_TIMEOUT`` (optional): seconds per request, default 10.

Calls used: ``registIssue`` (즉시 발행, 정발행, our tax invoice number as the invoicer MgtKey; an amended
tax invoice carries ``modifyCode`` and ``orgNTSConfirmNum``), ``getInfo`` (stateCode and the NTS
approval number ``ntsconfirmNum``), ``cancelIssue`` (발행취소, only before the NTS transmission) and
``checkCertValidation`` for the ping of ``manage.py check_providers --ping``.

The SDK talks ``http.client`` directly and sets no socket timeout, keeps one service object per
process (a singleton) and caches its token there. This adapter makes its own service object per
issuer (so a configuration change is seen, and tests are independent), sets the timeout on every
connection it opens (the Linkhub token request included) and drops a connection after a transport
error. Every request is one :func:`core.providers.provider_call` row; the secret key never leaves
the SDK's HMAC and no request body or header is logged.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import http.client
from typing import Any

import linkhub
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from popbill import PopbillException, TaxinvoiceService
from popbill.base import PopbillBase, Singleton
from popbill.taxinvoiceService import Taxinvoice, TaxinvoiceDetail

from core import providers

from .base import (
    ProviderState,
    TaxInvoiceConfigurationError,
    TaxInvoiceDocument,
    TaxInvoiceNotFound,
    TaxInvoiceRefused,
    TaxInvoiceTransportError,
)

NAME = "popbill"
KIND = "tax_invoice"
DEFAULT_TIMEOUT_SECONDS = 10.0
MGT_KEY_TYPE = "SELL"  # 매출: we are the supplier (정발행)
NOT_FOUND = -11000005  # "Document ID does not exist" (Popbill error table)

#: Popbill stateCode (the first digit the stage, the last the NTS transmission) → Korean label.
STATE_LABELS: dict[int, str | Promise] = {
    100: _("임시저장"),
    300: _("발행완료"),
    301: _("국세청 전송 전"),
    302: _("국세청 전송 대기"),
    303: _("국세청 전송 중"),
    304: _("국세청 전송 성공"),
    305: _("국세청 전송 실패"),
    600: _("발행취소"),
}
#: NTS AmendmentStatusCode (01..06) → Popbill modifyCode (1..6).
MODIFY_CODES = {f"0{n}": n for n in range(1, 7)}


def _truthy(value: object, default: bool = True) -> bool:
    if value in (None, ""):
        return default
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _timeout() -> float:
    raw = providers.setting("POPBILL_TIMEOUT", DEFAULT_TIMEOUT_SECONDS)
    try:
        seconds = float(raw)
    except (TypeError, ValueError) as exc:
        raise TaxInvoiceConfigurationError(
            f"POPBILL_TIMEOUT must be a number of seconds, not {raw!r}"
        ) from exc
    if seconds <= 0:
        raise TaxInvoiceConfigurationError("POPBILL_TIMEOUT must be more than 0 seconds")
    return seconds


# ── the SDK, made safe to use ─────────────────────────────────────────────────────────────────────


class _FreshInstances(Singleton):
    """The SDK's classes are singletons; ours makes a new object per issuer (its own settings)."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return type.__call__(cls, *args, **kwargs)


class _Connection:
    """The SDK's connection, remembering the last HTTP status for the call log."""

    def __init__(self, conn: Any, owner: _Service) -> None:
        self._conn = conn
        self._owner = owner

    def request(self, *args: Any, **kwargs: Any) -> Any:
        self._owner.last_status = None
        return self._conn.request(*args, **kwargs)

    def getresponse(self) -> Any:
        response = self._conn.getresponse()
        self._owner.last_status = response.status
        return response

    def close(self) -> None:
        self._conn.close()


class _Service(TaxinvoiceService, metaclass=_FreshInstances):  # type: ignore[misc]
    def __init__(self, link_id: str, secret_key: str, *, timeout: float) -> None:
        # Not TaxinvoiceService.__init__: its ``super(self.__class__, self)`` recurses in a subclass.
        PopbillBase.__init__(self, link_id, secret_key)
        self._addScope("110")
        self.socket_timeout = timeout
        self.last_status: int | None = None

    def _getConn(self) -> Any:
        conn = super()._getConn()
        conn.timeout = self.socket_timeout
        return _Connection(conn, self)

    def reset(self) -> None:
        """Forget the connection after a transport error (it may be half-way through a response)."""
        conn = getattr(self, "_PopbillBase__conn", None)
        self._PopbillBase__conn = None
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.close()


_AUTH_TIMEOUT = [DEFAULT_TIMEOUT_SECONDS]


def _guard_token_requests(timeout: float) -> None:
    """The Linkhub token request opens its own connection without a timeout: give it ours."""
    _AUTH_TIMEOUT[0] = timeout
    token = linkhub.TokenInstance
    if getattr(token, "_termsops_timeout", False):
        return
    original = type(token)._getconn

    def _getconn(UseStaticIP: bool = False, UseGAIP: bool = False) -> Any:
        conn = original(token, UseStaticIP, UseGAIP)
        conn.timeout = _AUTH_TIMEOUT[0]
        return conn

    token._getconn = _getconn
    token._termsops_timeout = True


TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    OSError,  # timeouts, refused connections, DNS, TLS
    http.client.HTTPException,
    ValueError,  # an answer that is not the JSON the SDK expects (json.JSONDecodeError)
    AttributeError,  # JSON without code/message
)


# ── the adapter ───────────────────────────────────────────────────────────────────────────────────


class PopbillIssuer:
    """Issues through Popbill's TaxinvoiceService (정발행, 즉시 발행)."""

    name = NAME
    automatic = True

    def __init__(
        self,
        *,
        link_id: str,
        secret_key: str,
        corp_num: str,
        is_test: bool = True,
        user_id: str = "",
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        problems = configuration_problems(link_id=link_id, secret_key=secret_key, corp_num=corp_num)
        if problems:
            raise TaxInvoiceConfigurationError("; ".join(problems))
        self.corp_num = corp_num
        self.user_id = user_id or None
        self.is_test = is_test
        _guard_token_requests(timeout)
        self._service = _Service(link_id, secret_key, timeout=timeout)
        self._service.IsTest = is_test

    @classmethod
    def from_settings(cls) -> PopbillIssuer:
        return cls(
            link_id=str(providers.setting("POPBILL_LINK_ID", "") or ""),
            secret_key=str(providers.setting("POPBILL_SECRET_KEY", "") or ""),
            corp_num=str(providers.setting("POPBILL_CORP_NUM", "") or "").replace("-", ""),
            is_test=_truthy(providers.setting("POPBILL_IS_TEST", "true")),
            user_id=str(providers.setting("POPBILL_USER_ID", "") or ""),
            timeout=_timeout(),
        )

    # -- one request ---------------------------------------------------------------------------

    def _call(self, operation: str, reference: str, fn: Any, *args: Any) -> Any:
        """One SDK request inside one call-log row. A refusal leaves the block normally (logged as
        refused), a transport problem is logged as an error; the port's exception is raised after."""
        failure: TaxInvoiceRefused | TaxInvoiceTransportError | None = None
        result: Any = None
        with providers.provider_call(
            kind=KIND, provider=NAME, operation=operation, reference=reference
        ) as call:
            try:
                result = fn(*args)
            except PopbillException as exc:
                code, message = int(exc.code), str(exc.message)
                detail = f"[{code}] {message}"
                if (self._service.last_status or 0) >= 500:
                    self._service.reset()
                    failure = TaxInvoiceTransportError(detail, code=str(code))
                    call.outcome, call.detail = "error", detail
                else:
                    error = TaxInvoiceNotFound if code == NOT_FOUND else TaxInvoiceRefused
                    failure = error(message, code=str(code))
                    call.refused(detail)
            except TRANSPORT_ERRORS as exc:
                self._service.reset()
                detail = f"{type(exc).__name__}: {exc}"
                failure = TaxInvoiceTransportError(detail)
                call.outcome, call.detail = "error", detail
            call.http_status = self._service.last_status or (None if failure else 200)
        if failure is not None:
            raise failure
        return result

    # -- the port ------------------------------------------------------------------------------

    def issue(self, document: TaxInvoiceDocument, *, late: bool = False) -> ProviderState:
        taxinvoice = to_popbill(document, corp_num=self.corp_num)
        response = self._call(
            "registIssue",
            document.number,
            lambda: self._service.registIssue(
                self.corp_num, taxinvoice, False, late, None, None, None, self.user_id
            ),
        )
        approval = str(getattr(response, "ntsConfirmNum", None) or "")
        return ProviderState(
            code="300", label=str(STATE_LABELS[300]), approval_number=approval, cancellable=True
        )

    def state(self, number: str) -> ProviderState:
        info = self._call("getInfo", number, self._service.getInfo, self.corp_num, MGT_KEY_TYPE, number)
        return state_from_info(info)

    def cancel(self, number: str, *, memo: str = "") -> ProviderState:
        self._call(
            "cancelIssue",
            number,
            self._service.cancelIssue,
            self.corp_num,
            MGT_KEY_TYPE,
            number,
            memo[:200] or None,
            self.user_id,
        )
        return ProviderState(
            code="600", label=str(STATE_LABELS[600]), cancelled=True, final=True, issued=True
        )

    def ping(self) -> list[str]:
        """Ask the (test) environment whether the operator's certificate is registered for issuing."""
        try:
            self._call("checkCertValidation", self.corp_num, self._service.checkCertValidation, self.corp_num)
        except TaxInvoiceRefused as exc:
            return [f"Popbill refused: [{exc.code}] {exc.message}"]
        except TaxInvoiceTransportError as exc:
            return [f"Popbill {'test ' if self.is_test else ''}environment not reachable: {exc.message}"]
        return []


# ── mapping ───────────────────────────────────────────────────────────────────────────────────────


def _won(value: int) -> str:
    return str(int(value))


def to_popbill(document: TaxInvoiceDocument, *, corp_num: str) -> Taxinvoice:
    """Our document as Popbill's ``Taxinvoice`` object (field names from Popbill's API reference)."""
    supplier, buyer = document.supplier, document.buyer
    remarks = [*list(document.remarks)[:3], "", "", ""]
    fields: dict[str, Any] = {
        "writeDate": f"{document.written_on:%Y%m%d}",
        "chargeDirection": "정과금",
        "issueType": "정발행",
        "purposeType": "영수" if document.purpose_code == "01" else "청구",
        "taxType": "과세",
        "invoicerCorpNum": corp_num,
        "invoicerMgtKey": document.number,
        "invoicerCorpName": supplier.name,
        "invoicerCEOName": supplier.representative,
        "invoicerAddr": supplier.address,
        "invoicerBizType": supplier.business_type,
        "invoicerBizClass": supplier.business_item,
        "invoicerContactName": supplier.contact_name or supplier.representative,
        "invoicerEmail": supplier.email,
        "invoicerTEL": supplier.phone,
        "invoicerSMSSendYN": False,
        "invoiceeType": "사업자",
        "invoiceeCorpNum": buyer.business_number,
        "invoiceeCorpName": buyer.name,
        "invoiceeCEOName": buyer.representative,
        "invoiceeAddr": buyer.address,
        "invoiceeBizType": buyer.business_type,
        "invoiceeBizClass": buyer.business_item,
        "invoiceeContactName1": buyer.contact_name or buyer.representative,
        "invoiceeEmail1": buyer.email,
        "invoiceeSMSSendYN": False,
        "supplyCostTotal": _won(document.supply_won),
        "taxTotal": _won(document.vat_won),
        "totalAmount": _won(document.total_won),
        "remark1": remarks[0],
        "remark2": remarks[1],
        "remark3": remarks[2],
        "businessLicenseYN": False,
        "bankBookYN": False,
    }
    if document.amended:
        fields["modifyCode"] = MODIFY_CODES[document.amendment_code]
        fields["orgNTSConfirmNum"] = document.original_approval_number
    taxinvoice = Taxinvoice(**fields)
    taxinvoice.detailList = [
        TaxinvoiceDetail(
            serialNum=item.sequence,
            purchaseDT=f"{item.supplied_on:%Y%m%d}",
            itemName=item.name,
            spec=item.spec,
            qty=str(item.quantity) if item.quantity is not None else "",
            unitCost=_won(item.unit_price_won) if item.unit_price_won is not None else "",
            supplyCost=_won(item.supply_won),
            tax=_won(item.vat_won),
            remark=item.note,
        )
        for item in document.items
    ]
    return taxinvoice


def state_from_info(info: Any) -> ProviderState:
    """Popbill's ``TaxinvoiceInfo`` (getInfo) as the port's :class:`ProviderState`."""
    try:
        code = int(getattr(info, "stateCode", None) or 0)
    except (TypeError, ValueError):
        code = 0
    stage, transmission = divmod(code, 100)
    label = str(STATE_LABELS.get(code) or (STATE_LABELS.get(stage * 100, "") if stage else ""))
    return ProviderState(
        code=str(code),
        label=label,
        approval_number=str(getattr(info, "ntsconfirmNum", None) or ""),
        nts_result=str(getattr(info, "ntssendErrCode", None) or getattr(info, "ntsresult", None) or ""),
        issued=stage in (3, 6),
        cancelled=stage == 6,
        final=stage == 6 or (stage == 3 and transmission in (4, 5)),
        cancellable=stage == 3 and transmission in (0, 1),
    )


# ── configuration check (core.providers) ──────────────────────────────────────────────────────────


def configuration_problems(*, link_id: str, secret_key: str, corp_num: str) -> list[str]:
    problems = []
    if not link_id:
        problems.append("POPBILL_LINK_ID is not set")
    if not secret_key:
        problems.append("POPBILL_SECRET_KEY is not set")
    else:
        try:
            base64.b64decode(secret_key.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError):
            problems.append("POPBILL_SECRET_KEY is not the base64 key Linkhub issued")
    digits = corp_num.replace("-", "")
    if not (len(digits) == 10 and digits.isdigit()):
        problems.append("POPBILL_CORP_NUM must be the operator's 10-digit business registration number")
    return problems


def check(ping: bool) -> list[str]:
    """``manage.py check_providers``: the settings, and with ``ping`` the Popbill (test) environment."""
    problems = configuration_problems(
        link_id=str(providers.setting("POPBILL_LINK_ID", "") or ""),
        secret_key=str(providers.setting("POPBILL_SECRET_KEY", "") or ""),
        corp_num=str(providers.setting("POPBILL_CORP_NUM", "") or ""),
    )
    try:
        _timeout()
    except TaxInvoiceConfigurationError as exc:
        problems.append(str(exc))
    raw_test = providers.setting("POPBILL_IS_TEST", "true")
    if str(raw_test).strip().lower() not in ("", "1", "0", "true", "false", "yes", "no", "on", "off"):
        problems.append(f"POPBILL_IS_TEST must be true or false, not {raw_test!r}")
    if problems or not ping:
        return problems
    return PopbillIssuer.from_settings().ping()


def describe_state(code: str) -> str:
    """The Korean label of a stored Popbill state code (admin)."""
    try:
        number = int(code)
    except (TypeError, ValueError):
        return code
    return str(STATE_LABELS[number]) if number in STATE_LABELS else code
