"""Admin plumbing shared by every app's back office (one copy of each).

- :class:`ReadOnlyAdminMixin`: rows that only services write; list and view, never add, change or
  delete in the admin.
- :class:`NoRevertHistoryAdmin`: history is shown, never reverted (a revert would bypass the rules).
- :func:`run_action_form`: an admin action with an intermediate form, calling a service per row
  under ``acting_as(request.user)``; a refusal becomes an admin message.
- :func:`show_error`: a ``DomainError`` as an admin message.
- :func:`form_page`: a one-object admin form page (a button's form) in the shared action-form template.
- :func:`csv_response`: a UTF-8 (BOM) CSV download, every cell escaped by ``core.csvkit``.
- :class:`StatusTransitionInline`: a lifecycle model's status log (``core.transitions``), read-only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.forms import BaseGenericInlineFormSet
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from simple_history.admin import SimpleHistoryAdmin

from . import csvkit
from .audit import acting_as
from .errors import DomainError
from .models import StatusTransition

ACTION_FORM_TEMPLATE = "admin/action_form.html"


def show_error(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, error.message)


def form_page(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    *,
    title: str,
    form: forms.Form,
    obj: Any = None,
    **extra: Any,
) -> TemplateResponse:
    """The page of an admin button's form (about ``obj``, if any) in :data:`ACTION_FORM_TEMPLATE`;
    the view validates the form and calls the service itself (refusals via ``add_domain_error``)."""
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "objects": [] if obj is None else [obj],
        "opts": modeladmin.model._meta,
        **({"original": obj} if obj is not None else {}),
        **extra,
    }
    return TemplateResponse(request, ACTION_FORM_TEMPLATE, context)


def csv_response(filename: str, header: list[str], rows: Iterable[list[Any]]) -> HttpResponse:
    # Every cell through core.csvkit: a text starting with = + - @ is not a formula (CSV injection).
    response = HttpResponse(
        ("\ufeff" + csvkit.csv_text(header, rows)).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ReadOnlyAdminMixin:
    """Rows that only services write: list and view, never add, change or delete here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ShownOnlyFormSet(BaseGenericInlineFormSet):
    """A read-only inline's rows: rendered, never bound to the page's POST (which need not carry its
    management form) and never saved."""

    def __init__(self, data: Any = None, files: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(None, None, *args, **kwargs)

    def is_valid(self) -> bool:
        return True

    def save(self, commit: bool = True) -> list[Any]:
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        return []


class StatusTransitionInline(ReadOnlyAdminMixin, GenericTabularInline):
    """The status log of one object (who, when, from, to, why); add it to any lifecycle model's admin.

    Read-only; the admin page's own POST needs no data for it (see :class:`ShownOnlyFormSet`).
    """

    model = StatusTransition
    formset = ShownOnlyFormSet  # type: ignore[assignment]  # a generic inline takes a generic formset
    ct_field = "content_type"
    ct_fk_field = "object_id"
    fields = readonly_fields = ("at", "on_date", "from_status", "to_status", "actor", "reason")
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ("at", "id")


class NoRevertHistoryAdmin(SimpleHistoryAdmin):
    """History is read-only: reverting would bypass the services' rules."""

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True


def run_action_form(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    form_class: type[forms.Form],
    title: str,
    handle: Callable[[Any, dict[str, Any]], str],
    initial: dict[str, Any] | None = None,
    extra_context: dict[str, Any] | None = None,
) -> TemplateResponse | None:
    """An admin action with an intermediate form: first shows the form for the selected rows, then
    (on ``apply``) calls ``handle(obj, cleaned_data)`` for each under ``acting_as(request.user)``."""
    if "apply" in request.POST:
        form = form_class(request.POST)
        if form.is_valid():
            for obj in queryset:
                try:
                    with acting_as(request.user):
                        done = handle(obj, form.cleaned_data)
                except DomainError as error:
                    show_error(request, error)
                else:
                    messages.success(request, done)
            return None
    else:
        form = form_class(initial=initial)
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "objects": list(queryset[:100]),
        "action": request.POST.get("action", ""),
        "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "opts": modeladmin.model._meta,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        **(extra_context or {}),
    }
    return TemplateResponse(request, ACTION_FORM_TEMPLATE, context)
