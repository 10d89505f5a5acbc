"""Back office: late fees and surcharges as the daily job posted them (BIL-9). Read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from contracts.admin.filters import policy_filter
from core.adminkit import NoRevertHistoryAdmin, ReadOnlyAdminMixin, won_column

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
        "base",
        "amount",
        "billed_on_invoice",
        "formula",
    )
    amount = won_column("amount_won", _("금액"))
    base = won_column("base_won", _("산정 기준 미납액"))
    list_filter = ("kind", "period_start", policy_filter("invoice__policy__code"))
    search_fields = ("invoice__number", "invoice__customer__legal_name", "invoice__customer__business_number")
    list_select_related = ("invoice", "invoice__customer", "billed_on_invoice")
    date_hierarchy = "period_start"

    @admin.display(description=_("고객"), ordering="invoice__customer__legal_name")
    def customer(self, obj: LateCharge) -> Any:
        return obj.invoice.customer
