"""Back office: tax invoice data (BIL-18), exported to the operator's e-tax invoice provider."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from core import clock
from core.adminkit import (
    NoRevertHistoryAdmin,
    PersonalDataAdminMixin,
    ReadOnlyAdminMixin,
    StatusTransitionInline,
    won_column,
)
from core.audit import acting_as
from core.errors import DomainError

from ..models import TaxInvoice
from ..services import tax


@admin.register(TaxInvoice)
class TaxInvoiceAdmin(ReadOnlyAdminMixin, PersonalDataAdminMixin, NoRevertHistoryAdmin):
    """BIL-18: the tax invoice data, exported to the operator's e-tax invoice provider as CSV or XML."""

    personal_data_customer = ("invoice__customer", "credit_note__customer")

    inlines = (StatusTransitionInline,)

    list_display = (
        "written_on",
        "source",
        "buyer_name",
        "buyer_business_number",
        "supply",
        "vat",
        "total",
        "issue_by",
        "status",
        "approval_number",
        "provider_state",
        "exported_at",
    )
    supply = won_column("supply_won", _("공급가액"))
    vat = won_column("vat_won", _("세액"))
    total = won_column("total_won", _("합계금액"))
    list_filter = ("status", "provider", "provider_done", "written_on", "issue_by")
    search_fields = (
        "buyer_name",
        "buyer_business_number",
        "invoice__number",
        "credit_note__number",
        "item_name",
        "approval_number",
    )
    date_hierarchy = "written_on"
    list_select_related = ("invoice", "credit_note")
    actions = ("export_csv", "export_xml", "cancel_issue")

    @admin.display(description=_("원본"))
    def source(self, obj: TaxInvoice) -> str:
        if obj.invoice is not None:
            return obj.invoice.number
        return obj.credit_note.number if obj.credit_note is not None else ""

    @admin.display(description=_("연동 업체 상태"))
    def provider_state(self, obj: TaxInvoice) -> str:
        """Issue 18: the provider's own status (e.g. Popbill 304 국세청 전송 성공) and its last error."""
        if not obj.provider:
            return ""
        label = tax.provider_status_label(obj)
        return f"{label} — {obj.provider_error}" if obj.provider_error else label

    def has_export_permission(self, request: HttpRequest) -> bool:
        """Exporting marks rows exported (a change, audited per row): it needs the change permission, not
        view (the admin itself stays read-only: ``has_change_permission`` is False for the form)."""
        return request.user.has_perm("billing.change_taxinvoice")

    @admin.action(description=_("CSV로 내보내기 (내보냄 표시)"), permissions=["export"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[TaxInvoice]) -> HttpResponse:
        with acting_as(request.user):
            data = tax.tax_invoices_export_csv(queryset)
        response = HttpResponse(data, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="tax-invoices-{clock.today():%Y%m%d}.csv"'
        return response

    @admin.action(description=_("XML로 내보내기 (내보냄 표시)"), permissions=["export"])
    def export_xml(self, request: HttpRequest, queryset: QuerySet[TaxInvoice]) -> HttpResponse:
        """One NTS standard XML file per tax invoice, zipped (the standard has one document per file)."""
        with acting_as(request.user):
            data = tax.tax_invoices_export_xml(queryset)
        response = HttpResponse(data, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="tax-invoices-{clock.today():%Y%m%d}.zip"'
        return response

    @admin.action(description=_("발행취소 (국세청 전송 전)"), permissions=["export"])
    def cancel_issue(self, request: HttpRequest, queryset: QuerySet[TaxInvoice]) -> None:
        """Issue 18: cancel issued tax invoices the provider has not yet sent to the NTS (BIL-18)."""
        done = 0
        for row in queryset:
            try:
                with acting_as(request.user):
                    tax.tax_invoice_cancel(
                        row=row, reason=str(_("관리자 발행취소 요청")), today=clock.today()
                    )
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{tax.source_number(row)}: {exc.message}", messages.ERROR)
        if done:
            self.message_user(
                request, _("{count}건을 발행취소했습니다.").format(count=done), messages.SUCCESS
            )
