"""Back office for terms documents (TRM-1, TRM-3): upload a terms file into a draft version, read its
articles with every policy field's citation resolved (unresolved ones flagged), and compare two versions
(HTML and PDF). Thin: ``contracts.services.terms_documents`` does the work."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.adminkit import ReadOnlyAdminMixin, show_error
from core.errors import DomainError

from .. import selectors
from ..models import Policy, TermsDocument
from ..services.terms_documents import TermsTextInvalid, terms_compare, terms_import
from ..services.terms_pdf import comparison_pdf
from .actions import render_form_page

CITATION_SOURCES = [("", _("프리셋 코드에서 (기본)")), *[(n, n) for n in ("000", "001", "002", "003", "004")]]


class TermsImportForm(forms.Form):
    terms_file = forms.FileField(
        label=_("약관 본문 파일"),
        help_text=_("UTF-8 또는 CP949 텍스트. 오류가 있으면 아무것도 저장하지 않습니다."),
    )
    citation_source = forms.ChoiceField(
        label=_("인용 문서 번호"),
        choices=CITATION_SOURCES,
        required=False,
        help_text=_("정책 항목 도움말의 조항 인용(예: 002 art.32③) 중 이 문서가 답하는 번호"),
    )


def previous_version(policy: Policy) -> Policy | None:
    """The version a draft would replace: the newest published or retired version before it."""
    return (
        Policy.objects.filter(code=policy.code, version__lt=policy.version)
        .exclude(status=Policy.Status.DRAFT)
        .order_by("-version")
        .first()
    )


def document_box(policy: Policy) -> str:
    """The policy page's summary of its document: articles, unresolved citations, links."""
    if policy.pk is None:
        return "-"
    links = []
    document = TermsDocument.objects.filter(policy=policy).first()
    if document is not None:
        cited = selectors.policy_citations(policy)
        unresolved = sum(1 for c in cited if not c.ok)
        links.append(
            format_html(
                '<a href="{}">{}</a>',
                reverse("admin:contracts_policy_terms", args=[policy.pk]),
                _("조항 {count}개 · 인용 {cited}건 보기").format(
                    count=document.articles.count(), cited=len(cited)
                ),
            )
        )
        if unresolved:
            links.append(
                format_html(
                    '<strong class="errornote citation-unresolved">{}</strong>',
                    _("연결되지 않는 인용 {count}건").format(count=unresolved),
                )
            )
    else:
        links.append(format_html("<span>{}</span>", _("조항 구조가 없습니다 (본문 파일을 가져오세요).")))
    if policy.status == Policy.Status.DRAFT and not policy.is_in_use():
        links.append(
            format_html(
                '<a href="{}">{}</a>',
                reverse("admin:contracts_policy_terms_import", args=[policy.pk]),
                _("본문 파일 가져오기"),
            )
        )
    previous = previous_version(policy)
    if previous is not None:
        links.append(
            format_html(
                '<a href="{}">{}</a>',
                reverse("admin:contracts_policy_terms_compare", args=[previous.pk, policy.pk]),
                _("v{version}과 비교 (신구조문 대비표)").format(version=previous.version),
            )
        )
    return format_html(" · ".join(["{}"] * len(links)), *links)


def citations_by_field(policy: Policy) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for part in selectors.policy_citations(policy):
        out.setdefault(part.field, []).append(part)
    return out


def section_citations(policy: Policy, names: list[str], cited: dict[str, list[Any]]) -> str:
    """A policy form section's "근거 조항" line: each field's cited article linked to its clause on the
    articles page; an unresolved citation is marked (TRM-1)."""
    page = reverse("admin:contracts_policy_terms", args=[policy.pk])
    parts = []
    for name in names:
        for c in cited.get(name, []):
            if c.ok:
                parts.append(
                    format_html('{}: <a href="{}#{}">{}</a>', c.field_label, page, c.anchor, c.citation.label)
                )
            else:
                parts.append(
                    format_html(
                        '{}: <strong class="citation-unresolved">{} ({})</strong>',
                        c.field_label,
                        c.citation.label,
                        _("연결되지 않음"),
                    )
                )
    if not parts:
        return ""
    return format_html("{} {}", _("근거 조항:"), format_html(" · ".join(["{}"] * len(parts)), *parts))


def _page(
    model_admin: admin.ModelAdmin, request: HttpRequest, template: str, **context: Any
) -> TemplateResponse:
    return TemplateResponse(
        request,
        template,
        {**model_admin.admin_site.each_context(request), "opts": model_admin.opts, **context},
    )


def terms_document_view(model_admin: admin.ModelAdmin, request: HttpRequest, policy_id: int) -> HttpResponse:
    """The articles and citations of one version: a read, for who may view policies (issue #14)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    policy = get_object_or_404(Policy, pk=policy_id)
    document = TermsDocument.objects.filter(policy=policy).first()
    cited = selectors.policy_citations(policy)
    return _page(
        model_admin,
        request,
        "admin/contracts/terms_document.html",
        title=_("약관 조항: {policy}").format(policy=policy),
        original=policy,
        document=document,
        articles=selectors.terms_articles(policy),
        citations=cited,
        unresolved=[c for c in cited if not c.ok],
    )


def terms_import_view(model_admin: admin.ModelAdmin, request: HttpRequest, policy_id: int) -> HttpResponse:
    """Replaces the version's terms text: only for who may change that policy (issue #14), even the form."""
    policy = get_object_or_404(Policy, pk=policy_id)
    if not model_admin.has_change_permission(request, policy):
        raise PermissionDenied
    here = reverse("admin:contracts_policy_change", args=[policy.pk])
    problems: list[Any] = []
    if request.method == "POST":
        form = TermsImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["terms_file"]
            try:
                document = terms_import(
                    policy=policy,
                    data=upload.read(),
                    source_name=upload.name,
                    citation_source=form.cleaned_data["citation_source"] or None,
                    actor=request.user,
                )
            except TermsTextInvalid as error:
                problems = error.problems
                form.add_error("terms_file", error.message)
            except DomainError as error:
                show_error(request, error)
            else:
                messages.success(
                    request,
                    _("조항 {count}개를 가져왔습니다.").format(count=document.articles.count()),
                )
                return HttpResponseRedirect(reverse("admin:contracts_policy_terms", args=[policy.pk]))
    else:
        form = TermsImportForm()
    return render_form_page(
        model_admin,
        request,
        form=form,
        title=_("약관 본문 파일 가져오기: {policy}").format(policy=policy),
        submit_label=_("가져오기"),
        cancel_url=here,
        description=_("제N장·제N조(제목)·①항·1.호·가.목과 부칙을 읽습니다 (TRM-1)."),
        extra={"problems": problems},
    )


def terms_compare_view(
    model_admin: admin.ModelAdmin, request: HttpRequest, old_id: int, new_id: int, pdf: bool = False
) -> HttpResponse:
    """The comparison table of two versions (page or PDF): a read, for who may view policies (issue #14)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    old = get_object_or_404(Policy, pk=old_id)
    new = get_object_or_404(Policy, pk=new_id)
    try:
        comparison = terms_compare(old=old, new=new)
    except DomainError as error:
        show_error(request, error)
        return HttpResponseRedirect(reverse("admin:contracts_policy_change", args=[new.pk]))
    if pdf:
        response = HttpResponse(comparison_pdf(comparison), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="terms-{new.code}-v{old.version}-v{new.version}.pdf"'
        )
        return response
    return _page(
        model_admin,
        request,
        "admin/contracts/terms_compare.html",
        title=_("신구조문 대비표: {name} v{old} → v{new}").format(
            name=new.name, old=old.version, new=new.version
        ),
        original=new,
        comparison=comparison,
        pdf_url=reverse("admin:contracts_policy_terms_compare_pdf", args=[old.pk, new.pk]),
    )


@admin.register(TermsDocument)
class TermsDocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "policy",
        "title",
        "source_name",
        "encoding",
        "citation_source",
        "effective_date",
        "created_at",
    )
    list_filter = ("citation_source", "policy__code")
    search_fields = ("policy__code", "title", "source_name")
    list_select_related = ("policy",)
