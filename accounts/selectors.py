"""Reads on customers and members that more than one caller needs, tenant-scoped."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Customer, Member


def member_for_user(user: Any) -> Member | None:
    """The active or dormant member behind a login (with its customer), or None (e.g. staff)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        Member.objects.select_related("customer", "user")
        .filter(user=user, status__in=[Member.Status.ACTIVE, Member.Status.DORMANT])
        .first()
    )


def customer_members(customer: Customer, *, include_removed: bool = False) -> QuerySet[Member]:
    qs = Member.objects.filter(customer=customer).select_related("customer", "user")
    if not include_removed:
        qs = qs.exclude(status=Member.Status.REMOVED)
    return qs.order_by("name", "pk")


def customer_admins(customer: Customer) -> QuerySet[Member]:
    return Member.objects.filter(customer=customer, role=Member.Role.ADMIN, status=Member.Status.ACTIVE)


def customer_member_get(customer: Customer, member_id: int) -> Member | None:
    """A member of this customer only: another customer's member id reads as missing."""
    return customer_members(customer).filter(pk=member_id).first()


def customer_by_business_number(number: str) -> Customer | None:
    """The open (active or dormant) customer holding this business number (ACC-1)."""
    from .validators import normalize_business_number

    return Customer.objects.filter(
        business_number=normalize_business_number(number),
        status__in=[Customer.Status.ACTIVE, Customer.Status.DORMANT],
    ).first()


def customers_with_admin_count() -> QuerySet[Customer]:
    from django.db.models import Count, Q

    return Customer.objects.annotate(
        admin_count=Count("members", filter=Q(members__role=Member.Role.ADMIN,
                                              members__status=Member.Status.ACTIVE)),
        member_count=Count("members", filter=~Q(members__status=Member.Status.REMOVED)),
    )
