"""Back office: promotions and discounts (BIL-19), added through ``promotions.promotion_add``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from core.adminkit import NoRevertHistoryAdmin, qty_column, show_error, won_column
from core.audit import acting_as
from core.errors import DomainError

from ..models import Promotion
from ..services import promotions


class PromotionForm(forms.ModelForm):
    class Meta:
        model = Promotion
        fields = (
            "contract",
            "kind",
            "amount_won",
            "percent",
            "starts_on",
            "periods",
            "is_long_term_discount",
            "description",
        )

    def _post_clean(self) -> None:  # the service validates and creates
        pass


@admin.register(Promotion)
class PromotionAdmin(NoRevertHistoryAdmin):
    """BIL-19: added through ``promotions.promotion_add``; not edited afterwards (refunds subtract it)."""

    form = PromotionForm
    list_display = (
        "contract",
        "kind",
        "amount",
        "percent_shown",
        "starts_on",
        "periods",
        "is_long_term_discount",
        "description",
    )
    amount = won_column("amount_won", _("할인 금액"))
    percent_shown = qty_column("percent", _("할인율(%)"))
    list_filter = ("kind", "is_long_term_discount", "starts_on")
    search_fields = ("contract__plan__code", "contract__customer__legal_name", "description")
    list_select_related = ("contract",)
    autocomplete_fields = ("contract",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().add_view(request, form_url, extra_context)
        except DomainError as error:
            show_error(request, error)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: Promotion, form: Any, change: bool) -> None:
        data = form.cleaned_data
        with acting_as(request.user):
            created = promotions.promotion_add(
                contract=data["contract"],
                kind=data["kind"],
                starts_on=data["starts_on"],
                periods=data["periods"],
                amount_won=data.get("amount_won") or 0,
                percent=data.get("percent") or 0,
                description=data.get("description") or "",
                is_long_term_discount=bool(data.get("is_long_term_discount")),
            )
        obj.__dict__.update({f.attname: getattr(created, f.attname) for f in Promotion._meta.concrete_fields})
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass
