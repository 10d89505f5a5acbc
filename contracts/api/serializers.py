"""Explicit input and output shapes of the contracts and terms API (CON-1..13, TRM-3..6).

Output serializers read model instances or the plain objects of ``contracts.selectors`` and
``contracts.services.actions``;
input serializers only shape and type the request. Every rule is checked by the service the view calls.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.fields import BusinessDateField, CountField, StrictInputSerializer

from ..models import (
    BillingCycle,
    ConsentDecision,
    Contract,
    ContractStatus,
    RequiredDocument,
    TermsConsent,
)
from ..selectors import Deadline, PendingTerms, PolicyValue

# --------------------------------------------------------------------------- enum-like output fields

# Contract statuses and document kinds are output as plain strings with their values listed: the same
# choice sets appear under several field names and components, and named enum components would
# collide in the OpenAPI document (drf-spectacular enum naming). Inputs keep ChoiceField validation.
STATUS_VALUES = " | ".join(ContractStatus.values)
DOCUMENT_VALUES = " | ".join(RequiredDocument.values)


def status_field(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(help_text=f"CON-1: {STATUS_VALUES}", **kwargs)


def document_kind_field(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(help_text=f"CON-3: {DOCUMENT_VALUES}", **kwargs)


@extend_schema_field({"type": "string", "enum": ConsentDecision.values})
class ConsentDecisionField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=ConsentDecision.choices, **kwargs)


@extend_schema_field({"type": "string", "enum": TermsConsent.Channel.values})
class ConsentChannelField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=TermsConsent.Channel.choices, **kwargs)


# --------------------------------------------------------------------------- small nested shapes


class PolicyRefOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    version = serializers.IntegerField()
    name = serializers.CharField()


class PlanRefOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class PageOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


# --------------------------------------------------------------------------- plans


class PlanOutputSerializer(serializers.Serializer):
    """An active plan with its prices (BIL-5, BIL-6) and the contract terms its policy offers (CON-5)."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    policy = PolicyRefOutputSerializer()
    billing_cycle = serializers.ChoiceField(choices=BillingCycle.choices)
    monthly_fee_won = serializers.IntegerField()
    monthly_price_per_seat_won = serializers.IntegerField()
    annual_monthly_price_per_seat_won = serializers.IntegerField()
    setup_fee_won = serializers.IntegerField()
    usage_unit_prices = serializers.DictField(child=serializers.IntegerField())
    default_seats = serializers.IntegerField()
    required_documents = serializers.ListField(child=document_kind_field())
    allows_monthly_cycle = serializers.BooleanField(source="policy.allows_monthly_cycle")
    allows_annual_cycle = serializers.BooleanField(source="policy.allows_annual_cycle")
    min_term_months = serializers.IntegerField(source="policy.min_term_months")
    default_term_months = serializers.IntegerField(source="policy.default_term_months")
    term_options_months = serializers.ListField(
        child=serializers.IntegerField(), source="policy.term_options_months"
    )


class PlanPageOutputSerializer(PageOutputSerializer):
    results = PlanOutputSerializer(many=True)


# --------------------------------------------------------------------------- contracts


class ContractOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = status_field()
    status_label = serializers.CharField(source="get_status_display")
    plan = PlanRefOutputSerializer()
    policy = PolicyRefOutputSerializer()
    billing_cycle = serializers.ChoiceField(choices=BillingCycle.choices)
    seats = serializers.IntegerField()
    term_months = serializers.IntegerField()
    applied_on = serializers.DateField()
    requested_start = serializers.DateField()
    activation_date = serializers.DateField(allow_null=True)
    activated_on = serializers.DateField(allow_null=True)
    renewal_stopped = serializers.BooleanField()
    termination_kind = serializers.CharField()
    termination_requested_on = serializers.DateField(allow_null=True)
    termination_effective_on = serializers.DateField(allow_null=True)
    penalty_exempt = serializers.BooleanField()
    withdrawn_on = serializers.DateField(allow_null=True)
    terminated_on = serializers.DateField(allow_null=True)


class ContractPageOutputSerializer(PageOutputSerializer):
    results = ContractOutputSerializer(many=True)


class PeriodOutputSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    extension_days = serializers.IntegerField()
    effective_end = serializers.DateField()
    policy = PolicyRefOutputSerializer()


class DocumentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = document_kind_field()
    kind_label = serializers.CharField(source="get_kind_display")
    original_name = serializers.CharField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class RequiredDocumentOutputSerializer(serializers.Serializer):
    kind = document_kind_field()
    label = serializers.CharField()  # type: ignore[assignment]
    uploaded = serializers.BooleanField()


class TransitionOutputSerializer(serializers.Serializer):
    from_status = status_field()
    to_status = status_field()
    on_date = serializers.DateField()
    at = serializers.DateTimeField()
    actor = serializers.CharField()
    reason = serializers.CharField()


class ScheduleChangeOutputSerializer(serializers.Serializer):
    old_date = serializers.DateField(allow_null=True)
    new_date = serializers.DateField()
    by_customer = serializers.BooleanField()
    reason = serializers.CharField()
    on_date = serializers.DateField()


class SuspensionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    reason = serializers.CharField()
    noticed_on = serializers.DateField()
    starts_on = serializers.DateField()
    planned_end_on = serializers.DateField(allow_null=True)
    lifted_on = serializers.DateField(allow_null=True)
    appeal = serializers.CharField()


class SpecialTermRefOutputSerializer(serializers.Serializer):
    note = serializers.CharField()
    signed_on = serializers.DateField()


class PolicyValueOutputSerializer(serializers.Serializer):
    """An effective policy value and its source: the policy version or a special term (CON-12)."""

    parameter = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.JSONField()
    display = serializers.CharField()
    source = serializers.CharField(source="source_label")  # type: ignore[assignment]
    special_term = SpecialTermRefOutputSerializer(allow_null=True)

    def to_representation(self, instance: PolicyValue) -> dict[str, Any]:
        data = super().to_representation(instance)
        # JSON-safe value (Decimal, time...) as the display layer would print it.
        value = instance.value
        if value is not None and not isinstance(value, bool | int | float | str | list | dict):
            data["value"] = str(value)
        return data


class DeadlineOutputSerializer(serializers.Serializer):
    date = serializers.DateField(allow_null=True)
    source = serializers.SerializerMethodField()  # type: ignore[assignment]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_source(self, obj: Deadline) -> str | None:
        return obj.source.label if obj.source is not None else None


class DeadlinesOutputSerializer(serializers.Serializer):
    postpone_until = DeadlineOutputSerializer(allow_null=True, help_text=_("개통 연기 기한 (CON-4)"))
    withdrawal_until = DeadlineOutputSerializer(allow_null=True, help_text=_("청약 철회 기한 (CON-8)"))
    renewal_stop_until = DeadlineOutputSerializer(allow_null=True, help_text=_("갱신 거절 기한 (CON-6)"))
    earliest_termination = DeadlineOutputSerializer(
        allow_null=True, help_text=_("가장 빠른 해지 효력일 (CON-7)")
    )


class ActionOutputSerializer(serializers.Serializer):
    """An operation on the contract for the requesting member, as ``offered_actions`` answers it (the same
    answer the portal and the back office render): allowed now, or why not, and where to post it."""

    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    allowed = serializers.BooleanField()
    reason = serializers.CharField(help_text=_("허용되지 않을 때 그 이유"))
    url = serializers.CharField(allow_null=True, help_text=_("이 작업을 요청할 API 경로"))


class ContractDetailOutputSerializer(ContractOutputSerializer):
    hold_reasons = serializers.ListField(child=serializers.CharField())
    rejection_reasons = serializers.ListField(child=serializers.CharField())
    decision_note = serializers.CharField()
    decided_on = serializers.DateField(allow_null=True)
    restrictions = serializers.ListField(child=serializers.CharField())
    renewal_stop_reason = serializers.CharField()
    periods = PeriodOutputSerializer(many=True, source="periods.all")
    documents = DocumentOutputSerializer(many=True, source="documents.all")
    required_documents = RequiredDocumentOutputSerializer(many=True)
    transitions = TransitionOutputSerializer(many=True, source="transitions.all")
    schedule_changes = ScheduleChangeOutputSerializer(many=True, source="schedule_changes.all")
    suspensions = SuspensionOutputSerializer(many=True, source="suspensions.all")
    effective_policy = PolicyValueOutputSerializer(many=True)
    deadlines = DeadlinesOutputSerializer()
    actions = ActionOutputSerializer(many=True)


def contract_detail_data(contract: Contract, **extra: Any) -> Any:
    """Attach the computed parts the detail serializer reads (selectors and service deadlines)."""
    for name, value in extra.items():
        setattr(contract, name, value)
    return contract


# --------------------------------------------------------------------------- inputs


class ContractApplyInputSerializer(StrictInputSerializer):
    plan = serializers.SlugField(help_text=_("요금제 코드 (GET /plans/)"))
    requested_start = BusinessDateField(help_text=_("희망 개통일 (CON-4)"))
    seats = CountField(required=False, allow_null=True)
    billing_cycle = serializers.ChoiceField(choices=BillingCycle.choices, required=False, allow_null=True)
    term_months = CountField(required=False, allow_null=True)


class DocumentUploadInputSerializer(StrictInputSerializer):
    kind = serializers.ChoiceField(choices=RequiredDocument.choices)
    file = serializers.FileField()


class PostponeInputSerializer(StrictInputSerializer):
    new_date = BusinessDateField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ReasonInputSerializer(StrictInputSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class RenewalStopInputSerializer(StrictInputSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class TerminationPreviewInputSerializer(serializers.Serializer):
    effective_on = BusinessDateField(help_text=_("해지 효력일 YYYY-MM-DD (CON-7)"))


class TerminateInputSerializer(StrictInputSerializer):
    effective_on = BusinessDateField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ConsentInputSerializer(StrictInputSerializer):
    decision = serializers.ChoiceField(
        choices=[
            (ConsentDecision.ACCEPTED, ConsentDecision.ACCEPTED.label),
            (ConsentDecision.REFUSED, ConsentDecision.REFUSED.label),
        ]
    )


class EntitlementInputSerializer(serializers.Serializer):
    feature = serializers.CharField(required=False, default="service", max_length=80)


# --------------------------------------------------------------------------- settlement, terms, entitlement


class SettlementLineOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    description = serializers.CharField()
    amount_won = serializers.IntegerField(help_text=_("양수: 고객 납부, 음수: 환불"))


class SettlementOutputSerializer(serializers.Serializer):
    contract_id = serializers.IntegerField()
    effective_on = serializers.DateField()
    lines = SettlementLineOutputSerializer(many=True)
    total_won = serializers.IntegerField()
    complete = serializers.BooleanField(
        help_text=_("false: 청구 모듈이 아직 미납·환불을 더하지 않은 미리보기")
    )


class ConsentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    policy_id = serializers.IntegerField()
    decision = ConsentDecisionField()
    decided_at = serializers.DateTimeField()
    channel = ConsentChannelField()
    ip_address = serializers.IPAddressField(allow_null=True)


class ReleaseOutputSerializer(serializers.Serializer):
    published_on = serializers.DateField()
    effective_on = serializers.DateField()
    reasons = serializers.CharField()
    unfavourable = serializers.BooleanField()
    price_increase = serializers.BooleanField()


class PendingTermsOutputSerializer(serializers.Serializer):
    """A published version affecting the customer, not yet effective (TRM-3), and the answer so far."""

    policy = PolicyRefOutputSerializer()
    previous = PolicyRefOutputSerializer()
    release = ReleaseOutputSerializer()
    terms_text_ko = serializers.CharField(source="policy.terms_text_ko")
    terms_text_en = serializers.CharField(source="policy.terms_text_en")
    silence_is_consent = serializers.BooleanField(help_text=_("시행일까지 무응답이면 동의로 간주 (TRM-3)"))
    contract_ids = serializers.SerializerMethodField()
    consent = ConsentOutputSerializer(allow_null=True)
    refusal_termination_available = serializers.BooleanField(
        source="refusal_termination_allowed", help_text=_("거부 시 위약금 없는 해지 가능 (TRM-5, TRM-6)")
    )
    refusal_outcome = serializers.CharField(source="refusal_outcome_label")

    def get_contract_ids(self, obj: PendingTerms) -> list[int]:
        return [c.pk for c in obj.contracts]


class PendingTermsPageOutputSerializer(PageOutputSerializer):
    results = PendingTermsOutputSerializer(many=True)


class EntitlementOutputSerializer(serializers.Serializer):
    feature = serializers.CharField()
    allowed = serializers.BooleanField()
    reason = serializers.CharField()
    contract_id = serializers.IntegerField(allow_null=True)
    on_date = serializers.DateField()
