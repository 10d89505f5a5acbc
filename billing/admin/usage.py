"""Back office: seat snapshots (BIL-5) and usage records (BIL-6), as the daily jobs wrote them. Read-only."""

from __future__ import annotations

from django.contrib import admin

from core.adminkit import ReadOnlyAdminMixin

from ..models import SeatSnapshot, UsageRecord


@admin.register(SeatSnapshot)
class SeatSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("day", "contract", "registered", "contracted")
    list_filter = ("day",)
    search_fields = ("contract__plan__code", "contract__customer__legal_name")
    date_hierarchy = "day"
    list_select_related = ("contract",)


@admin.register(UsageRecord)
class UsageRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("day", "contract", "unit", "quantity", "source_ref")
    list_filter = ("unit", "day")
    search_fields = ("contract__plan__code", "contract__customer__legal_name", "source_ref")
    date_hierarchy = "day"
    list_select_related = ("contract",)
