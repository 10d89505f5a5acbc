"""Back office: the ledger (BIL-7), append-only; every row is written by a service."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_counts import LargeListMixin
from core.adminkit import ReadOnlyAdminMixin, actor_column, won_column

from ..models import LedgerEntry


@admin.register(LedgerEntry)
class LedgerEntryAdmin(LargeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("occurred_on", "customer", "kind", "amount", "invoice", "description", "actor_shown")
    actor_shown = actor_column()
    amount = won_column("amount_won", _("금액"))
    list_filter = ("kind", "occurred_on")
    search_fields = (
        "customer__legal_name",
        "customer__business_number",
        "invoice__number",
        "description",
        "key",
    )
    date_hierarchy = "occurred_on"
    list_select_related = ("customer", "invoice")
