"""Shared kernel models: base timestamps, staff-added holidays, job runs."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from .audit import AuditedHistory


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("생성 시각"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("수정 시각"), auto_now=True)

    class Meta:
        abstract = True


class Holiday(TimeStampedModel):
    """A non-business day that staff add on top of the public-holiday calendar (BIL-1)."""

    date = models.DateField(_("날짜"), unique=True)
    name = models.CharField(_("이름"), max_length=100)
    note = models.CharField(_("비고"), max_length=200, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["date"]
        verbose_name = _("추가 휴일")
        verbose_name_plural = _("추가 휴일")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class JobRun(models.Model):
    """One run of one daily job for one as-of date. Unique per job and date."""

    class Status(models.TextChoices):
        RUNNING = "running", _("실행 중")
        SUCCEEDED = "succeeded", _("성공")
        FAILED = "failed", _("실패")
        # Stopped by a signal (SIGTERM, Ctrl-C) before it finished; the next attempt resumes it.
        INTERRUPTED = "interrupted", _("중단됨")

    job = models.CharField(_("작업"), max_length=64)
    as_of = models.DateField(_("기준일"))
    status = models.CharField(_("상태"), max_length=16, choices=Status.choices, default=Status.RUNNING)
    counts = models.JSONField(_("건수"), default=dict, blank=True)
    error = models.TextField(_("오류"), blank=True)
    attempts = models.PositiveIntegerField(_("시도 횟수"), default=1)
    worker = models.CharField(_("작업자"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("시작"))
    # Renewed while the run is alive (core.jobs lease): a "running" row whose heartbeat is older than
    # the lease belongs to a dead worker and is taken over at once by the next attempt.
    heartbeat_at = models.DateTimeField(_("마지막 생존 신호"), null=True, blank=True)
    finished_at = models.DateTimeField(_("종료"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("소요(ms)"), null=True, blank=True)

    class Meta:
        ordering = ["-as_of", "job"]
        verbose_name = _("작업 실행 기록")
        verbose_name_plural = _("작업 실행 기록")
        constraints = [
            models.UniqueConstraint(fields=["job", "as_of"], name="jobrun_unique_job_date"),
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.as_of} {self.get_status_display()}"


class JobBatch(models.Model):
    """One batch of a whole-book job's run for one as-of date (issue 19, ``core.jobs``).

    The run that claims the (job, date) writes the plan once, one row per batch in order; any worker
    then takes the next pending batch ``FOR UPDATE SKIP LOCKED``, runs it and records it done with its
    counts. A running batch whose heartbeat is older than the lease belongs to a dead worker and is taken
    again. Unique per (job, date, index), so a plan is written once and a resumed run reuses it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("대기")
        RUNNING = "running", _("실행 중")
        DONE = "done", _("완료")
        FAILED = "failed", _("실패")

    job = models.CharField(_("작업"), max_length=64)
    as_of = models.DateField(_("기준일"))
    index = models.PositiveIntegerField(_("순번"))
    payload = models.JSONField(_("대상"), default=dict, blank=True)
    status = models.CharField(_("상태"), max_length=16, choices=Status.choices, default=Status.PENDING)
    counts = models.JSONField(_("건수"), default=dict, blank=True)
    error = models.TextField(_("오류"), blank=True)
    attempts = models.PositiveIntegerField(_("시도 횟수"), default=0)
    worker = models.CharField(_("작업자"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("시작"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("마지막 생존 신호"), null=True, blank=True)
    finished_at = models.DateTimeField(_("종료"), null=True, blank=True)

    class Meta:
        ordering = ["-as_of", "job", "index"]
        verbose_name = _("작업 배치")
        verbose_name_plural = _("작업 배치")
        constraints = [
            models.UniqueConstraint(fields=["job", "as_of", "index"], name="jobbatch_unique_job_date_index"),
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.as_of} #{self.index} {self.get_status_display()}"


class StatusTransition(models.Model):
    """Append-only log of a lifecycle status change of any model (``core.transitions``).

    Who (a person or a job), when, from which state to which, and why. Contracts keep their own
    ``ContractTransition`` table; every other lifecycle writes here.
    """

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+", verbose_name=_("대상 종류")
    )
    object_id = models.BigIntegerField(_("대상 ID"))
    #: The object that moved (not a column; lets ``core.adminkit.StatusTransitionInline`` list its log).
    target = GenericForeignKey("content_type", "object_id")
    machine = models.CharField(_("상태 흐름"), max_length=40)
    from_status = models.CharField(_("이전 상태"), max_length=24)
    to_status = models.CharField(_("새 상태"), max_length=24)
    on_date = models.DateField(_("기준일"))
    at = models.DateTimeField(_("시각"), auto_now_add=True)
    actor = models.CharField(_("처리자"), max_length=120)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("사용자"),
    )
    reason = models.TextField(_("사유"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("상태 변경 기록")
        verbose_name_plural = _("상태 변경 기록")
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self) -> str:
        from django.contrib.contenttypes.models import ContentType

        from .formatting import day

        def status_label(model: type[models.Model] | None, code: str) -> str:
            field = next((f for f in model._meta.fields if f.name == "status"), None) if model else None
            return str(dict(field.flatchoices).get(code, code)) if field is not None else code

        model = (
            ContentType.objects.get_for_id(self.content_type_id).model_class()
            if self.content_type_id
            else None
        )
        name = model._meta.verbose_name if model is not None else self.machine
        return (
            f"{name} #{self.object_id}: {status_label(model, self.from_status)} → "
            f"{status_label(model, self.to_status)} ({day(self.on_date)})"
        )


class IdempotencyKey(models.Model):
    """One ``Idempotency-Key`` of one customer, bound to the request it was first used with (SPEC §11).

    Stripe's rules: the key is tied to a fingerprint of the whole request (method, path, body, acting
    customer); another request under the same key is refused (409), so is a second one while the first
    is still being processed; a finished request's response is stored and replayed; keys expire after
    ``IDEMPOTENCY_KEY_TTL`` (24 hours).
    """

    class State(models.TextChoices):
        IN_FLIGHT = "in_flight", _("처리 중")
        DONE = "done", _("완료")

    key = models.CharField(_("키"), max_length=200, unique=True)  # "api:<customer>:<header>"
    fingerprint = models.CharField(_("요청 지문"), max_length=64)
    method = models.CharField(_("메서드"), max_length=10)
    path = models.CharField(_("경로"), max_length=500)
    state = models.CharField(_("상태"), max_length=16, choices=State.choices, default=State.IN_FLIGHT)
    status_code = models.PositiveSmallIntegerField(_("응답 코드"), null=True, blank=True)
    response_body = models.JSONField(_("응답 본문"), null=True, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("생성 시각"))
    expires_at = models.DateTimeField(_("만료 시각"), db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("멱등 키")
        verbose_name_plural = _("멱등 키")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="in_flight") | models.Q(status_code__isnull=False),
                name="idempotencykey_done_has_response",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="idempotencykey_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.state}"


class Heartbeat(models.Model):
    """The last sign of life of a process kind that has no request to answer (``/readyz``).

    Celery beat sends ``core.tasks.beat_heartbeat`` every minute and a worker records it here, so one
    fresh row proves beat, the broker and a worker are all alive.
    """

    name = models.CharField(_("이름"), max_length=32, primary_key=True)
    at = models.DateTimeField(_("마지막 신호"))
    source = models.CharField(_("보낸 곳"), max_length=200, blank=True)

    class Meta:
        # The admin lists it as the system status page (core.admin_health).
        verbose_name = _("시스템 상태")
        verbose_name_plural = _("시스템 상태")

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"


class ProviderCall(models.Model):
    """One call to (or webhook from) an outside provider: a PG, the e-tax service, the messaging vendor.

    Written by :func:`core.providers.provider_call` around every adapter request, so staff see what the
    product asked of whom and what came back (issue 18). Never holds a secret: ``detail`` passes through
    :func:`core.providers.redact` and request bodies are not stored.
    """

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("카드 결제")
        TAX_INVOICE = "tax_invoice", _("전자세금계산서")
        MESSAGING = "messaging", _("문자·알림톡")

    class Outcome(models.TextChoices):
        OK = "ok", _("성공")
        REFUSED = "refused", _("거절")
        ERROR = "error", _("통신 오류")
        REJECTED = "rejected", _("수신 거부 (서명·형식 오류)")
        DUPLICATE = "duplicate", _("중복 수신")

    kind = models.CharField(_("종류"), max_length=16, choices=Kind.choices)
    provider = models.CharField(_("연동 업체"), max_length=32)
    operation = models.CharField(_("요청"), max_length=48)
    outcome = models.CharField(_("결과"), max_length=16, choices=Outcome.choices)
    http_status = models.PositiveSmallIntegerField(_("HTTP 상태"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("소요 시간(ms)"), default=0)
    reference = models.CharField(_("참조 번호"), max_length=120, blank=True)
    detail = models.CharField(_("내용"), max_length=500, blank=True)
    at = models.DateTimeField(_("시각"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("외부 연동 호출")
        verbose_name_plural = _("외부 연동 호출")
        ordering = ("-at", "-id")
        indexes = [models.Index(fields=["kind", "provider", "-at"], name="core_providercall_recent")]

    def __str__(self) -> str:
        return f"{self.provider} {self.operation} #{self.pk}"
