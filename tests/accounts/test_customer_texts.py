"""Issue 15: customers read no rule ids in the portal's account pages and refusals; staff keep them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import RequestFactory

from accounts.portal.forms import PortalLoginForm
from accounts.validators import validate_business_number
from core.errors import customer_facing


def _message(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


def test_business_number_refusal_names_the_rule_for_staff_only():
    """ACC-2: staff read "ACC-2: …"; a customer (customer-facing, the portal) reads the same sentence
    without the rule id."""
    with pytest.raises(ValidationError) as staff:
        validate_business_number("1234567890")
    with customer_facing(), pytest.raises(ValidationError) as customer:
        validate_business_number("1234567890")
    assert _message(staff).startswith("ACC-2: 사업자등록번호 '1234567890'가 올바르지 않습니다")
    assert _message(customer).startswith("사업자등록번호 '1234567890'가 올바르지 않습니다")


@pytest.mark.parametrize("template", ["portal/change_requests.html", "portal/successions.html"])
def test_account_request_pages_explain_without_rule_ids(template, rf: RequestFactory):
    """ACC-8, ACC-9: the explanations on the change-request and succession pages name no rule id."""
    request = rf.get("/")
    request.user = AnonymousUser()
    context = {"customer": {"legal_name": "주식회사 한빛"}, "rows": []}
    page = render_to_string(template, context, request=request)
    assert "ACC-" not in page


def test_login_refusals_name_no_rule_ids():
    """ACC-10: the portal login's messages (a dormant account included) name no rule id."""
    assert not [m for m in PortalLoginForm.error_messages.values() if "ACC-" in str(m)]
