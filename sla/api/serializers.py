"""Input and output serializers of the SLA API: one pair per view, no rule in here."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.fields import MonthField, StrictInputSerializer, WonField

from ..models import IncidentScope


class PageOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


# --------------------------------------------------------------------------- incidents


class IncidentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    service = serializers.CharField()
    plan = serializers.CharField(source="plan.code", allow_null=True, default=None)
    contract = serializers.IntegerField(source="contract_id", allow_null=True)
    title = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    scope = serializers.CharField()
    feature = serializers.CharField()
    cause = serializers.CharField()
    cause_label = serializers.CharField(source="get_cause_display")
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    exclusions = serializers.SerializerMethodField()

    def get_exclusions(self, incident: Any) -> list[str]:
        return list(incident.exclusions())


class IncidentPageOutputSerializer(PageOutputSerializer):
    results = IncidentOutputSerializer(many=True)


class IncidentUpdateOutputSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    status = serializers.CharField()
    body = serializers.CharField()


class IncidentDetailOutputSerializer(IncidentOutputSerializer):
    description = serializers.CharField()
    reported_at = serializers.DateTimeField(allow_null=True)
    detected_at = serializers.DateTimeField(allow_null=True)
    rejection_reason = serializers.CharField()
    updates = IncidentUpdateOutputSerializer(many=True, source="updates.all")


class IncidentReportInputSerializer(StrictInputSerializer):
    contract = serializers.IntegerField()
    title = serializers.CharField(max_length=200, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    scope = serializers.ChoiceField(choices=IncidentScope.choices, default=IncidentScope.WHOLE)
    feature = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    reported_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


# --------------------------------------------------------------------------- availability


class OutageOutputSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    minutes = serializers.FloatField()
    incidents = serializers.ListField(child=serializers.IntegerField())
    counted = serializers.BooleanField()
    counted_minutes_in_month = serializers.FloatField()
    counted_from = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()


class ExcludedOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()
    minutes = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())


class MaintenanceOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class AvailabilityOutputSerializer(serializers.Serializer):
    contract = serializers.IntegerField(source="contract.pk")
    month = serializers.DateField(format="%Y-%m")
    closed = serializers.BooleanField(help_text="월 마감 여부 (아니면 현재까지의 잠정 값)")
    availability = serializers.DecimalField(max_digits=9, decimal_places=4)
    service_minutes = serializers.IntegerField()
    counted_minutes = serializers.DecimalField(max_digits=12, decimal_places=2)
    outages = OutageOutputSerializer(many=True)
    excluded = ExcludedOutputSerializer(many=True)
    maintenance = MaintenanceOutputSerializer(many=True)
    status = serializers.CharField(allow_null=True)
    credit_won = serializers.IntegerField(allow_null=True)
    credit_basis = serializers.CharField()
    claim_required = serializers.BooleanField()
    claim_due_on = serializers.DateField(allow_null=True)


class MonthInputSerializer(serializers.Serializer):
    month = MonthField(help_text="YYYY-MM")


# --------------------------------------------------------------------------- claims


class ClaimOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    contract = serializers.IntegerField(source="contract_id")
    month = serializers.DateField(source="sla_month.month", format="%Y-%m")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    submitted_on = serializers.DateField()
    amount_won = serializers.IntegerField()
    basis = serializers.CharField()
    details = serializers.CharField()
    decided_on = serializers.DateField(allow_null=True)
    decision_reason = serializers.CharField()


class ClaimPageOutputSerializer(PageOutputSerializer):
    results = ClaimOutputSerializer(many=True)


class ClaimDraftOutputSerializer(serializers.Serializer):
    month = serializers.DateField(format="%Y-%m")
    amount_won = serializers.IntegerField()
    basis = serializers.CharField()
    availability = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)


class ClaimSubmitInputSerializer(StrictInputSerializer):
    contract = serializers.IntegerField()
    month = MonthField(help_text="YYYY-MM")
    amount_won = WonField(required=False, allow_null=True, default=None)
    basis = serializers.CharField(required=False, allow_blank=True, default="")
    details = serializers.CharField(required=False, allow_blank=True, default="")


# --------------------------------------------------------------------------- access-failure feed


class FeedPointInputSerializer(StrictInputSerializer):
    service = serializers.SlugField(max_length=40)
    at = serializers.DateTimeField()
    # Range and duplicates are the service's rule (SLA-3): refused there with field and rule.
    failure_ratio = serializers.DecimalField(max_digits=20, decimal_places=10, help_text="0~1")
    window_minutes = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    attempts = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)


class FeedPointOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    service = serializers.CharField()
    at = serializers.DateTimeField()
    window_minutes = serializers.IntegerField()
    failure_ratio = serializers.DecimalField(max_digits=7, decimal_places=6)
    attempts = serializers.IntegerField(allow_null=True)
    source = serializers.CharField()  # type: ignore[assignment]  # a field, collected by the metaclass
