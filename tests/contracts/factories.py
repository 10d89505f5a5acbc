"""Factories for policies and plans (a staff-made policy with valid defaults)."""

from __future__ import annotations

import factory

from contracts.models import BillingCycle, Plan, Policy


class PolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Policy

    code = factory.Sequence(lambda n: f"custom-{n}")
    version = 1
    name = factory.LazyAttribute(lambda o: f"{o.code} 약관")
    status = Policy.Status.DRAFT
    dunning_ladder = factory.LazyFunction(
        lambda: [
            {"day": 1, "action": "notify", "business_days": False},
            {"day": 14, "action": "suspend", "business_days": False},
            {"day": 30, "action": "terminate", "business_days": False},
        ]
    )
    due_days = 14


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    code = factory.Sequence(lambda n: f"plan-{n}")
    name = factory.LazyAttribute(lambda o: f"{o.code} 요금제")
    policy = factory.SubFactory(PolicyFactory)
    billing_cycle = BillingCycle.MONTHLY
    monthly_price_per_seat_won = 10_000
