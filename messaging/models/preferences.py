"""Which channels a customer wants each kind of notice on (MSG-1)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.audit import AuditedHistory
from core.models import TimeStampedModel


class NoticeCategory(models.TextChoices):
    """Kinds of notice a customer chooses channels for; an event's kind is its prefix (``invoice.issued``)."""

    CONTRACT = "contract", _("계약")
    BILLING = "billing", _("청구·결제")
    ACCOUNT = "account", _("회원·구성원")
    TERMS = "terms", _("약관")
    OTHER = "other", _("기타 안내")


class NoticePreference(TimeStampedModel):
    """The channels one customer chose for one kind of notice (legal notices also go by email)."""

    customer = models.ForeignKey(
        "accounts.Customer",
        on_delete=models.CASCADE,
        related_name="notice_preferences",
        verbose_name=_("고객"),
    )
    category = models.CharField(_("알림 종류"), max_length=20, choices=NoticeCategory.choices)
    channels = models.JSONField(_("채널"), default=list, help_text=_("email, portal, sms, alimtalk 중 선택"))
    history = AuditedHistory()

    class Meta:
        ordering = ["customer", "category"]
        verbose_name = _("알림 수신 설정")
        verbose_name_plural = _("알림 수신 설정")
        constraints = [
            models.UniqueConstraint(fields=["customer", "category"], name="noticepreference_unique_category"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} / {self.category}: {', '.join(self.channels)}"
