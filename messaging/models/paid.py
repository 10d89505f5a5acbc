"""The paid SMS/LMS/KakaoTalk product the ``kgmsg`` terms sell (MSG-2..9).

Sender numbers with their proof documents (MSG-4), AlimTalk templates under
Kakao's review (MSG-2a), one row per message with its delivery result (MSG-6),
bulk sends (``MessageBatch``), recipients' consent and opt-out (MSG-7) and the
payment-notification settings (MSG-5). Every write is a service in
``messaging/services/``; statuses move through ``messaging.lifecycles``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.audit import AuditedHistory
from core.models import TimeStampedModel


class MessageKind(models.TextChoices):
    """What a message is, and the usage unit it is billed as (``Plan.usage_unit_prices`` keys)."""

    SMS = "sms", _("SMS")
    LMS = "lms", _("LMS")
    ALIMTALK = "alimtalk", _("알림톡")
    FRIENDTALK_TEXT = "friendtalk_text", _("친구톡(텍스트)")
    FRIENDTALK_IMAGE = "friendtalk_image", _("친구톡(이미지)")


TEXT_KINDS = frozenset({MessageKind.SMS, MessageKind.LMS})
KAKAO_KINDS = frozenset({MessageKind.ALIMTALK, MessageKind.FRIENDTALK_TEXT, MessageKind.FRIENDTALK_IMAGE})


class MessagePurpose(models.TextChoices):
    INFO = "info", _("정보성")
    ADVERT = "advert", _("광고성")
    PAYMENT = "payment", _("결제 알림")


class SenderNumber(TimeStampedModel):
    """A calling number a customer may send from, approved by staff on a telecom certificate (MSG-4)."""

    #: DAT-6: holds personal data (a calling number); staff views are logged.
    PERSONAL_DATA = True

    class Purpose(models.TextChoices):
        SMS = "sms", _("문자 발신번호")
        BUYER_ALIMTALK = "buyer_alimtalk", _("구매자 대상 결제 알림톡 발신번호")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("승인 요청")
        APPROVED = "approved", _("승인")
        REJECTED = "rejected", _("반려")
        REVOKED = "revoked", _("해제")
        BLOCKED = "blocked", _("차단(번호 변작)")

    ACTIVE = (Status.REQUESTED, Status.APPROVED)

    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="sender_numbers", verbose_name=_("고객")
    )
    number = models.CharField(_("발신번호"), max_length=20, help_text=_("숫자만 (예: 0212345678)"))
    purpose = models.CharField(_("용도"), max_length=20, choices=Purpose.choices, default=Purpose.SMS)
    proof_document = models.FileField(
        _("통신서비스 이용증명원"),
        upload_to="messaging/sender_proofs/%Y/%m/",
        help_text=_("발신번호별 통신(가입)사실증명서 (003 별표2-가)"),
    )
    status = models.CharField(_("상태"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("요청자"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("검토자"),
    )
    reviewed_at = models.DateTimeField(_("검토 시각"), null=True, blank=True)
    decision_reason = models.TextField(_("사유"), blank=True)
    spoof_reported_at = models.DateTimeField(_("변작 신고 시각"), null=True, blank=True)

    class Meta:
        ordering = ["customer_id", "number"]
        verbose_name = _("발신번호")
        verbose_name_plural = _("발신번호")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "number", "purpose"],
                condition=Q(status__in=["requested", "approved"]),
                name="sendernumber_unique_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.get_purpose_display()})"


class KakaoTemplate(TimeStampedModel):
    """An AlimTalk template of one sender profile with ``#{variable}`` placeholders (MSG-2a)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("검수 요청")
        IN_REVIEW = "in_review", _("검수 중")
        APPROVED = "approved", _("승인")
        REJECTED = "rejected", _("반려")

    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="kakao_templates", verbose_name=_("고객")
    )
    sender_profile = models.CharField(
        _("발신 프로필"), max_length=64, help_text=_("카카오톡 채널 검색용 아이디 또는 발신 프로필 키")
    )
    code = models.CharField(_("템플릿 코드"), max_length=64)
    name = models.CharField(_("템플릿 이름"), max_length=120)
    body = models.TextField(_("본문"), help_text=_("변수는 #{이름} 형식"))
    buttons = models.JSONField(
        _("버튼"), default=list, blank=True, help_text=_('[{"name": "버튼명", "url": "https://..."}]')
    )
    status = models.CharField(_("상태"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    rejection_reason = models.TextField(_("반려 사유"), blank=True)
    reviewed_at = models.DateTimeField(_("검수 시각"), null=True, blank=True)
    revision = models.PositiveIntegerField(_("수정 차수"), default=1)

    class Meta:
        ordering = ["customer_id", "sender_profile", "code"]
        verbose_name = _("알림톡 템플릿")
        verbose_name_plural = _("알림톡 템플릿")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "sender_profile", "code"], name="kakaotemplate_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sender_profile}/{self.code}"


class MessageBatch(TimeStampedModel):
    """One bulk send: every recipient is either a message or a refusal with its reason (MSG-2, MSG-7)."""

    #: DAT-6: holds personal data (refusals list recipient numbers); staff views are logged.
    PERSONAL_DATA = True

    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="message_batches", verbose_name=_("고객")
    )
    kind = models.CharField(_("유형"), max_length=20, choices=MessageKind.choices)
    idempotency_key = models.CharField(_("멱등 키"), max_length=120, null=True, blank=True)
    total = models.PositiveIntegerField(_("수신자 수"), default=0)
    accepted = models.PositiveIntegerField(_("접수"), default=0)
    refused = models.PositiveIntegerField(_("거부"), default=0)
    refusals = models.JSONField(
        _("거부 내역"), default=list, blank=True, help_text=_("수신자별 코드, 필드, 규칙, 사유")
    )
    actor = models.CharField(_("요청자"), max_length=120, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("대량 발송")
        verbose_name_plural = _("대량 발송")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="messagebatch_unique_idempotency_key",
            ),
        ]

    def __str__(self) -> str:
        return f"batch {self.pk}: {self.accepted}/{self.total}"


class Message(TimeStampedModel):
    """One paid message to one recipient and its delivery result (MSG-2..8). Billed only if delivered."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("발송 대기")
        SENDING = "sending", _("발송 중")
        SENT = "sent", _("전송됨(결과 대기)")
        DELIVERED = "delivered", _("성공")
        FAILED = "failed", _("실패")

    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="messages", verbose_name=_("고객")
    )
    batch = models.ForeignKey(
        MessageBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("대량 발송"),
    )
    kind = models.CharField(_("유형"), max_length=20, choices=MessageKind.choices)
    purpose = models.CharField(
        _("목적"), max_length=10, choices=MessagePurpose.choices, default=MessagePurpose.INFO
    )
    sender = models.CharField(_("발신"), max_length=64, help_text=_("발신번호 또는 카카오 발신 프로필"))
    sender_number = models.ForeignKey(
        SenderNumber,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("발신번호"),
    )
    recipient = models.CharField(_("수신번호"), max_length=20, blank=True)
    subject = models.CharField(_("제목"), max_length=120, blank=True)
    text = models.TextField(_("본문"))
    template = models.ForeignKey(
        KakaoTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("알림톡 템플릿"),
    )
    image_url = models.URLField(_("이미지"), blank=True)
    buttons = models.JSONField(_("버튼"), default=list, blank=True)
    size = models.PositiveIntegerField(
        _("길이"), default=0, help_text=_("SMS/LMS는 CP949 바이트, 카카오는 글자 수")
    )
    fallback_kind = models.CharField(
        _("대체발송 유형"), max_length=20, choices=MessageKind.choices, blank=True
    )
    fallback_sender = models.CharField(_("대체발송 발신번호"), max_length=20, blank=True)
    fallback_subject = models.CharField(_("대체발송 제목"), max_length=120, blank=True)
    fallback_text = models.TextField(_("대체발송 본문"), blank=True)
    fallback_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fallback",
        verbose_name=_("원 메시지"),
    )
    idempotency_key = models.CharField(_("멱등 키"), max_length=120, null=True, blank=True)
    status = models.CharField(_("상태"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    provider = models.CharField(_("중계사"), max_length=32, blank=True)
    provider_message_id = models.CharField(_("중계사 메시지 ID"), max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(_("발송 시도"), default=0)
    failure_reason = models.CharField(_("실패 사유"), max_length=300, blank=True)
    result_timeout_hours = models.PositiveSmallIntegerField(_("결과 대기(시간)"), default=48)
    sent_at = models.DateTimeField(_("전송 시각"), null=True, blank=True)
    result_due_at = models.DateTimeField(_("결과 기한"), null=True, blank=True)
    result_at = models.DateTimeField(_("결과 시각"), null=True, blank=True)
    actor = models.CharField(_("요청자"), max_length=120, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("메시지")
        verbose_name_plural = _("메시지")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="message_unique_idempotency_key",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "result_due_at"], name="message_status_due_idx"),
            models.Index(fields=["customer", "status", "sent_at"], name="message_customer_sent_idx"),
            models.Index(fields=["provider", "provider_message_id"], name="message_provider_ref_idx"),
            # The admin list's order (issue 16: without it the first page sorts every message)
            models.Index(fields=["-created_at", "-id"], name="message_newest_first"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient or '-'} ({self.get_status_display()})"


class PendingResult(models.Model):
    """A carrier's result that matched no message yet (MSG-6, MSG-8), kept until one does.

    A worker killed after the provider took a message but before its receipt was recorded leaves the
    message ``sending`` without the provider's id; the carrier's result can come before the resend
    records that id. ``results_collect`` keeps it here and applies it once a message carries the id
    (the resend's receipt gives the same one), so the delivered message is recorded and billed once.
    """

    provider = models.CharField(_("중계사"), max_length=32)
    provider_message_id = models.CharField(_("중계사 메시지 ID"), max_length=100)
    delivered = models.BooleanField(_("성공"))
    reason = models.CharField(_("실패 사유"), max_length=300, blank=True)
    reported_at = models.DateTimeField(_("결과 시각"))
    received_at = models.DateTimeField(_("접수 시각"))  # when our collection got it (the run's "now")

    class Meta:
        ordering = ["id"]
        verbose_name = _("대기 중인 전송 결과")
        verbose_name_plural = _("대기 중인 전송 결과")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_message_id"], name="pendingresult_unique_provider_ref"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.provider_message_id}"


class Recipient(TimeStampedModel):
    """A recipient of a customer: advert consent, night consent, opt-out, Kakao channel friend (MSG-7)."""

    #: DAT-6: holds personal data (a recipient's number and consents); staff views are logged.
    PERSONAL_DATA = True

    customer = models.ForeignKey(
        "accounts.Customer",
        on_delete=models.CASCADE,
        related_name="message_recipients",
        verbose_name=_("고객"),
    )
    number = models.CharField(_("수신번호"), max_length=20)
    ad_consent_at = models.DateTimeField(_("광고 수신 동의"), null=True, blank=True)
    night_consent_at = models.DateTimeField(_("야간 광고 수신 동의"), null=True, blank=True)
    opted_out_at = models.DateTimeField(_("수신 거부"), null=True, blank=True)
    kakao_friend = models.BooleanField(_("카카오 채널 친구"), default=False)

    #: Every consent, night consent and opt-out decision with its actor (MSG-7); purged with the row.
    history = AuditedHistory()

    class Meta:
        ordering = ["customer_id", "number"]
        verbose_name = _("수신자")
        verbose_name_plural = _("수신자")
        constraints = [
            models.UniqueConstraint(fields=["customer", "number"], name="recipient_unique_number"),
        ]

    def __str__(self) -> str:
        return self.number


class PaymentNoticeSetting(TimeStampedModel):
    """Which payment events send AlimTalk to the merchant's and the buyer's phones (MSG-5)."""

    customer = models.OneToOneField(
        "accounts.Customer",
        on_delete=models.CASCADE,
        related_name="payment_notice_setting",
        verbose_name=_("고객"),
    )
    merchant_approval = models.BooleanField(_("가맹점: 승인완료 통보"), default=False)
    merchant_cancellation = models.BooleanField(_("가맹점: 취소완료 통보"), default=False)
    merchant_receivers = models.JSONField(_("가맹점 수신번호"), default=list, blank=True)
    buyer_approval = models.BooleanField(_("구매자: 승인완료 통보"), default=False)
    buyer_cancellation = models.BooleanField(_("구매자: 취소완료 통보"), default=False)
    buyer_virtual_account = models.BooleanField(_("구매자: 가상계좌 채번"), default=False)
    buyer_sender = models.ForeignKey(
        SenderNumber,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("구매자 대상 발신번호"),
    )

    history = AuditedHistory()

    class Meta:
        verbose_name = _("결제 알림톡 설정")
        verbose_name_plural = _("결제 알림톡 설정")
        constraints = [
            # 003 별표2-가: buyer "cancellation" requires buyer "approval" too.
            models.CheckConstraint(
                condition=Q(buyer_cancellation=False) | Q(buyer_approval=True),
                name="paymentnotice_buyer_cancel_needs_approval",
            ),
        ]

    def __str__(self) -> str:
        return f"payment notices of {self.customer_id}"


class ReceivedReport(models.Model):
    """One delivery-report event a provider pushed to our webhook (MSG-6, issue 18), kept once.

    Providers retry a webhook until it is answered (Solapi up to five times), so the same event can
    arrive again; the unique ``(provider, event_id)`` makes a replay change nothing, even when two
    deliveries of it run at once.
    """

    provider = models.CharField(_("중계사"), max_length=32)
    event_id = models.CharField(_("이벤트 ID"), max_length=160)
    provider_message_id = models.CharField(_("중계사 메시지 ID"), max_length=100, blank=True)
    received_at = models.DateTimeField(_("수신 시각"))

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("수신한 전송 결과 통보")
        verbose_name_plural = _("수신한 전송 결과 통보")
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="receivedreport_unique_event"),
        ]
        indexes = [models.Index(fields=["received_at"], name="receivedreport_received_idx")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id}"
