"""The kgmsg product's numbers for one customer (MSG-2..7, CON-13): ``MessagingLimits`` built from the
effective policy of the customer's live kgmsg contract and its plan's unit prices.

Messaging sits below contracts, so it never reads a Policy: interfaces (API, portal, jobs) call
:func:`messaging_limits_for` and hand the result to the messaging services.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from core.errors import PermissionDenied
from messaging.limits import MessagingLimits

from ..effective import effective_policy
from ..entitlement import entitlement
from ..models import Contract, Plan

POLICY_CODE = "kgmsg"
FEATURE = "messaging"
RULE = "CON-13"


def kgmsg_contract(customer: Customer, *, today: dt.date) -> Contract | None:
    """The customer's live (entitled) kgmsg contract, or ``None``."""
    plan_codes = list(Plan.objects.filter(policy__code=POLICY_CODE).values_list("code", flat=True))
    if not plan_codes:
        return None
    right = entitlement(customer, FEATURE, today=today, plan_codes=plan_codes)
    return right.contract if right.allowed else None


def has_messaging(customer: Customer, *, today: dt.date) -> bool:
    """Whether the customer may use the paid messaging pages and API today."""
    return kgmsg_contract(customer, today=today) is not None


def messaging_limits_for(customer: Customer, *, today: dt.date) -> MessagingLimits:
    """The limits of the customer's live kgmsg contract; refused without one (CON-13)."""
    contract = kgmsg_contract(customer, today=today)
    if contract is None:
        raise PermissionDenied(
            "messaging_contract_required",
            _("문자·알림톡 서비스 이용 계약이 없거나 이용할 수 없는 상태입니다."),
            rule=RULE,
        )
    return MessagingLimits.from_policy(
        effective_policy(contract), unit_prices=contract.plan.usage_unit_prices
    )
