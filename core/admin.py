from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Holiday, JobRun


@admin.register(Holiday)
class HolidayAdmin(SimpleHistoryAdmin):
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
