"""The payment suites written against the fake gateway, run once more against the PortOne adapter
(issue 18; BIL-7, BIL-8, SPEC §10): every charge goes through ``billing.gateways.portone`` and
PortOne's SDK to recorded PortOne answers at the HTTP boundary (``tests/billing/portone_support.py``).

The tests are the same functions as in ``test_collection``, ``test_collection_business_days``,
``test_card_flows`` (card refunds and card removal) and the pay-now part of
``test_payment_services_more``; only the ``fake_gateway`` fixture differs: here it switches
``PAYMENT_GATEWAY`` to ``portone`` and hands back the state the simulator decides by.
"""

from __future__ import annotations

import pytest

from tests.billing.portone_support import portone_gateway  # noqa: F401 - fixture
from tests.billing.test_card_flows import *  # noqa: F403 - card refunds and removal (issue 18)
from tests.billing.test_collection import *  # noqa: F403 - the suite, re-collected here
from tests.billing.test_collection_business_days import *  # noqa: F403
from tests.billing.test_payment_services_more import (  # noqa: F401 - its fixtures and pay-now tests
    admin,
    customer,
    test_api_pay_now_timeout_then_same_key_resumes,
    test_charge_now_needs_a_default_automatic_method,
    test_charge_now_success_and_replay,
    test_charge_now_unknown_outcome_is_resumed_with_the_same_key,
    test_failed_charge_now_does_not_move_the_retry_schedule,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_gateway(portone_gateway):  # type: ignore[no-untyped-def]  # noqa: F811
    """The suites' gateway handle, backed by the PortOne adapter (issue 18)."""
    return portone_gateway
