"""Notices to customers (MSG-1): editable templates, one record per send, portal broadcasts.

The paid SMS/KakaoTalk product (MSG-2..9) lives next to these models
(``models/paid.py``); ``notify`` sends the ``sms`` and ``alimtalk`` notice
channels through its provider from the operator's own sender.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.audit import AuditedHistory
from core.models import TimeStampedModel

# A notice to all customers stays posted at least this long (MSG-1, 000 art.9②).
BROADCAST_MIN_POSTING = dt.timedelta(days=7)


class Channel(models.TextChoices):
    EMAIL = "email", _("이메일")
    PORTAL = "portal", _("포털 알림함")
    SMS = "sms", _("문자(SMS/LMS)")
    ALIMTALK = "alimtalk", _("카카오 알림톡")


# Channels notify() delivers (sms and alimtalk through the messaging provider); others are stored as skipped.
DELIVERED_CHANNELS = frozenset({Channel.EMAIL, Channel.PORTAL, Channel.SMS, Channel.ALIMTALK})


class Language(models.TextChoices):
    KO = "ko", _("한국어")
    EN = "en", _("English")


class NoticeTemplate(TimeStampedModel):
    """Subject and body in Django template syntax for one event, channel and language (MSG-1).

    Variables: ``customer`` (the Customer), ``member`` (the receiving member or
    ``None``) and every key the caller passes in ``context``. ``humanize``
    filters (``intcomma``) are always available.
    """

    event = models.CharField(_("이벤트 코드"), max_length=100, db_index=True,
                             help_text=_("예: contract.approved, invoice.issued"))
    channel = models.CharField(_("채널"), max_length=16, choices=Channel.choices)
    language = models.CharField(_("언어"), max_length=8, choices=Language.choices, default=Language.KO)
    subject = models.CharField(_("제목"), max_length=300)
    body = models.TextField(_("본문"))
    description = models.TextField(_("설명"), blank=True,
                                   help_text=_("언제 보내는지, 어떤 변수를 쓸 수 있는지"))
    sample_context = models.JSONField(_("미리보기 변수"), default=dict, blank=True,
                                      help_text=_("관리자 화면 미리보기에 쓰는 예시 변수 (JSON)"))
    is_active = models.BooleanField(_("사용"), default=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["event", "channel", "language"]
        verbose_name = _("알림 템플릿")
        verbose_name_plural = _("알림 템플릿")
        constraints = [
            models.UniqueConstraint(fields=["event", "channel", "language"],
                                    name="noticetemplate_unique_event_channel_language"),
        ]

    def __str__(self) -> str:
        return f"{self.event} / {self.channel} / {self.language}"

    def clean(self) -> None:
        from ..rendering import check_syntax

        errors = {}
        for field in ("subject", "body"):
            problem = check_syntax(getattr(self, field) or "")
            if problem:
                errors[field] = _("템플릿 문법 오류: %(error)s") % {"error": problem}
        if errors:
            raise ValidationError(errors)


class Notice(TimeStampedModel):
    """One notice to one recipient on one channel, with its delivery status (MSG-1)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("발송 대기")
        SENT = "sent", _("발송 완료")
        FAILED = "failed", _("발송 실패")
        SKIPPED = "skipped", _("발송 안 함")
        READ = "read", _("읽음")

    # The status changes a service may make are declared in messaging.lifecycles.NOTICE.

    customer = models.ForeignKey("accounts.Customer", on_delete=models.PROTECT, related_name="notices",
                                 verbose_name=_("고객"))
    member = models.ForeignKey("accounts.Member", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="notices", verbose_name=_("구성원"))
    recipient = models.CharField(_("수신처"), max_length=254, blank=True,
                                 help_text=_("이메일 주소, 휴대전화 번호 또는 포털 로그인 ID"))
    channel = models.CharField(_("채널"), max_length=16, choices=Channel.choices)
    event = models.CharField(_("이벤트 코드"), max_length=100)
    language = models.CharField(_("언어"), max_length=8, choices=Language.choices, default=Language.KO)
    template = models.ForeignKey(NoticeTemplate, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="notices", verbose_name=_("템플릿"))
    subject = models.CharField(_("제목"), max_length=300)
    body = models.TextField(_("본문"))
    context = models.JSONField(_("변수"), default=dict, blank=True)
    status = models.CharField(_("상태"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(_("오류"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("발송 시도"), default=0)
    sent_at = models.DateTimeField(_("발송 시각"), null=True, blank=True)
    read_at = models.DateTimeField(_("읽은 시각"), null=True, blank=True)
    dedupe_key = models.CharField(
        _("중복 방지 키"), max_length=200, null=True, blank=True,
        help_text=_("같은 키로 다시 호출하면 새 알림을 만들지 않습니다 (예: dunning:INV-1:step-2)"),
    )
    actor = models.CharField(_("요청자"), max_length=120, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("알림")
        verbose_name_plural = _("알림")
        constraints = [
            # A job that runs twice never notifies twice.
            models.UniqueConstraint(fields=["dedupe_key", "channel", "recipient"],
                                    condition=Q(dedupe_key__isnull=False),
                                    name="notice_unique_dedupe_key_channel_recipient"),
        ]
        indexes = [
            models.Index(fields=["member", "channel", "status"], name="notice_inbox_idx"),
            models.Index(fields=["customer", "-created_at"], name="notice_customer_idx"),
            models.Index(fields=["status", "channel"], name="notice_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject or self.event} → {self.recipient or '-'} ({self.get_channel_display()})"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Broadcast(TimeStampedModel):
    """A portal notice to all customers, posted for at least 7 days (MSG-1, 000 art.9②)."""

    subject = models.CharField(_("제목"), max_length=300)
    body = models.TextField(_("본문"))
    subject_en = models.CharField(_("제목(영문)"), max_length=300, blank=True)
    body_en = models.TextField(_("본문(영문)"), blank=True)
    posted_from = models.DateTimeField(_("게시 시작"))
    posted_until = models.DateTimeField(_("게시 종료"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("작성자"))

    history = AuditedHistory()

    class Meta:
        ordering = ["-posted_from", "-id"]
        verbose_name = _("전체 공지")
        verbose_name_plural = _("전체 공지")
        indexes = [models.Index(fields=["posted_from", "posted_until"], name="broadcast_posting_idx")]

    def __str__(self) -> str:
        return self.subject

    def subject_for(self, language: str) -> str:
        return self.subject_en if language == Language.EN and self.subject_en else self.subject

    def body_for(self, language: str) -> str:
        return self.body_en if language == Language.EN and self.body_en else self.body


class BroadcastRead(models.Model):
    """A member has opened a broadcast (per-member read state)."""

    broadcast = models.ForeignKey(Broadcast, on_delete=models.CASCADE, related_name="reads",
                                  verbose_name=_("전체 공지"))
    member = models.ForeignKey("accounts.Member", on_delete=models.CASCADE, related_name="broadcast_reads",
                               verbose_name=_("구성원"))
    read_at = models.DateTimeField(_("읽은 시각"))

    class Meta:
        verbose_name = _("전체 공지 읽음")
        verbose_name_plural = _("전체 공지 읽음")
        constraints = [
            models.UniqueConstraint(fields=["broadcast", "member"], name="broadcastread_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.broadcast_id}:{self.member_id}"
