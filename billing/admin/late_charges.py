"""Back office: late fees and surcharges as the daily job posted them (BIL-9). Read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.adminkit import NoRevertHistoryAdmin, ReadOnlyAdminMixin

from ..models import LateCharge


@admin.register(LateCharge)
class LateChargeAdmin(ReadOnlyAdminMixin, NoRevertHistoryAdmin):
    """Late fees and surcharges as the daily job posted them (BIL-9). Read-only."""

    list_display = (
        "invoice",
        "customer",
        "kind",
        "period_start",
        "period_end",
        "days",
        "base_won",
        "amount_won",
        "billed_on_invoice",
        "formula",
    )
    list_filter = ("kind", "period_start", "invoice__policy__code")
    search_fields = ("invoice__number", "invoice__customer__legal_name", "invoice__customer__business_number")
    list_select_related = ("invoice", "invoice__customer", "billed_on_invoice")
    date_hierarchy = "period_start"

    @admin.display(description=_("고객"), ordering="invoice__customer__legal_name")
    def customer(self, obj: LateCharge) -> Any:
        return obj.invoice.customer
