from typing import Any

from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from . import (
    admin_health,  # noqa: F401 - registers the system status page
    admin_providers,  # noqa: F401 - registers the outside providers page
    formatting,
)
from .admin_counts import LargeListMixin
from .admin_filters import choices_filter
from .adminkit import HistoryAdmin, ReadOnlyAdminMixin, actor_label, job_choices, job_label, status_label
from .models import Holiday, JobBatch, JobRun, StatusTransition

#: The counts a job reports (``JobRun.counts``), in words; an unknown key is shown as it is.
COUNT_LABELS = {
    "activated": _("개통"),
    "cancelled": _("취소"),
    "awaiting_claim": _("청구 대기"),
    "awaiting_settlement": _("정산 대기"),
    "charged": _("청구"),
    "closed": _("종료"),
    "complete": _("완료"),
    "contracts": _("계약"),
    "created": _("생성"),
    "credit_applied": _("크레딧 상계"),
    "credited": _("크레딧 발행"),
    "customers_held": _("보관 유지 고객"),
    "customers_purged": _("파기한 고객"),
    "deemed": _("동의 간주"),
    "dormant": _("휴면 전환"),
    "deferred": _("연기"),
    "delivered": _("전달"),
    "dormant_members_purged": _("파기한 휴면 구성원"),
    "due": _("대상"),
    "ended": _("종료"),
    "errors": _("오류"),
    "exhausted": _("재시도 소진"),
    "existing": _("기존"),
    "export_reminders": _("내보내기 안내"),
    "failed": _("실패"),
    "fallbacks": _("대체 발송"),
    "held": _("보류"),
    "ignored": _("무시"),
    "invoices": _("청구서"),
    "issued": _("발행"),
    "late_charges": _("연체료"),
    "lifted": _("해제"),
    "matched": _("자동 매칭"),
    "messages_purged": _("파기한 메시지"),
    "moved": _("이동"),
    "opened": _("개시"),
    "paused": _("일시 중지"),
    "pending": _("대기"),
    "purge_disabled": _("파기 꺼짐"),
    "refused": _("거부"),
    "reminded": _("안내"),
    "renewed": _("갱신"),
    "requeued": _("재대기"),
    "resolved": _("해결"),
    "resumed": _("재개"),
    "retained_records_destroyed": _("파기한 분리 보관 기록"),
    "retry_scheduled": _("재시도 예약"),
    "sent": _("발송"),
    "skipped": _("건너뜀"),
    "started": _("시작"),
    "steps": _("연체 단계"),
    "succeeded": _("성공"),
    "terminated": _("해지"),
    "timed_out": _("시간 초과"),
    "unknown": _("알 수 없음"),
    "unmatched": _("미매칭"),
}


def counts_table(counts: Any) -> str:
    """A job run's counts as a two-column table with Korean labels (not the stored JSON)."""
    if not isinstance(counts, dict) or not counts:
        return "-"
    rows = format_html_join(
        "",
        '<tr><th scope="row">{}</th><td style="text-align:right">{}</td></tr>',
        (
            (
                COUNT_LABELS.get(key, key.replace("_", " ")),
                formatting.number(value) if isinstance(value, int) and not isinstance(value, bool) else value,
            )
            for key, value in counts.items()
        ),
    )
    return format_html('<table class="job-counts"><tbody>{}</tbody></table>', rows)


@admin.register(Holiday)
class HolidayAdmin(HistoryAdmin):
    list_display = ("date", "name", "note")
    search_fields = ("name", "note")
    date_hierarchy = "date"


@admin.register(JobRun)
class JobRunAdmin(LargeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The record of each daily job run: read-only and never deleted, by anyone (a run row is what makes a
    job run once per date; deleting it would run the job again)."""

    list_display = ("as_of", "job_name", "status", "counts_shown", "attempts", "duration_ms", "started_at")
    list_filter = ("status", choices_filter("job", _("작업"), job_choices))
    search_fields = ("job", "error")
    date_hierarchy = "as_of"
    fields = readonly_fields = (
        "job_name",
        "as_of",
        "status",
        "counts_shown",
        "batches_shown",
        "error",
        "attempts",
        "worker",
        "started_at",
        "heartbeat_at",
        "finished_at",
        "duration_ms",
    )

    @admin.display(description=_("작업"), ordering="job")
    def job_name(self, obj: JobRun) -> str:
        return job_label(obj.job)

    @admin.display(description=_("건수"))
    def counts_shown(self, obj: JobRun) -> str:
        return counts_table(obj.counts)

    @admin.display(description=_("작업 배치"))
    def batches_shown(self, obj: JobRun) -> str:
        """A batched job's batches (issue 19): how many in each status, and how many each worker ran."""
        rows = JobBatch.objects.filter(job=obj.job, as_of=obj.as_of)
        statuses = dict(JobBatch.Status.choices)
        by_status = sorted(rows.values_list("status").annotate(n=Count("pk")))
        if not by_status:
            return "-"
        by_worker = sorted(rows.exclude(worker="").values_list("worker").annotate(n=Count("pk")))
        lines = [(statuses.get(status, status), count) for status, count in by_status]
        lines += [(worker, count) for worker, count in by_worker]
        return format_html(
            '<table class="job-counts"><tbody>{}</tbody></table>',
            format_html_join("", '<tr><th scope="row">{}</th><td>{}</td></tr>',
                             ((label, formatting.number(count)) for label, count in lines)),
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # not even a superuser: the row is the job's once-per-date guard


@admin.register(StatusTransition)
class StatusTransitionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every lifecycle status change (``core.transitions``): read-only, written only by the helper."""

    list_display = (
        "at", "content_type", "object_id", "from_label", "to_label", "on_date", "actor_shown", "reason"
    )
    list_filter = ("content_type",)  # the object's kind in words; ``machine`` is its code, one per kind
    search_fields = ("actor", "reason")
    date_hierarchy = "on_date"
    list_select_related = ("content_type",)
    fields = readonly_fields = (
        "content_type",
        "object_id",
        "from_label",
        "to_label",
        "on_date",
        "at",
        "actor_shown",
        "user",
        "reason",
    )

    @admin.display(description=_("이전 상태"), ordering="from_status")
    def from_label(self, obj: StatusTransition) -> str:
        return status_label(obj.content_type.model_class(), obj.from_status)

    @admin.display(description=_("새 상태"), ordering="to_status")
    def to_label(self, obj: StatusTransition) -> str:
        return status_label(obj.content_type.model_class(), obj.to_status)

    @admin.display(description=_("처리자"), ordering="actor")
    def actor_shown(self, obj: StatusTransition) -> str:
        return actor_label(obj.actor)

    def get_search_results(self, request, queryset, search_term):  # type: ignore[no-untyped-def]
        # A number is an object id (searched exactly); anything else searches the actor and the reason.
        if search_term.strip().isdigit():
            return queryset.filter(object_id=int(search_term.strip())), False
        return super().get_search_results(request, queryset, search_term)
