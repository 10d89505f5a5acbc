"""A policy version's terms text as a document (TRM-1): its articles with their numbered parts, so a policy
field's citation (``002 art.32③``) opens the clause it came from and two versions compare article by
article. Written only by ``contracts.terms_text.store`` (import, preset load, clone); a version in use is
never re-imported (the policy update rule refuses it)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

from ..terms_text.citations import anchored
from .policy import Policy

__all__ = ["TermsArticle", "TermsDocument"]


class TermsDocument(TimeStampedModel):
    """The structure of ``policy.terms_text_ko`` (one per policy version)."""

    policy = models.OneToOneField(
        Policy, on_delete=models.CASCADE, related_name="terms_document", verbose_name=_("약관 버전")
    )
    title = models.CharField(_("제목"), max_length=300, blank=True)
    source_name = models.CharField(_("원본 파일"), max_length=200, blank=True)
    encoding = models.CharField(_("문자 인코딩"), max_length=16, default="utf-8")
    citation_source = models.CharField(
        _("인용 문서 번호"),
        max_length=3,
        blank=True,
        help_text=_("정책 항목 도움말의 조항 인용(예: 002 art.32③) 중 이 문서가 답하는 번호 (000–004)"),
    )
    preamble = models.TextField(_("제목 앞 내용"), blank=True)
    addenda = models.JSONField(
        _("부칙"), default=list, blank=True, help_text=_("[{title, text, effective_date}]")
    )
    effective_date = models.DateField(_("부칙의 시행일"), null=True, blank=True)
    warnings = models.JSONField(_("가져오기 참고 사항"), default=list, blank=True)
    text_sha256 = models.CharField(_("본문 해시"), max_length=64)

    class Meta:
        verbose_name = _("약관 문서")
        verbose_name_plural = _("약관 문서")
        constraints = [
            models.CheckConstraint(
                condition=Q(citation_source="") | Q(citation_source__in=["000", "001", "002", "003", "004"]),
                name="terms_document_citation_source_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} — {self.title}"


class TermsArticle(models.Model):
    """One article (제N조, 제N조의M) or appendix (별표N), its exact text and its numbered parts."""

    document = models.ForeignKey(
        TermsDocument, on_delete=models.CASCADE, related_name="articles", verbose_name=_("약관 문서")
    )
    position = models.PositiveIntegerField(_("순서"))
    key = models.CharField(_("키"), max_length=16, help_text=_("12, 12-2(제12조의2), A3(별표3)"))
    number = models.PositiveIntegerField(_("조 번호"))
    branch = models.PositiveSmallIntegerField(_("가지 번호"), default=0, help_text=_("제N조의M의 M"))
    appendix = models.BooleanField(_("별표"), default=False)
    label = models.CharField(_("표시"), max_length=24)
    title = models.CharField(_("조 제목"), max_length=300, blank=True)
    chapter_number = models.PositiveSmallIntegerField(_("장"), null=True, blank=True)
    chapter_title = models.CharField(_("장 제목"), max_length=300, blank=True)
    line = models.PositiveIntegerField(_("원문 행"))
    text = models.TextField(_("본문"))
    clauses = models.JSONField(_("항·호·목"), default=list, blank=True)

    class Meta:
        ordering = ["document", "position"]
        verbose_name = _("약관 조항")
        verbose_name_plural = _("약관 조항")
        constraints = [
            models.UniqueConstraint(fields=["document", "key"], name="terms_article_unique_key"),
            models.UniqueConstraint(fields=["document", "position"], name="terms_article_unique_position"),
            models.CheckConstraint(condition=Q(number__gte=1), name="terms_article_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.title})" if self.title else self.label

    @property
    def anchor(self) -> str:
        return f"art-{self.key}"

    @property
    def anchored_clauses(self) -> list[dict[str, Any]]:
        """The clause tree with HTML anchors matching citations (TRM-1)."""
        return anchored(self.clauses, self.anchor)

    @property
    def heading(self) -> str:
        return f"{self.label} ({self.title})" if self.title else self.label
