"""Explicit input and output shapes of the billing API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from core.fields import BusinessDateField, PeriodField, StrictInputSerializer, WonField

from ..models import CreditNote, Invoice, InvoiceLine, Payment, TaxInvoice
from ..services import tax
from ..services.late_charges import invoice_amount_due_won


def paginated(name: str, item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """A page of ``item`` (DRF PageNumberPagination's shape), named for the schema."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
        },
    )


# --------------------------------------------------------------------------- invoices


class InvoiceFilterInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Invoice.Status.choices, required=False)
    period = PeriodField(required=False, help_text=_("청구 기간 시작 월 (YYYY-MM)"))
    kind = serializers.ChoiceField(choices=Invoice.Kind.choices, required=False)


class InvoiceOutputSerializer(serializers.ModelSerializer):
    open_won = serializers.IntegerField(help_text=_("미납액 (원장 합계)"))
    late_charges_won = serializers.SerializerMethodField(
        help_text=_("이 청구서로 청구된 연체료·가산금 (부가세 대상 아님, total_won에 미포함) (BIL-9)")
    )
    amount_due_won = serializers.SerializerMethodField(
        help_text=_("청구 금액: total_won + late_charges_won (납부할 금액, 입금 전 원장 미납액)")
    )

    class Meta:
        model = Invoice
        fields = (
            "id",
            "number",
            "kind",
            "status",
            "period_start",
            "period_end",
            "issue_date",
            "due_date",
            "vat_inclusive",
            "vat_rate_percent",
            "supply_won",
            "vat_won",
            "total_won",
            "late_charges_won",
            "amount_due_won",
            "open_won",
            "paid_on",
        )
        read_only_fields = fields

    def get_late_charges_won(self, obj: Invoice) -> int:
        late = getattr(obj, "late_won", None)  # annotated by billing.selectors.with_amounts
        if late is None:
            return invoice_amount_due_won(obj) - obj.total_won
        return int(late)

    def get_amount_due_won(self, obj: Invoice) -> int:
        due = getattr(obj, "due_won", None)
        return invoice_amount_due_won(obj) if due is None else int(due)


class InvoiceLineOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = (
            "position",
            "kind",
            "description",
            "quantity",
            "unit_price_won",
            "amount_won",
            "service_start",
            "service_end",
            "contract",
            "policy_basis",
        )
        read_only_fields = fields


class InvoiceDetailOutputSerializer(InvoiceOutputSerializer):
    # Plain strings here (the enums are documented on InvoiceOutput): one choice set under the same
    # field name in two components is an unresolvable enum-name collision for drf-spectacular.
    kind = serializers.CharField(help_text=_("regular 정기 청구, final 해지 정산, adjustment 추가 청구"))
    status = serializers.CharField(help_text=_("issued 발행, paid 완납, void 전액 취소"))
    lines = InvoiceLineOutputSerializer(many=True)
    note = serializers.CharField()

    class Meta(InvoiceOutputSerializer.Meta):
        fields: tuple[str, ...] = (*InvoiceOutputSerializer.Meta.fields, "note", "lines")  # type: ignore[assignment]
        read_only_fields = fields  # type: ignore[assignment]


InvoicePageSerializer = paginated("InvoicePage", InvoiceOutputSerializer)


class PreviewInputSerializer(serializers.Serializer):
    date = BusinessDateField(required=False, help_text=_("기준일 (YYYY-MM-DD, 기본: 오늘)"))


class PreviewLineOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    description = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=14, decimal_places=4)
    unit_price_won = serializers.IntegerField()
    amount_won = serializers.IntegerField()
    service_start = serializers.DateField(allow_null=True)
    service_end = serializers.DateField(allow_null=True)
    policy_basis = serializers.CharField()
    contract_id = serializers.IntegerField(allow_null=True)


class PreviewInvoiceOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    schedule = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    issue_date = serializers.DateField()
    due_date = serializers.DateField()
    vat_inclusive = serializers.BooleanField()
    vat_rate_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    supply_won = serializers.IntegerField()
    vat_won = serializers.IntegerField()
    total_won = serializers.IntegerField()
    lines = PreviewLineOutputSerializer(many=True)


class PreviewOutputSerializer(serializers.Serializer):
    date = serializers.DateField()
    invoices = PreviewInvoiceOutputSerializer(many=True)


# --------------------------------------------------------------------------- payments


class PaymentFilterInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Payment.Status.choices, required=False)
    invoice = serializers.IntegerField(required=False, help_text=_("청구서 ID"))


class PaymentOutputSerializer(serializers.ModelSerializer):
    invoice_id = serializers.IntegerField(allow_null=True)
    invoice_number = serializers.CharField(source="invoice.number", allow_null=True, default=None)

    class Meta:
        model = Payment
        fields = (
            "id",
            "method",
            "status",
            "amount_won",
            "received_on",
            "invoice_id",
            "invoice_number",
            "payer_name",
            "attempt",
            "failure_reason",
            "created_at",
        )
        read_only_fields = fields


PaymentPageSerializer = paginated("PaymentPage", PaymentOutputSerializer)


class PaymentCreateInputSerializer(StrictInputSerializer):
    METHODS = [
        (Payment.Method.BANK_TRANSFER, _("무통장 입금 통지")),
        (Payment.Method.CARD, _("기본 카드로 결제")),
        (Payment.Method.CMS, _("기본 CMS 계좌로 결제")),
    ]
    method = serializers.ChoiceField(choices=METHODS)
    amount_won = WonField(
        min_won=1, required=False, help_text=_("무통장 입금 통지: 입금한 금액 (필수)")
    )
    invoice_id = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("대상 청구서 (카드·CMS 결제에는 필수)")
    )
    payer_name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text=_("무통장 입금 통지: 입금자명")
    )
    transferred_on = BusinessDateField(required=False, help_text=_("무통장 입금 통지: 입금일"))

    def validate(self, attrs: dict) -> dict:  # type: ignore[type-arg]
        if attrs["method"] == Payment.Method.BANK_TRANSFER and not attrs.get("amount_won"):
            raise serializers.ValidationError({"amount_won": _("입금한 금액을 적어 주세요.")})
        if attrs["method"] != Payment.Method.BANK_TRANSFER and not attrs.get("invoice_id"):
            raise serializers.ValidationError({"invoice_id": _("결제할 청구서를 지정해 주세요.")})
        return attrs


class BankTransferNoticeInputSerializer(StrictInputSerializer):
    """The schema's shape of a bank-transfer notice (``method`` = ``bank_transfer``)."""

    method = serializers.ChoiceField(choices=[PaymentCreateInputSerializer.METHODS[0]])
    amount_won = WonField(min_won=1, help_text=_("입금한 금액"))
    payer_name = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                       help_text=_("입금자명"))
    transferred_on = BusinessDateField(required=False, help_text=_("입금일"))


class StoredMethodPaymentInputSerializer(StrictInputSerializer):
    """The schema's shape of a payment with the customer's default card or CMS account."""

    method = serializers.ChoiceField(choices=PaymentCreateInputSerializer.METHODS[1:])
    invoice_id = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text=_("대상 청구서"))


PAYMENT_CREATE_SCHEMA = PolymorphicProxySerializer(
    component_name="PaymentCreateInput",
    serializers={
        Payment.Method.BANK_TRANSFER.value: BankTransferNoticeInputSerializer,
        Payment.Method.CARD.value: StoredMethodPaymentInputSerializer,
        Payment.Method.CMS.value: StoredMethodPaymentInputSerializer,
    },
    resource_type_field_name="method",
)


# --------------------------------------------------------------------------- credit


class CreditNoteOutputSerializer(serializers.ModelSerializer):
    invoice_id = serializers.IntegerField(allow_null=True)
    invoice_number = serializers.CharField(source="invoice.number", allow_null=True, default=None)

    class Meta:
        model = CreditNote
        fields = (
            "id",
            "number",
            "kind",
            "reason",
            "description",
            "issued_on",
            "invoice_id",
            "invoice_number",
            "supply_won",
            "vat_won",
            "total_won",
        )
        read_only_fields = fields


CreditNotePageSerializer = paginated("CreditNotePage", CreditNoteOutputSerializer)


class CreditBalanceOutputSerializer(serializers.Serializer):
    credit_won = serializers.IntegerField(help_text=_("사용 가능한 크레딧 (BIL-17)"))
    open_won = serializers.IntegerField(help_text=_("발행 상태 청구서의 미납액 합계"))
    open_invoices_total_won = serializers.IntegerField(help_text=_("미납 청구서의 합계 금액 (부가세 포함)"))
    open_invoices_late_charges_won = serializers.IntegerField(
        help_text=_("미납 청구서에 청구된 연체료·가산금 (부가세 대상 아님)")
    )
    open_invoices_amount_due_won = serializers.IntegerField(
        help_text=_("미납 청구서의 청구 금액 합계 (합계 + 연체료·가산금)")
    )
    balance_won = serializers.IntegerField(help_text=_("전체 잔액: 양수는 낼 금액, 음수는 고객에게 유리"))
    next_due_date = serializers.DateField(allow_null=True)


# --------------------------------------------------------------------------- tax invoices


class TaxInvoiceOutputSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", allow_null=True, default=None)
    buyer_id_type = serializers.SerializerMethodField(
        help_text=_("01 사업자등록번호, 02 주민등록번호(비사업자)")
    )
    note = serializers.SerializerMethodField(help_text=_("비고"))

    class Meta:
        model = TaxInvoice
        fields = (
            "id",
            "invoice_number",
            "status",
            "written_on",
            "issue_by",
            "supplier_business_number",
            "supplier_name",
            "supplier_representative",
            "supplier_address",
            "buyer_business_number",
            "buyer_id_type",
            "buyer_name",
            "buyer_representative",
            "buyer_email",
            "item_name",
            "supply_won",
            "vat_won",
            "total_won",
            "note",
            "exported_at",
        )
        read_only_fields = fields

    def get_buyer_id_type(self, obj: TaxInvoice) -> str:
        return tax.buyer_id_type(obj)

    def get_note(self, obj: TaxInvoice) -> str:
        return tax.note_for(obj)
