"""Customer portal: the dunning status of overdue invoices (DUN-2): the amount still owed, the last step,
the next step and its date, any pause (DUN-3)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.portal.auth import member_required, request_member
from core import clock

from ..selectors import dunning_rows

SECTION = "invoices"


@member_required
def dunning_status(request: HttpRequest) -> HttpResponse:
    member = request_member(request)
    return render(
        request,
        "billing/portal/dunning.html",
        {"section": SECTION, "rows": dunning_rows(member.customer, clock.today())},
    )
