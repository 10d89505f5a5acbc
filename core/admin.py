from django.contrib import admin

from . import admin_health  # noqa: F401 - registers the system status page
from .adminkit import HistoryAdmin, ReadOnlyAdminMixin
from .models import Holiday, JobRun, StatusTransition


@admin.register(Holiday)
class HolidayAdmin(HistoryAdmin):
    list_display = ("date", "name", "note")
    search_fields = ("name", "note")
    date_hierarchy = "date"


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ("as_of", "job", "status", "counts", "attempts", "duration_ms", "started_at")
    list_filter = ("status", "job")
    search_fields = ("job", "error")
    date_hierarchy = "as_of"
    readonly_fields = [f.name for f in JobRun._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(StatusTransition)
class StatusTransitionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every lifecycle status change (``core.transitions``): read-only, written only by the helper."""

    list_display = ("at", "machine", "object_id", "from_status", "to_status", "on_date", "actor", "reason")
    list_filter = ("machine", "content_type")
    search_fields = ("actor", "reason")
    date_hierarchy = "on_date"
    list_select_related = ("content_type",)
    readonly_fields = [f.name for f in StatusTransition._meta.fields]

    def get_search_results(self, request, queryset, search_term):  # type: ignore[no-untyped-def]
        # A number is an object id (searched exactly); anything else searches the actor and the reason.
        if search_term.strip().isdigit():
            return queryset.filter(object_id=int(search_term.strip())), False
        return super().get_search_results(request, queryset, search_term)
