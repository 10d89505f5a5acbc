"""Privacy portal pages (customers): data export (DAT-1), deletion on request (DAT-4), and what is kept
after the contract ends and until when (DAT-2, DAT-3), in plain Korean. Reads through ``privacy.selectors``
and ``privacy.services.retention`` scoped to the member's customer; writes only through the services."""

from __future__ import annotations

from typing import cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.portal.auth import admin_member_required, member_required, request_member
from core import clock
from core.errors import DomainError
from sla.portal.views import customer_message

from .. import selectors
from ..models import ExportRequest
from ..services.deletion import deletion_cancel, deletion_confirm, deletion_request
from ..services.export import export_request
from ..services.retention import retention_terms

SECTION = "privacy"


class DeletionConfirmForm(forms.Form):
    confirmation = forms.CharField(label=gettext_lazy("고객사 이름"), max_length=200)


def privacy_policy(request: HttpRequest) -> HttpResponse:
    """The privacy policy (public, no login): what is kept, why, how long (each service's published
    terms, DAT-2, DAT-3), export and deletion (DAT-1, DAT-4), destruction (DAT-5), staff access (DAT-6),
    whom to ask."""
    return render(
        request,
        "privacy/portal/policy.html",
        {
            "section": "privacy_policy",
            "operator": settings.OPERATOR,
            "services": selectors.published_retention(),
            "privacy_officer": settings.PRIVACY_OFFICER,
            "privacy_email": settings.PRIVACY_EMAIL,
            "support_email": settings.SUPPORT_EMAIL,
            "support_phone": settings.SUPPORT_PHONE,
        },
    )


@member_required
def privacy_home(request: HttpRequest) -> HttpResponse:
    member = request_member(request)
    customer_id = member.customer_id
    return render(
        request,
        "privacy/portal/home.html",
        {
            "section": SECTION,
            "is_admin": member.is_admin,
            "exports": selectors.export_requests_for(customer_id)[:20],
            "deletion": selectors.open_deletion_request(customer_id),
            "terms": retention_terms(customer_id),
        },
    )


@require_POST
@admin_member_required
def export_create(request: HttpRequest) -> HttpResponse:
    try:
        export_request(member=request_member(request), today=clock.today())
    except DomainError as error:
        messages.error(request, customer_message(error))
    else:
        messages.success(
            request, _("내보내기 파일을 만들고 있습니다. 준비되면 이 화면에서 내려받을 수 있습니다.")
        )
    return redirect("portal:privacy_home")


@admin_member_required
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    member = request_member(request)
    export = get_object_or_404(selectors.export_requests_for(member.customer_id), pk=pk)
    if export.status != ExportRequest.Status.READY or not export.file:
        raise Http404
    response = FileResponse(
        export.file.open("rb"), as_attachment=True, filename=f"termsops-data-{export.pk}.zip"
    )
    return cast(HttpResponse, response)  # streamed; the decorators only pass it through


@admin_member_required
def deletion(request: HttpRequest) -> HttpResponse:
    """Ask for deletion, see the last-export offer, confirm with the customer's name (or cancel)."""
    member = request_member(request)
    open_request = selectors.open_deletion_request(member.customer_id)
    form = DeletionConfirmForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "request":
                deletion_request(member=member, today=clock.today())
                return redirect("portal:privacy_delete")
            if action == "cancel" and open_request is not None:
                deletion_cancel(request=open_request, member=member)
                return redirect("portal:privacy_home")
            if action == "confirm" and open_request is not None and form.is_valid():
                deletion_confirm(
                    request=open_request,
                    member=member,
                    confirmation=form.cleaned_data["confirmation"],
                    today=clock.today(),
                )
                logout(request)
                return render(request, "privacy/portal/deleted.html", {"section": SECTION})
        except DomainError as error:
            if error.field in form.fields:
                form.add_error(error.field, customer_message(error))
            else:
                messages.error(request, customer_message(error))
    return render(
        request,
        "privacy/portal/delete.html",
        {
            "section": SECTION,
            "deletion": open_request,
            "form": form,
            "latest_export": selectors.export_requests_for(member.customer_id).first(),
        },
    )
