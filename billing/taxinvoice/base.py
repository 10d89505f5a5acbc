"""The e-tax invoice issuing port (BIL-18, issue 18): what billing needs from an issuing service.

billing builds one :class:`TaxInvoiceDocument` per tax invoice row (``billing.services.tax``); the
same document feeds the NTS standard XML file export and every issuing adapter, so the data rules
live in one place. An adapter answers in two ways, like the payment port:

- a *refusal* (:class:`TaxInvoiceRefused`): the service read the request and said no (invalid
  business number, missing field, the original is not known…). Sending the same data again will
  not help; staff fix the data and the job tries again.
- a *transport* problem (:class:`TaxInvoiceTransportError`): timeout, 5xx, an unreadable answer.
  The outcome is unknown; the job asks again later with the same document number (MgtKey), and
  the adapter recognises a document that already exists instead of issuing it twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Party:
    """공급자 or 공급받는자. ``business_number`` is 10 digits, blank for an individual buyer."""

    business_number: str
    name: str
    representative: str
    address: str = ""
    email: str = ""
    contact_name: str = ""
    phone: str = ""
    business_type: str = ""  # 업태
    business_item: str = ""  # 종목

    @property
    def is_business(self) -> bool:
        return bool(self.business_number)


@dataclass(frozen=True)
class LineItem:
    """One 품목 line: supply amount and tax in won (negative on a minus amended invoice)."""

    sequence: int
    supplied_on: dt.date
    name: str
    supply_won: int
    vat_won: int
    quantity: int | None = None
    unit_price_won: int | None = None
    spec: str = ""
    note: str = ""


@dataclass(frozen=True)
class TaxInvoiceDocument:
    """Everything an issuing service or the NTS standard XML needs about one tax invoice."""

    number: str  # our document number (MgtKey, ≤24 of A-Z a-z 0-9 - _)
    written_on: dt.date  # 작성일자
    issue_by: dt.date  # 발급 기한 (BIL-18)
    type_code: str  # NTS TypeCode: 0101 일반 세금계산서, 0201 수정 세금계산서 …
    purpose_code: str  # NTS PurposeCode: 01 영수, 02 청구
    supplier: Party
    buyer: Party
    supply_won: int
    vat_won: int
    total_won: int
    items: tuple[LineItem, ...]
    remarks: tuple[str, ...] = ()  # 비고 (up to three)
    amendment_code: str = ""  # NTS AmendmentStatusCode 01..06 (amended only)
    original_number: str = ""  # our number of the amended tax invoice
    original_approval_number: str = ""  # its 국세청 승인번호 (OriginalIssueID / orgNTSConfirmNum)
    approval_number: str = ""  # 국세청 승인번호 once issued (IssueID)
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def amended(self) -> bool:
        return self.type_code[:2] in ("02", "04")


@dataclass(frozen=True)
class ProviderState:
    """What the issuing service says about one document."""

    code: str  # the vendor's own status code (Popbill stateCode: 300, 304, 600 …)
    label: str = ""
    approval_number: str = ""
    nts_result: str = ""  # NTS result code (SUC001 …) when known
    issued: bool = True  # the document exists and was issued (not a draft, not refused)
    cancelled: bool = False  # the issue was cancelled (발행취소) at the service
    final: bool = False  # no further change is expected (sent to the NTS, failed there, cancelled)
    cancellable: bool = False  # the service still accepts a cancellation (before it reaches the NTS)


class TaxInvoiceProviderError(Exception):
    """Base of the port's errors. ``code`` is the vendor's error code when it gave one."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class TaxInvoiceRefused(TaxInvoiceProviderError):
    """The service answered and refused the request (bad data, state, configuration)."""


class TaxInvoiceTransportError(TaxInvoiceProviderError):
    """No clear answer (timeout, connection, 5xx, unreadable body): try again later."""


class TaxInvoiceNotFound(TaxInvoiceRefused):
    """The service has no document with this number."""


class TaxInvoiceConfigurationError(TaxInvoiceProviderError):
    """The chosen provider is not configured (a setting missing or invalid)."""


@runtime_checkable
class TaxInvoiceIssuer(Protocol):
    """A service that issues tax invoices for us (정발행) and reports their state."""

    name: str
    #: False for the file provider: rows wait to be exported and uploaded by hand.
    automatic: bool

    def issue(self, document: TaxInvoiceDocument, *, late: bool = False) -> ProviderState:
        """Issue (sign and register) ``document``; ``late`` allows issuing after the deadline."""
        ...

    def state(self, number: str) -> ProviderState:
        """The current state of the document ``number``; :class:`TaxInvoiceNotFound` if unknown."""
        ...

    def cancel(self, number: str, *, memo: str = "") -> ProviderState:
        """Cancel an issued document before it reaches the NTS (발행취소)."""
        ...
