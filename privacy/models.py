"""Data lifecycle records (SPEC §9): destruction records, records kept apart, export and deletion requests.

``RetainedRecord`` marks what must outlive the purge (DAT-3), one per customer and kind, each with its own
destruction date. Contract/payment and dispute records stay in place in their own tables (so reports and
ledgers read the same after a purge), anonymised and linked to the customer's tombstone; the record lists
them (``tables``: table → ids) and the job deletes exactly those rows on its date. The minimum identity
and damoa's login IDs have no live row left, so their few values are kept in ``payload``. It names the
customer by number only (no foreign key).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer, Member


class DestructionRecord(models.Model):
    """DAT-5: what was destroyed, how many rows per table, when, by which job or person. No personal data."""

    class Kind(models.TextChoices):
        CUSTOMER_DATA = "customer_data", _("해지 고객 데이터")
        LOGIN_IDS = "login_ids", _("로그인 ID")
        CONTRACT_RECORDS = "contract_records", _("계약·결제 기록")
        DISPUTE_RECORDS = "dispute_records", _("불만·분쟁 기록")
        IDENTITY = "identity", _("부정이용 방지 정보")
        DORMANT_DATA = "dormant_data", _("휴면 분리 보관 정보")
        MESSAGE_RECORDS = "message_records", _("메시지 기록")

    kind = models.CharField(_("파기 대상"), max_length=24, choices=Kind.choices)
    rule = models.CharField(_("근거"), max_length=40)
    customer_ref = models.PositiveBigIntegerField(_("고객 번호"), null=True, blank=True, db_index=True)
    rows = models.JSONField(_("테이블별 파기 건수"), default=dict)
    total_rows = models.PositiveIntegerField(_("파기 건수 합계"), default=0)
    on_date = models.DateField(_("기준일"), db_index=True)
    at = models.DateTimeField(_("파기 시각"), auto_now_add=True)
    job = models.CharField(_("작업"), max_length=64, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("처리 직원"),
    )
    method = models.CharField(_("방법"), max_length=24, default="delete")

    class Meta:
        verbose_name = _("파기 기록")
        verbose_name_plural = _("파기 기록")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(job="") | Q(user__isnull=False), name="destruction_has_actor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on_date} ({self.total_rows})"


class RetainedRecord(models.Model):
    """What is kept after the purge until its own period ends (DAT-3, DAT-2 login IDs)."""

    #: DAT-6: holds personal data (the kept records' payload); staff views are logged.
    PERSONAL_DATA = True

    Kind = DestructionRecord.Kind

    kind = models.CharField(_("보존 종류"), max_length=24, choices=Kind.choices)
    customer_ref = models.PositiveBigIntegerField(_("고객 번호"), db_index=True)
    payload = models.JSONField(
        _("보존 내용"), default=dict, blank=True, help_text=_("부정이용 방지 정보와 로그인 ID만 (DAT-3)")
    )
    tables = models.JSONField(
        _("보존 행"),
        default=dict,
        blank=True,
        help_text=_("제자리에 익명화해 보존하는 행: 테이블 → ID 목록 (DAT-3)"),
    )
    rows = models.JSONField(_("테이블별 건수"), default=dict)
    kept_from = models.DateField(_("보존 시작일"))
    destroy_on = models.DateField(_("파기 예정일"), db_index=True)
    rule = models.CharField(_("근거"), max_length=40)

    class Meta:
        verbose_name = _("분리 보관 기록")
        verbose_name_plural = _("분리 보관 기록")
        ordering = ["destroy_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer_ref", "kind"], name="one_retained_record_per_kind"),
        ]

    def __str__(self) -> str:
        return f"#{self.customer_ref} {self.get_kind_display()} ~{self.destroy_on}"


class ExportRequest(models.Model):
    """DAT-1: a ZIP of the customer's data, built in the background."""

    #: DAT-6: holds personal data (the export file holds all the customer's data); staff views are logged.
    PERSONAL_DATA = True

    class Status(models.TextChoices):
        QUEUED = "queued", _("대기")
        RUNNING = "running", _("작성 중")
        READY = "ready", _("다운로드 가능")
        FAILED = "failed", _("실패")

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="export_requests", verbose_name=_("고객")
    )
    requested_by = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("요청 구성원"),
    )
    status = models.CharField(_("상태"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("진행률(%)"), default=0)
    file = models.FileField(_("파일"), upload_to="exports/%Y/%m/", max_length=300, blank=True)
    requested_on = models.DateField(_("요청일"))
    created_at = models.DateTimeField(_("요청 시각"), auto_now_add=True)
    finished_at = models.DateTimeField(_("완료 시각"), null=True, blank=True)
    error = models.TextField(_("오류"), blank=True)

    class Meta:
        verbose_name = _("데이터 내보내기 요청")
        verbose_name_plural = _("데이터 내보내기 요청")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.requested_on} {self.get_status_display()}"


class DeletionRequest(models.Model):
    """DAT-4: immediate deletion on the customer's request, after confirmation and a last export offer."""

    #: DAT-6: holds personal data (who asked to delete); staff views are logged.
    PERSONAL_DATA = True

    class Status(models.TextChoices):
        REQUESTED = "requested", _("확인 대기")
        DONE = "done", _("삭제 완료")
        CANCELLED = "cancelled", _("취소")

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="deletion_requests", verbose_name=_("고객")
    )
    requested_by = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("요청 구성원"),
    )
    status = models.CharField(_("상태"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    requested_on = models.DateField(_("요청일"))
    export_offered = models.BooleanField(_("마지막 내보내기 안내"), default=False)
    confirmed_on = models.DateField(_("확인일"), null=True, blank=True)

    class Meta:
        verbose_name = _("삭제 요청")
        verbose_name_plural = _("삭제 요청")
        ordering = ["-requested_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(status="requested"), name="one_open_deletion_request"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.requested_on} {self.get_status_display()}"
