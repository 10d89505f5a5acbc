"""DAT-6 and the API: staff do not read customers' personal data through the API.

Every customer endpoint answers only a member of the customer about their own company (the data subject's
side, not staff access, so not logged). A view that lets anyone else read must either hold no personal data
or log through ``core.personal_data.log_access(..., via="api")``, and be listed here with its reason.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLResolver, get_resolver
from rest_framework.test import APIClient

from accounts.api.permissions import IsCustomerMember, MembersReadAdminsWrite
from accounts.models import PersonalDataAccess
from tests.factories import CustomerFactory, MemberFactory, StaffUserFactory

#: API views open to users who are not (only) a customer's members, and why no staff access log is needed.
NOT_MEMBER_SCOPED = {
    "accounts.api.views.TokenObtainApi": "login: answers the caller's own token",
    "accounts.api.requests.ReactivateApi": "a dormant member restores their own account",
    "messaging.api.views.NoticeInboxApi": "the caller's own notices (request_member)",
    "messaging.api.views.NoticeUnreadCountApi": "the caller's own count (request_member)",
    "messaging.api.views.NoticeReadApi": "marks the caller's own notice read (request_member)",
    "messaging.api.views.BroadcastReadApi": "marks a public broadcast read for the caller",
    "sla.api.views.FeedPointApi": "monitor feed: writes error rates, reads no personal data",
    "billing.api.webhooks.PortOneWebhookApi": "PortOne's payment webhook: signed, answers no data",
    "messaging.api.webhooks.SolapiWebhookView": "Solapi's delivery reports: shared secret, answers no data",
}


def _api_views(patterns: list[Any], prefix: str = "") -> list[tuple[str, type]]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _api_views(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            view = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
            if (prefix + str(pattern.pattern)).startswith("api/v1/") and view is not None:
                found.append((prefix + str(pattern.pattern), view))
    return found


def test_every_api_view_is_member_scoped_or_listed():
    """DAT-6: an API view not restricted to the customer's own members is a possible staff read; it must be
    listed above with the reason it holds no other customer's personal data (or log its reads)."""
    views = _api_views(get_resolver().url_patterns)
    assert len(views) > 20
    open_views = {
        f"{view.__module__}.{view.__name__}"
        for _path, view in views
        if not issubclass(view, MembersReadAdminsWrite)
        and not any(isinstance(p, type) and issubclass(p, IsCustomerMember)
                    for p in getattr(view, "permission_classes", []))
    }
    assert open_views == set(NOT_MEMBER_SCOPED)


@pytest.mark.django_db
def test_staff_without_membership_cannot_read_customer_data():
    """DAT-6: a superuser token reads no customer's members or profile through the API (and logs nothing)."""
    member = MemberFactory(customer=CustomerFactory())
    staff = StaffUserFactory(is_superuser=True)
    client = APIClient()
    client.force_authenticate(staff)
    assert client.get("/api/v1/members/").status_code == 403
    assert client.get("/api/v1/me/").status_code == 403
    assert member.pk and not PersonalDataAccess.objects.exists()
