"""The record of a contract moving from a predecessor to its successor on an approved legal succession
(ACC-8; 002 art.19, 004 art.22, 003 art.14). Append-only: both parties stay on the history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer, SuccessionRequest

from .contract import Contract

__all__ = ["SuccessionTransfer"]


class SuccessionTransfer(models.Model):
    """One contract transferred by one approved succession request."""

    request = models.ForeignKey(
        SuccessionRequest,
        on_delete=models.PROTECT,
        related_name="transfers",
        verbose_name=_("지위 승계 신청"),
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="succession_transfers", verbose_name=_("계약")
    )
    from_customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", verbose_name=_("원 계약자")
    )
    to_customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", verbose_name=_("승계인")
    )
    contract_status = models.CharField(_("이전 시 계약 상태"), max_length=16)
    transferred_on = models.DateField(_("이전일"))
    released_seats = models.PositiveIntegerField(_("회수한 좌석 배정"), default=0)
    actor = models.CharField(_("처리자"), max_length=120)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("처리 직원"),
    )
    created_at = models.DateTimeField(_("생성 시각"), auto_now_add=True)

    class Meta:
        ordering = ["-transferred_on", "-id"]
        verbose_name = _("지위 승계 계약 이전")
        verbose_name_plural = _("지위 승계 계약 이전")
        constraints = [
            models.UniqueConstraint(fields=["request", "contract"], name="succession_transfer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.from_customer_id} → {self.to_customer_id}"
