"""Portal inbox (MSG-1): the member's notices and the broadcasts to all customers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Member
from contracts.selectors import notice_terms
from core.errors import DomainError

from .. import selectors, services
from ..models import Broadcast
from ..services import preferences
from .errors import show_refusal
from .forms import NoticePreferenceForm

PAGE_SIZE = 20
LOGIN_STATUSES = (Member.Status.ACTIVE, Member.Status.DORMANT)


def portal_member(request: HttpRequest) -> Member | None:
    """The Member of the logged-in user, or ``None`` (staff without a member, removed members)."""
    try:
        member: Member = request.user.member  # type: ignore[union-attr]
    except (ObjectDoesNotExist, AttributeError):
        return None
    return member if member.status in LOGIN_STATUSES else None


def member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        member = portal_member(request)
        if member is None:
            raise PermissionDenied
        return view(request, member, *args, **kwargs)

    return wrapper


@member_required
def inbox(request: HttpRequest, member: Member) -> HttpResponse:
    language = translation.get_language() or member.customer.preferred_language
    rows = selectors.inbox_for(member, language=language)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "messaging/portal/inbox.html", {
        "page_obj": page,
        "items": _in_reader_language(list(page.object_list), language),
        "unread_count": selectors.unread_count(member),
        "section": "inbox",
    })


def _in_reader_language(rows: list[dict[str, Any]], language: str) -> list[dict[str, Any]]:
    """The page's notice subjects in the reader's language (MSG-1: a notice is written in the customer's)."""
    return selectors.in_reader_language(rows, language)


@member_required
def inbox_detail(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    notice = get_object_or_404(selectors.portal_notices_for(member), pk=pk)
    notice = services.notice_mark_read(notice=notice, member=member)
    reader = translation.get_language() or notice.language
    subject, body = selectors.notices_read_in([notice], reader)[notice.pk]
    return render(request, "messaging/portal/inbox_detail.html", {
        "kind": "notice",
        "subject": subject,
        "body": body,
        "at": notice.created_at,
        "notice": notice,
        # a new terms version's notice links its text and the clauses of the changed numbers (TRM-1)
        "terms": notice_terms(notice.event, notice.context or {}, notice.dedupe_key or ""),
        "section": "inbox",
    })


@member_required
def broadcast_detail(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    broadcast: Broadcast = get_object_or_404(selectors.posted_broadcasts(), pk=pk)
    services.broadcast_mark_read(broadcast=broadcast, member=member)
    language = translation.get_language() or member.customer.preferred_language
    return render(request, "messaging/portal/inbox_detail.html", {
        "kind": "broadcast",
        "subject": broadcast.subject_for(language),
        "body": broadcast.body_for(language),
        "at": broadcast.posted_from,
        "broadcast": broadcast,
        "section": "inbox",
    })


@member_required
def notice_settings(request: HttpRequest, member: Member) -> HttpResponse:
    """Which channels each kind of notice comes by (MSG-1); customer admins change it."""
    current = preferences.preferences_for(member.customer)
    form = NoticePreferenceForm(request.POST or None, current=current)
    if request.method == "POST":
        if not member.is_admin:
            raise PermissionDenied
        if form.is_valid():
            try:
                with transaction.atomic():
                    for category, channels in form.cleaned_data.items():
                        if channels:
                            preferences.notice_preference_set(customer=member.customer, category=category,
                                                              channels=channels)
                        else:
                            preferences.notice_preference_clear(customer=member.customer, category=category)
            except DomainError as exc:
                show_refusal(form, exc)
            else:
                messages.success(request, _("알림 받을 방법을 저장했습니다."))
                return redirect("portal:notice_settings")
    return render(request, "messaging/portal/notice_settings.html", {
        "form": form, "can_edit": member.is_admin, "section": "inbox",
    })
