"""Back office: bank statements and the unmatched-deposit queue (BIL-7).

Statements are recorded through ``bank.bank_statement_submit`` (a failed file lists every line's
problem and saves nothing) and matched in the background (``billing.tasks.process_bank_statement``);
the statement list shows each file's progress, and "이어서 처리" continues an interrupted one. A
deposit nobody matched is assigned to a customer (``bank.bank_transaction_assign``,
optionally remembering the payer name as an alias) or taken out (``bank.bank_transaction_ignore``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from core import formatting
from core.adminkit import (
    NoRevertHistoryAdmin,
    PersonalDataAdminMixin,
    ReadOnlyAdminMixin,
    StatusTransitionInline,
    form_page,
    run_action_form,
    show_error,
    won_column,
)
from core.audit import acting_as
from core.errors import DomainError

from ..models import BankStatementImport, BankTransaction, PayerAlias
from ..services import bank


class BankStatementUploadForm(forms.Form):
    file = forms.FileField(label=_("은행 거래내역 파일 (CSV)"))


@admin.register(BankStatementImport)
class BankStatementImportAdmin(admin.ModelAdmin):
    list_display = (
        "file_name", "created_at", "row_count", "progress", "matched_count", "imported_by", "unmatched_link"
    )
    search_fields = ("file_name", "sha256")
    date_hierarchy = "created_at"
    list_select_related = ("imported_by",)
    readonly_fields = (
        "file_name", "sha256", "row_count", "progress", "matched_count", "imported_by", "created_at",
        "finished_at",
    )
    actions = ("resume_processing",)

    @admin.display(description=_("처리 진행"))
    def progress(self, obj: BankStatementImport) -> str:
        if obj.finished_at is not None:
            return gettext("완료 ({done}/{rows}행)").format(
                done=formatting.number(obj.processed_count), rows=formatting.number(obj.row_count)
            )
        percent = 100 * obj.processed_count // obj.row_count if obj.row_count else 0
        return gettext("처리 중 {done}/{rows}행 ({percent}%)").format(
            done=formatting.number(obj.processed_count),
            rows=formatting.number(obj.row_count),
            percent=percent,
        )

    @admin.action(description=_("이어서 처리 (중단된 자동 매칭)"), permissions=["add"])
    def resume_processing(self, request: HttpRequest, queryset: QuerySet[BankStatementImport]) -> None:
        unfinished = list(queryset.filter(finished_at__isnull=True))
        for statement in unfinished:
            bank.bank_statement_queue(statement)
        messages.success(request, gettext("{count}개 파일의 자동 매칭을 이어서 처리합니다.").format(
            count=len(unfinished)))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("미확인 입금"))
    def unmatched_link(self, obj: BankStatementImport) -> str:
        url = reverse("admin:billing_banktransaction_changelist")
        return format_html(
            '<a href="{}?statement__id__exact={}&status__exact=unmatched">{}</a>',
            url,
            obj.pk,
            gettext("보기"),
        )

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Upload a statement: ``bank.bank_statement_import``; on failure every line's problem is listed."""
        if not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        form = BankStatementUploadForm(request.POST or None, request.FILES or None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                with acting_as(request.user):
                    statement, created = bank.bank_statement_submit(
                        file_name=upload.name, content=upload.read(), actor=request.user
                    )
            except DomainError as error:
                show_error(request, error)
                problems = [str(p) for p in getattr(error, "problems", [])]
            else:
                text = (
                    gettext("{file}: {rows}건 접수, 자동 매칭은 백그라운드에서 진행합니다.")
                    if created
                    else gettext(
                        "{file}: 처리가 끝나지 않은 같은 파일입니다. {done}/{rows}건에서 이어서 처리합니다."
                    )
                )
                messages.success(
                    request,
                    text.format(
                        file=statement.file_name, rows=statement.row_count, done=statement.processed_count
                    ),
                )
                return HttpResponseRedirect(reverse("admin:billing_bankstatementimport_changelist"))
        return form_page(
            self, request, title=gettext("은행 거래내역 업로드"), form=form, problems=problems, upload=True
        )


class AssignForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("고객"), queryset=Customer.objects.all())
    remember_alias = forms.BooleanField(
        label=_("입금자명을 이 고객의 별칭으로 기억"),
        required=False,
        initial=True,
        help_text=_("다음 거래내역부터 자동 매칭 (002 art.31③)"),
    )


class IgnoreForm(forms.Form):
    reason = forms.CharField(label=_("제외 사유"), max_length=200)


class UnmatchedFirstFilter(admin.SimpleListFilter):
    """The queue view: unmatched deposits unless another status is chosen."""

    title = _("상태")
    parameter_name = "status__exact"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return [*BankTransaction.Status.choices, ("all", _("전체"))]

    def choices(self, changelist: Any) -> Any:
        current = self.value() or BankTransaction.Status.UNMATCHED
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value() or BankTransaction.Status.UNMATCHED
        if value == "all":
            return queryset
        return queryset.filter(status=value)


@admin.register(BankTransaction)
class BankTransactionAdmin(ReadOnlyAdminMixin, PersonalDataAdminMixin, NoRevertHistoryAdmin):
    """The unmatched-payments queue (BIL-7): assign a deposit to a customer or take it out."""
    inlines = (StatusTransitionInline,)

    list_display = (
        "transacted_on",
        "payer_name",
        "amount",
        "status",
        "customer",
        "statement",
        "line_no",
        "memo",
        "note",
    )
    amount = won_column("amount_won", _("입금액"))
    list_filter = (UnmatchedFirstFilter, "transacted_on", "statement")
    search_fields = ("payer_name", "memo", "bank_reference", "customer__legal_name")
    date_hierarchy = "transacted_on"
    list_select_related = ("customer", "statement")
    actions = ("assign_to_customer", "ignore_transactions")

    def has_resolve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("billing.add_payment")

    @admin.action(description=_("고객에게 배정 (입금자명 기억)"), permissions=["resolve"])
    def assign_to_customer(self, request: HttpRequest, queryset: QuerySet[BankTransaction]) -> Any:
        def handle(tx: BankTransaction, data: dict[str, Any]) -> str:
            payment = bank.bank_transaction_assign(
                transaction=tx,
                customer=data["customer"],
                remember_alias=data["remember_alias"],
                actor=request.user,
            )
            return gettext("{tx} → {customer} 입금 {amount}").format(
                tx=tx.payer_name, customer=data["customer"], amount=formatting.won(payment.amount_won)
            )

        return run_action_form(
            self,
            request,
            queryset,
            form_class=AssignForm,
            title=gettext("미확인 입금을 고객에게 배정"),
            handle=handle,
        )

    @admin.action(description=_("처리 제외"), permissions=["resolve"])
    def ignore_transactions(self, request: HttpRequest, queryset: QuerySet[BankTransaction]) -> Any:
        def handle(tx: BankTransaction, data: dict[str, Any]) -> str:
            bank.bank_transaction_ignore(transaction=tx, reason=data["reason"], actor=request.user)
            return gettext("{tx}: 처리 제외").format(tx=tx)

        return run_action_form(
            self,
            request,
            queryset,
            form_class=IgnoreForm,
            title=gettext("입금 내역 처리 제외"),
            handle=handle,
        )


@admin.register(PayerAlias)
class PayerAliasAdmin(PersonalDataAdminMixin, NoRevertHistoryAdmin):
    list_display = ("name", "customer", "created_by", "created_at")
    search_fields = ("name", "customer__legal_name", "customer__business_number")
    list_select_related = ("customer", "created_by")
    autocomplete_fields = ("customer",)
    readonly_fields = ("created_by",)

    def save_model(self, request: HttpRequest, obj: PayerAlias, form: Any, change: bool) -> None:
        obj.name = bank.normalise_payer(obj.name)
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        with acting_as(request.user):
            super().save_model(request, obj, form, change)
