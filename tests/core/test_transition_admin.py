"""Staff see the status log (core.transitions): the StatusTransition list, filtered by machine and searched by
object id, and the read-only inline on a lifecycle model's change page (ACC-1, MSG-6)."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts import services
from accounts.models import Customer
from core.models import StatusTransition
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 6)


def test_log_list_filters_by_machine_searches_by_object_id_and_is_read_only(admin_client):
    """ACC-1: the log is listed, filtered and searched; it cannot be added, changed or deleted."""
    first, second = CustomerFactory(), CustomerFactory()
    for customer in (first, second):
        services.customer_change_status(
            customer=customer, status=Customer.Status.DORMANT, actor=None, today=TODAY
        )
    url = "/admin/core/statustransition/"
    response = admin_client.get(url, {"machine": "customer"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    response = admin_client.get(url, {"q": str(second.pk)})
    assert [row.object_id for row in response.context["cl"].result_list] == [second.pk]
    assert admin_client.get(url, {"q": "휴면"}).status_code == 200
    row = StatusTransition.objects.get(object_id=first.pk)
    assert admin_client.get(f"{url}add/").status_code == 403
    assert admin_client.post(f"{url}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert StatusTransition.objects.filter(pk=row.pk).exists()


def test_change_page_shows_the_log_inline_and_still_saves(admin_client):
    """ACC-1: a customer's change page lists its moves read-only; saving the page needs nothing for it."""
    customer = CustomerFactory()
    services.customer_change_status(
        customer=customer, status=Customer.Status.DORMANT, actor=None, today=TODAY
    )
    page = admin_client.get(f"/admin/accounts/customer/{customer.pk}/change/")
    assert page.status_code == 200
    formsets = [f.formset for f in page.context["inline_admin_formsets"]]
    [log] = [f for f in formsets if f.model is StatusTransition]
    assert [form.instance.to_status for form in log.forms] == ["dormant"]
    assert admin_client.get("/admin/accounts/customer/add/").status_code == 200
