"""Terms versions as documents and the comparison of two versions, as JSON (TRM-1, TRM-3). Read-only, for
any member of a customer; drafts are never shown."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.permissions import IsCustomerMember
from core.api import PAGE_PARAMETERS, AuditedAPIView, paginate

from .. import selectors
from ..models import Policy
from ..services.terms_documents import terms_compare
from .serializers import PageOutputSerializer

TERMS = ["terms"]
ERRORS: dict[int, Any] = {
    400: {"description": "DomainError / validation error: {error: {code, rule, field, message}}"},
    401: {"description": "not authenticated"},
    403: {"description": "not a member"},
    404: {"description": "no such published version"},
}


def published_versions() -> QuerySet[Policy]:
    return (
        Policy.objects.exclude(status=Policy.Status.DRAFT)
        .annotate(article_count=Count("terms_document__articles"))
        .order_by("code", "version")
    )


# --------------------------------------------------------------------------- serializers


class TermsVersionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    version = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField()
    effective_from = serializers.DateField(allow_null=True)
    article_count = serializers.IntegerField()


class TermsVersionPageOutputSerializer(PageOutputSerializer):
    results = TermsVersionOutputSerializer(many=True)


class ClauseOutputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["paragraph", "item", "subitem"])
    number = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]
    anchor = serializers.CharField()
    text = serializers.CharField()
    children = serializers.ListField(child=serializers.DictField(), help_text="the same shape, nested")


class ArticleOutputSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="12, 12-2 (제12조의2), A3 (별표3)")
    label = serializers.CharField()  # type: ignore[assignment]
    title = serializers.CharField()
    chapter_number = serializers.IntegerField(allow_null=True)
    chapter_title = serializers.CharField()
    anchor = serializers.CharField()
    text = serializers.CharField(help_text="the article's exact text")
    clauses = ClauseOutputSerializer(many=True, source="anchored_clauses")


class TermsVersionDetailOutputSerializer(TermsVersionOutputSerializer):
    terms_text_ko = serializers.CharField()
    articles = ArticleOutputSerializer(many=True)


class ArticleChangeOutputSerializer(serializers.Serializer):
    key = serializers.CharField()
    status = serializers.ChoiceField(choices=["changed", "added", "removed"])
    old_heading = serializers.CharField()
    new_heading = serializers.CharField()
    old_text = serializers.CharField()
    new_text = serializers.CharField()
    old_html = serializers.CharField(help_text="old text, deletions in <del>")
    new_html = serializers.CharField(help_text="new text, insertions in <ins>")


class ParameterChangeOutputSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    old = serializers.CharField()
    new = serializers.CharField()
    text = serializers.CharField(source="__str__", help_text="연체 이자율: 연 18% → 연 15%")


class ComparisonOutputSerializer(serializers.Serializer):
    old = TermsVersionOutputSerializer()
    new = TermsVersionOutputSerializer()
    articles = ArticleChangeOutputSerializer(many=True)
    parameters = ParameterChangeOutputSerializer(many=True)


# --------------------------------------------------------------------------- views


class TermsVersionListApi(AuditedAPIView):
    """Published terms versions (TRM-1)."""

    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TERMS,
        operation_id="terms_versions_list",
        summary="약관 버전 목록 (TRM-1)",
        parameters=PAGE_PARAMETERS,
        responses={200: TermsVersionPageOutputSerializer, 401: ERRORS[401], 403: ERRORS[403]},
    )
    def get(self, request: Request) -> Response:
        return paginate(self, request, published_versions(), TermsVersionOutputSerializer)


class TermsVersionDetailApi(AuditedAPIView):
    """One published version with its articles and their paragraphs, items and sub-items (TRM-1)."""

    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TERMS,
        operation_id="terms_version_detail",
        summary="약관 버전과 조항 (TRM-1)",
        responses={200: TermsVersionDetailOutputSerializer, **{c: ERRORS[c] for c in (401, 403, 404)}},
    )
    def get(self, request: Request, policy_id: int) -> Response:
        policy = get_object_or_404(published_versions(), pk=policy_id)
        policy.articles = selectors.terms_articles(policy)  # type: ignore[attr-defined]
        return Response(TermsVersionDetailOutputSerializer(policy).data)


class CompareInputSerializer(serializers.Serializer):
    old = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="종전 버전 id")
    new = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="개정 버전 id")


class TermsComparisonApi(AuditedAPIView):
    """The 신구조문 대비표 of two published versions of one terms document (TRM-3)."""

    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TERMS,
        operation_id="terms_compare",
        summary="신구조문 대비표 (TRM-3)",
        parameters=[CompareInputSerializer],
        responses={200: ComparisonOutputSerializer, **{c: ERRORS[c] for c in (400, 401, 403, 404)}},
    )
    def get(self, request: Request) -> Response:
        params = CompareInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        ids = params.validated_data
        versions = published_versions()
        old = get_object_or_404(versions, pk=ids["old"])
        new = get_object_or_404(versions, pk=ids["new"])
        comparison = terms_compare(old=old, new=new)
        return Response(ComparisonOutputSerializer(comparison).data)
