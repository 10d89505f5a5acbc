"""E-tax invoice issuing (BIL-18, issue 18): the port, the file provider (default) and Popbill.

``get_issuer()`` picks one by ``TAX_INVOICE_PROVIDER``: ``"file"`` (default: rows are exported as
NTS standard XML or CSV and uploaded by hand, nothing is sent anywhere) or ``"popbill"`` (issued
through Popbill's API; see :mod:`billing.taxinvoice.popbill` for its settings).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core import providers

from .base import (
    LineItem,
    Party,
    ProviderState,
    TaxInvoiceConfigurationError,
    TaxInvoiceDocument,
    TaxInvoiceIssuer,
    TaxInvoiceNotFound,
    TaxInvoiceProviderError,
    TaxInvoiceRefused,
    TaxInvoiceTransportError,
)

__all__ = [
    "FileIssuer",
    "LineItem",
    "Party",
    "ProviderState",
    "TaxInvoiceConfigurationError",
    "TaxInvoiceDocument",
    "TaxInvoiceIssuer",
    "TaxInvoiceNotFound",
    "TaxInvoiceProviderError",
    "TaxInvoiceRefused",
    "TaxInvoiceTransportError",
    "get_issuer",
    "vendors",
]

CHOOSER = "TAX_INVOICE_PROVIDER"
DEFAULT = "file"


class FileIssuer:
    """The default: nothing is issued automatically; staff export the rows and upload the file."""

    name = "file"
    automatic = False

    def _manual(self) -> TaxInvoiceConfigurationError:
        return TaxInvoiceConfigurationError(
            "TAX_INVOICE_PROVIDER=file issues nothing: export the rows and upload the file to the provider"
        )

    def issue(self, document: TaxInvoiceDocument, *, late: bool = False) -> ProviderState:
        raise self._manual()

    def state(self, number: str) -> ProviderState:
        raise self._manual()

    def cancel(self, number: str, *, memo: str = "") -> ProviderState:
        raise self._manual()


def chosen() -> str:
    return str(providers.setting(CHOOSER, DEFAULT) or DEFAULT).strip().lower()


def get_issuer() -> TaxInvoiceIssuer:
    kind = chosen()
    if kind == "file":
        return FileIssuer()
    if kind == "popbill":
        from .popbill import PopbillIssuer

        return PopbillIssuer.from_settings()
    raise TaxInvoiceConfigurationError(f"unknown {CHOOSER} {kind!r}; use 'file' or 'popbill'")


def _popbill_check(ping: bool) -> list[str]:
    from .popbill import check

    return check(ping)


def vendors() -> tuple[providers.Vendor, ...]:
    """The e-tax invoice port's vendors as ``core.providers`` lists them (admin page, check_providers)."""
    return (
        providers.Vendor(name="file", label=_("파일 내보내기 (홈택스 일괄 업로드)")),
        providers.Vendor(
            name="popbill",
            label=_("팝빌 (Popbill) 전자세금계산서 API"),
            required=("POPBILL_LINK_ID", "POPBILL_CORP_NUM"),
            secrets=("POPBILL_SECRET_KEY",),
            optional=("POPBILL_IS_TEST", "POPBILL_USER_ID", "POPBILL_TIMEOUT"),
            check=_popbill_check,
        ),
    )
