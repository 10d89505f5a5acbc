"""Admin plumbing shared by every app's back office (one copy of each).

- :class:`ReadOnlyAdminMixin`: rows that only services write; list and view, never add, change or
  delete in the admin.
- :class:`HistoryAdmin`: django-simple-history's admin whose past-version page saves a POST only for who
  may revert (issue #14); every history admin of ours derives from it.
- :class:`NoRevertHistoryAdmin`: history is shown, never reverted (a revert would bypass the rules).
- :func:`run_action_form`: an admin action with an intermediate form, calling a service per row
  under ``acting_as(request.user)``; a refusal becomes an admin message.
- :func:`show_error`: a ``DomainError`` as an admin message.
- :func:`form_page`: a one-object admin form page (a button's form) in the shared action-form template.
- :func:`csv_response`: a UTF-8 (BOM) CSV download, every cell escaped by ``core.csvkit``.
- :class:`StatusTransitionInline`: a lifecycle model's status log (``core.transitions``), read-only.
- :class:`PersonalDataAdminMixin`: every admin of a model holding personal data logs who looked at which
  customer's data (detail, delete confirmation, history, list pages, action pages and file downloads
  from actions; DAT-6).
- :class:`PersonalDataAutocompleteView`: the admin's autocomplete endpoint (``/admin/autocomplete/``),
  logging the rows it answers with when their admin is a :class:`PersonalDataAdminMixin` (DAT-6).
- :class:`AdminPage` / :func:`add_admin_pages`: the custom pages of a model admin (a dashboard, a
  calendar, a queue) listed on the admin index, the app pages and the side bar for exactly the staff the
  page itself lets in (issue 15: no page reachable only by typing its address).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.forms import BaseGenericInlineFormSet
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import csvkit, formatting
from .audit import acting_as
from .errors import DomainError
from .models import StatusTransition
from .personal_data import AccessKind, AccessVia, log_access

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

    def has_act_permission(self, request: HttpRequest) -> bool:
        """For the actions that change rows through a service (``permissions=["act"]``): the model's change
        permission, which the form itself never grants here (issue #14)."""
        opts = self.model._meta  # type: ignore[attr-defined]
        return bool(request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}"))


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


def _model_of(transition: StatusTransition) -> Any:
    return ContentType.objects.get_for_id(transition.content_type_id).model_class()


class StatusTransitionInline(ReadOnlyAdminMixin, GenericTabularInline):
    """The status log of one object (who, when, from, to, why); add it to any lifecycle model's admin.

    Read-only; the admin page's own POST needs no data for it (see :class:`ShownOnlyFormSet`).
    """

    model = StatusTransition
    formset = ShownOnlyFormSet  # type: ignore[assignment]  # a generic inline takes a generic formset
    ct_field = "content_type"
    ct_fk_field = "object_id"
    fields = readonly_fields = ("at", "on_date", "from_label", "to_label", "actor_shown", "reason")
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ("at", "id")

    @admin.display(description=_("이전 상태"))
    def from_label(self, obj: StatusTransition) -> str:
        return status_label(_model_of(obj), obj.from_status)

    @admin.display(description=_("새 상태"))
    def to_label(self, obj: StatusTransition) -> str:
        return status_label(_model_of(obj), obj.to_status)

    @admin.display(description=_("처리자"))
    def actor_shown(self, obj: StatusTransition) -> str:
        return actor_label(obj.actor)


class HistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's admin, with its past-version page guarded by what a POST changes (issue #14).

    ``SimpleHistoryAdmin.history_form_view`` checks only that the caller may *view* the object, then saves
    any POSTed form over the current row; ``revert_disabled`` merely hides the button. Here a POST is
    refused (403) unless the revert is enabled for the caller and they may change the object.
    """

    def __init__(self, model: type[models.Model], admin_site: admin.AdminSite) -> None:
        super().__init__(model, admin_site)
        if not self.history_tracked:
            setattr(self, "object_history_template", None)  # Django's own page: no past versions  # noqa: B010

    @property
    def history_tracked(self) -> bool:
        """The model keeps a history (``HistoricalRecords``); a model without one gets Django's history page
        and no past-version URL (simple-history's would fail with an error on every call)."""
        return hasattr(self.model._meta, "simple_history_manager_attribute")

    def get_urls(self) -> list[Any]:
        urls: list[Any] = super().get_urls()
        if self.history_tracked:
            return urls
        name = f"{self.opts.app_label}_{self.opts.model_name}_simple_history"
        return [u for u in urls if getattr(u, "name", None) != name]

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        if not self.history_tracked:
            return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        response: HttpResponse = super().history_view(request, object_id, extra_context)
        return response

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            may_revert = obj is not None and not self.revert_disabled(request, obj)
            if not may_revert or not self.has_change_permission(request, obj):
                raise PermissionDenied
        response: HttpResponse = super().history_form_view(request, object_id, version_id, extra_context)
        return response


class NoRevertHistoryAdmin(HistoryAdmin):
    """History is read-only: reverting would bypass the services' rules (a POST is refused to everyone)."""

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


def is_download(response: Any) -> bool:
    """Whether an admin view or action answered with a file (an attachment), not a page."""
    return isinstance(response, HttpResponseBase) and "attachment" in response.get("Content-Disposition", "")


class PersonalDataAdminMixin(admin.ModelAdmin):
    """DAT-6: log every staff view of a customer's personal data through this admin.

    Put it before the ``ModelAdmin`` base (after plain mixins such as :class:`ReadOnlyAdminMixin`) in the
    admin of every model that holds personal data
    (``core.personal_data.holds_personal_data``; a guard test walks the admin registry). It logs, once a
    view has answered (a refused or missing object logs nothing):

    * the change page, the delete confirmation page (``detail``) and the history pages (``history``) of
      one object, with its id;
    * a list page (``list``): one row per customer shown on the page, unless
      :attr:`personal_data_in_list` is off (a list that shows no personal data);
    * an action answering with a page that shows the selected rows (``list``: the bulk delete
      confirmation, an action's form) or with a file (``export``, via ``export``): one row per customer
      of the selected rows;
    * the admin's autocomplete answers (``list``), through :class:`PersonalDataAutocompleteView`.

    Other views of the admin that output personal data call :meth:`log_personal_data` themselves.

    :attr:`personal_data_customer` is the lookup path from the model to its customer's id (``"pk"`` for
    the customer itself), or several tried in order (the first that is not null).
    """

    personal_data_customer: str | tuple[str, ...] = "customer"
    personal_data_in_list: bool = True
    #: Log only rows that belong to a customer (the user admin: staff accounts are nobody's customer data).
    personal_data_customers_only: bool = False

    def _personal_data_customer_expr(self) -> Any:
        paths = self.personal_data_customer
        paths = (paths,) if isinstance(paths, str) else paths
        if len(paths) == 1:
            return F(paths[0])
        return Coalesce(*[F(path) for path in paths], output_field=models.BigIntegerField())

    def personal_data_customer_ids(self, rows: QuerySet[Any] | list[Any]) -> list[int | None]:
        """The customer id of each row (a queryset, or a list of primary keys), in one query."""
        queryset = rows if isinstance(rows, QuerySet) else self.model._default_manager.filter(pk__in=rows)
        ids = list(
            queryset.order_by()
            .annotate(_personal_data_customer=self._personal_data_customer_expr())
            .values_list("_personal_data_customer", flat=True)
            .distinct()
        )
        if self.personal_data_customers_only:
            ids = [i for i in ids if i is not None]
        return ids

    def log_personal_data(
        self,
        request: HttpRequest,
        rows: QuerySet[Any] | list[Any],
        *,
        kind: str,
        via: str = AccessVia.ADMIN,
        object_id: Any = "",
        customer_ids: list[int | None] | None = None,
    ) -> int:
        """Log that ``request.user`` saw the personal data of ``rows`` (DAT-6)."""
        ids = self.personal_data_customer_ids(rows) if customer_ids is None else customer_ids
        return log_access(user=request.user, model=self.model, customer_ids=ids, kind=kind, via=via,
                          object_id=object_id)

    def _log_object(self, request: HttpRequest, object_id: str, response: Any, kind: str) -> None:
        if response.status_code >= 300:  # refused, missing (redirected) or saved (redirected after logging)
            return
        try:
            pk = self.model._meta.pk.to_python(unquote(object_id))  # type: ignore[union-attr]
        except ValidationError:
            return
        self.log_personal_data(request, [pk], kind=kind, object_id=pk)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # change_view, not changeform_view: some admins wrap changeform_view around a named base class.
        response = super().change_view(request, object_id, form_url, extra_context)
        self._log_object(request, object_id, response, AccessKind.DETAIL)
        return response

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The confirmation page shows the object (and what would go with it); a done delete redirects."""
        response = super().delete_view(request, object_id, extra_context)
        self._log_object(request, object_id, response, AccessKind.DETAIL)
        return response

    def history_view(self, request: HttpRequest, object_id: str,
                     extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().history_view(request, object_id, extra_context)
        self._log_object(request, object_id, response, AccessKind.HISTORY)
        return response

    def history_form_view(self, request: HttpRequest, object_id: str, version_id: str,
                          extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """One past version (django-simple-history admins only)."""
        view = super().history_form_view  # type: ignore[misc]
        response: HttpResponse = view(request, object_id, version_id, extra_context)
        self._log_object(request, object_id, response, AccessKind.HISTORY)
        return response

    def changelist_view(self, request: HttpRequest,
                        extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if self.personal_data_in_list and changelist is not None and response.status_code == 200:
            pks = [row.pk for row in changelist.result_list]
            if pks:
                self.log_personal_data(request, pks, kind=AccessKind.LIST)
        return response

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions: dict[str, Any] = {}
        for name, entry in super().get_actions(request).items():
            if entry is not None:
                func, name_, description = entry
                entry = (self._logged_action(func), name_, description)
            actions[name] = entry
        return actions

    @staticmethod
    def _logged_action(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def action(modeladmin: PersonalDataAdminMixin, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
            customer_ids = modeladmin.personal_data_customer_ids(queryset)  # before the action changes rows
            response = func(modeladmin, request, queryset)
            if is_download(response):
                modeladmin.log_personal_data(request, queryset, kind=AccessKind.EXPORT, via=AccessVia.EXPORT,
                                             customer_ids=customer_ids)
            elif isinstance(response, TemplateResponse) and response.status_code == 200:
                # a page about the selected rows (the bulk delete confirmation, an action's form)
                modeladmin.log_personal_data(
                    request, queryset, kind=AccessKind.LIST, customer_ids=customer_ids
                )
            return response

        return action


class PersonalDataAutocompleteView(AutocompleteJsonView):
    """``/admin/autocomplete/``: the search answers of an autocomplete field name rows of the target
    model (their ``str``); when that model's admin logs personal data, the rows answered are logged as a
    list (DAT-6). The admin site serves its autocomplete with this view."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        model_admin = self.model_admin
        if isinstance(model_admin, PersonalDataAdminMixin):
            pks = [row.pk for row in context["object_list"]]
            if pks:
                model_admin.log_personal_data(self.request, pks, kind=AccessKind.LIST)
        return context


# --------------------------------------------------------------------------- custom pages in the navigation


@dataclass(frozen=True)
class AdminPage:
    """A custom page of a model admin, listed in the navigation next to the app's models.

    ``url_name`` is the page's URL name in the admin namespace (without ``admin:``); ``allowed`` names
    the model admin's method ``(request) -> bool`` that the page's view checks too, so the navigation
    shows the page to exactly who may open it.
    """

    url_name: str
    label: Any
    allowed: str = "has_view_permission"


def add_admin_pages(
    site: admin.AdminSite, request: HttpRequest, app_dict: dict[str, Any], label: str | None = None
) -> dict[str, Any]:
    """Add each registered admin's :attr:`admin_pages` that ``request.user`` may open to ``app_dict``
    (``AdminSite._build_app_dict``'s answer), creating the app's entry when the user sees none of its
    models."""
    for model, model_admin in site._registry.items():
        pages: tuple[AdminPage, ...] = getattr(model_admin, "admin_pages", ())
        app_label = model._meta.app_label
        if not pages or (label and app_label != label):
            continue
        for page in pages:
            if not getattr(model_admin, page.allowed)(request):
                continue
            try:
                url = reverse(f"admin:{page.url_name}", current_app=site.name)
            except NoReverseMatch:
                continue
            entry = {
                "model": None,
                "name": str(page.label),
                "object_name": page.url_name,
                "perms": {"add": False, "change": False, "delete": False, "view": True},
                "admin_url": url,
                "add_url": None,
                "view_only": True,
                "is_page": True,
            }
            if app_label not in app_dict:
                app_dict[app_label] = {
                    "name": apps.get_app_config(app_label).verbose_name,
                    "app_label": app_label,
                    "app_url": reverse(
                        "admin:app_list", kwargs={"app_label": app_label}, current_app=site.name
                    ),
                    "has_module_perms": True,
                    "models": [],
                }
            app_dict[app_label]["models"].append(entry)
    return app_dict


# --------------------------------------------------------------------------- amounts and quantities


def _value(obj: Any, path: str) -> Any:
    for part in path.split("__"):
        obj = None if obj is None else getattr(obj, part, None)
    return obj


def _column(
    field: str, description: Any, show: Callable[[Any], str], ordering: str | None, empty: str
) -> Callable[[Any, Any], str]:
    @admin.display(description=description, ordering=ordering)
    def column(modeladmin: Any, obj: Any) -> str:
        value = _value(obj, field)
        return empty if value is None else show(value)

    column.__name__ = f"{field}_shown"
    return column


def won_column(field: str, description: Any, *, ordering: str | None = "", empty: str = "-") -> Any:
    """An admin column (``list_display``) or read-only field showing integer won through
    ``core.formatting.won``: ``330,000원`` / ``KRW 330,000``. ``field`` may follow relations
    (``invoice__total_won``) or name an annotation; it sorts by ``field`` unless ``ordering`` says
    otherwise (``None``: not sortable). Use it as a class attribute::

        total = won_column("total_won", _("합계"))
    """
    return _column(field, description, formatting.won, field if ordering == "" else ordering, empty)


def qty_column(field: str, description: Any, *, ordering: str | None = "", empty: str = "-") -> Any:
    """An admin column of a quantity or a percentage through ``core.formatting.quantity``: ``1``, ``1.5``."""
    return _column(field, description, formatting.quantity, field if ordering == "" else ordering, empty)


# --------------------------------------------------------------------------- who did it, in words

#: Jobs that are not daily jobs (``core.jobs.registry``) but sign changes: the demo seeding.
OTHER_JOBS = {
    "seed_demo": _("데모 데이터 준비"),
    "demo_customer_activity": _("데모 고객 활동"),
    "run_jobs": _("일일 작업 실행"),
}


def job_label(name: str) -> str:
    """A job's name in words: its description without the rule ids in brackets
    (``activate_contracts`` → "개통일이 된 승낙 계약 개통"); an unknown job keeps its name."""
    from .jobs import registry

    for spec in registry():
        if spec.name == name and spec.description:
            return re.sub(r"\s*\([^()]*\)\s*$", "", gettext(spec.description)) or name
    other = OTHER_JOBS.get(name)
    return str(other) if other else name


def job_choices() -> list[tuple[str, str]]:
    """Every job a run row can name (the registry and ``OTHER_JOBS``), in words, for the run list's
    filter (not a ``SELECT DISTINCT`` of the runs: issue 16)."""
    from .jobs import registry

    names = dict.fromkeys([spec.name for spec in registry()] + list(OTHER_JOBS))
    return sorted(((name, job_label(name)) for name in names), key=lambda choice: choice[1])


def person_name(user: Any) -> str:
    """A staff member as people call them: the full name, else the login name."""
    return (user.get_full_name() or "").strip() or user.get_username()


def actor_label(label: str, *, name: str | None = None) -> str:
    """An audit actor label (``core.audit``) in words: ``user:kim`` → the person's name,
    ``job:dunning`` → "자동 작업: 미납 청구서의 연체 단계 진행", ``system`` → "시스템"."""
    kind, _sep, value = (label or "").partition(":")
    if kind == "user" and value:
        if name is None:
            user = get_user_model().objects.filter(username=value).first()
            name = person_name(user) if user is not None else value
        return name or value
    if kind == "job" and value:
        return gettext("자동 작업: {job}").format(job=job_label(value))
    if label == "system":
        return gettext("시스템")
    if label == "anonymous":
        return gettext("로그인하지 않은 사용자")
    return label or "-"


def actor_column(field: str = "actor", description: Any = None) -> Any:
    """An admin column or read-only field showing an actor label in words (:func:`actor_label`)."""

    @admin.display(description=description or _("처리자"), ordering=field)
    def column(modeladmin: Any, obj: Any) -> str:
        return actor_label(getattr(obj, field, "") or "")

    column.__name__ = f"{field}_shown"
    return column


def status_label(model: type[models.Model] | None, code: str, field: str = "status") -> str:
    """A stored status code as the model's label for it (``approved`` → "승낙")."""
    if model is None or not code:
        return code or "-"
    try:
        choices = dict(model._meta.get_field(field).flatchoices)  # type: ignore[union-attr]
    except FieldDoesNotExist:  # a model without that field keeps the code
        return code
    return str(choices.get(code, code))
