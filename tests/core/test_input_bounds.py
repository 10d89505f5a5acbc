"""Issue #14: bounds on every money, count and date input (core.fields) — never a 500, always a 400 JSON
naming the field and the broken bound, nothing written.

The property tests throw random huge, negative and odd amounts and dates at the payment, seats (contract
application), termination preview and invoice preview endpoints, the bank statement parser and the
admin's date filters.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import BankStatementImport, Payment
from billing.services.bank import parse_statement
from contracts.models import Contract
from contracts.presets import load_presets
from core import clock, fields
from tests.billing.bdocs_support import api_client_for
from tests.contracts.test_api_contracts import _active
from tests.factories import AdminMemberFactory

TODAY = dt.date(2026, 11, 20)
API = "/api/v1"
PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

ODD_AMOUNTS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([10**20, 2**63, 2**63 - 1, 10**15, 10_000_000_001, -1, 0, 1]),
    st.sampled_from(["1e20", "abc", "", "１２３", "12.5", "0x10", "9" * 400, "1\x00"]),
    st.sampled_from([True, None, 1.5, [], {}]),
)
ODD_DATES = st.one_of(
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(dt.date.isoformat),
    st.sampled_from(["9999-12-31", "0001-01-01", "0000-00-00", "2026-02-30", "2026-11-20\x00", "", "어제",
                     "10000-01-01", "2026-13-01", "+2026-11-01"]),
    st.text(max_size=12),
)


def _assert_400_names(response, field: str) -> dict:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error" and field in error["fields"], error
    assert field in error["codes"], error
    return error


# --------------------------------------------------------------------------- the fields themselves


class _Input(fields.StrictInputSerializer):
    amount_won = fields.WonField(min_won=1)
    seats = fields.CountField(required=False)
    on = fields.BusinessDateField(required=False)
    period = fields.PeriodField(required=False)


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"amount_won": 10**20}, "amount_won", "won_out_of_range"),
        ({"amount_won": 2**63}, "amount_won", "won_out_of_range"),
        ({"amount_won": 10**15}, "amount_won", "won_out_of_range"),
        ({"amount_won": 0}, "amount_won", "won_out_of_range"),
        ({"amount_won": True}, "amount_won", "invalid"),
        ({"amount_won": 1, "seats": 2**63}, "seats", "count_out_of_range"),
        ({"amount_won": 1, "on": "9999-12-31"}, "on", "date_out_of_range"),
        ({"amount_won": 1, "on": "0001-01-01"}, "on", "date_out_of_range"),
        ({"amount_won": 1, "period": "0000-00"}, "period", "period_invalid"),
        ({"amount_won": 1, "period": "2026-13"}, "period", "period_invalid"),
        ({"amount_won": 1, "amount": 5}, "amount", "unknown_field"),
    ],
)
def test_bounded_fields_refuse_with_a_code(data, field, code):
    """Issue #14: each bound is refused with the field named and a stable code."""
    with clock.frozen(TODAY):
        serializer = _Input(data=data)
        assert not serializer.is_valid()
    assert serializer.errors[field][0].code == code


def test_bounded_fields_accept_the_edges():
    """Issue #14: the bounds themselves are accepted (10,000,000,000 won; 10 years back, 5 ahead)."""
    with clock.frozen(TODAY):
        serializer = _Input(data={"amount_won": 10_000_000_000, "seats": 100_000, "on": "2016-11-20",
                                  "period": "2031-11"})
        assert serializer.is_valid(), serializer.errors
        assert not _Input(data={"amount_won": 1, "on": "2031-11-21"}).is_valid()
        assert _Input(data={"amount_won": 1, "on": "2031-11-20"}).is_valid()


def test_form_fields_use_the_same_bounds():
    """Issue #14: admin and portal forms refuse the same values as the API."""
    from django import forms

    class Form(forms.Form):
        amount_won = fields.WonFormField(min_value=1)
        seats = fields.CountFormField(required=False)
        on = fields.BusinessDateFormField(required=False)

    with clock.frozen(TODAY):
        form = Form(data={"amount_won": str(10**20), "seats": str(2**63), "on": "9999-12-31"})
        assert not form.is_valid()
        assert {name: errors.as_data()[0].code for name, errors in form.errors.items()} == {
            "amount_won": "won_out_of_range", "seats": "count_out_of_range", "on": "date_out_of_range"
        }
        assert Form(data={"amount_won": "1", "on": "2026-11-20"}).is_valid()


def test_every_api_body_serializer_refuses_unknown_fields():
    """Issue #14: every API input serializer read from a request body is strict (a new one must be too)."""
    import importlib
    import inspect
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    body = re.compile(r"(\w+)\(data=request\.data|input_serializer = (\w+)")
    checked = []
    for path in sorted(root.glob("*/api/*.py")):
        module = importlib.import_module(".".join(path.relative_to(root).with_suffix("").parts))
        names = {a or b for a, b in body.findall(path.read_text(encoding="utf-8"))}
        for name in names:
            if name == "InputSerializer":  # self.InputSerializer: the views' nested ones
                found = [view.InputSerializer for _n, view in inspect.getmembers(module, inspect.isclass)
                         if view.__module__ == module.__name__ and "InputSerializer" in vars(view)]
            else:
                found = [getattr(module, name)] if hasattr(module, name) else []
            for serializer in found:
                assert issubclass(serializer, fields.StrictInputSerializer), (path.name, serializer)
                checked.append(serializer)
    assert len(checked) >= 20, checked


# --------------------------------------------------------------------------- endpoints (issue #14 list)


@pytest.fixture
def admin(db):
    return AdminMemberFactory()


@pytest.fixture
def api(admin):
    return api_client_for(admin)


def _notice(api, **overrides):
    body = {"method": "bank_transfer", "amount_won": 110_000, "payer_name": "한빛",
            "transferred_on": "2026-11-19"}
    body.update(overrides)
    return api.post(f"{API}/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount_won": 10**20}, "amount_won"),
        ({"amount_won": 2**63}, "amount_won"),
        ({"amount_won": 10**15}, "amount_won"),  # a notice of 10^15 won used to be accepted
        ({"transferred_on": "0001-01-01"}, "transferred_on"),  # accepted before
        ({"transferred_on": "9999-12-31"}, "transferred_on"),
        ({"payer_name": "한\x00빛"}, "payer_name"),
        ({"amount": 5}, "amount"),  # unknown field
    ],
)
def test_payment_notice_refusals(api, overrides, field):
    """Issue #14 (BIL-7): out-of-range payment notices are a 400 naming the field; nothing is written."""
    with clock.frozen(TODAY):
        _assert_400_names(_notice(api, **overrides), field)
    assert Payment.objects.count() == 0


@pytest.mark.django_db
def test_previews_and_filters_refuse_impossible_dates(api, admin):
    """Issue #14: termination preview (CON-7) and invoice preview (BIL-2) at 9999-12-31 / 0001-01-01, and
    the invoice list for period 0000-00, answer 400 instead of 500."""
    contract = _active(admin, "damoa-standard")
    with clock.frozen(TODAY):
        for day in ("9999-12-31", "0001-01-01"):
            _assert_400_names(api.get(f"{API}/invoices/preview/", {"date": day}), "date")
            _assert_400_names(
                api.get(f"{API}/contracts/{contract.pk}/termination-preview/", {"effective_on": day}),
                "effective_on",
            )
        _assert_400_names(api.get(f"{API}/invoices/", {"period": "0000-00"}), "period")
        assert api.get(f"{API}/invoices/", {"period": "2026-11"}).status_code == 200


@pytest.mark.django_db
def test_application_refuses_far_start_and_huge_seats(api):
    """Issue #14 (CON-4, ACC-5): an application starting 9999-12-31 (accepted before) or for 2^63 seats is
    refused with the field named; no contract is written."""
    load_presets()
    with clock.frozen(TODAY):
        far = api.post(f"{API}/contracts/", {"plan": "damoa-standard", "requested_start": "9999-12-31"},
                       format="json")
        _assert_400_names(far, "requested_start")
        seats = api.post(f"{API}/contracts/", {"plan": "damoa-standard", "requested_start": "2026-12-01",
                                               "seats": 2**63}, format="json")
        _assert_400_names(seats, "seats")
    assert Contract.objects.count() == 0


# --------------------------------------------------------------------------- property tests


@pytest.mark.django_db
@PROPERTY
@given(amount=ODD_AMOUNTS, day=ODD_DATES)
def test_payment_endpoint_never_500(api, amount, day):
    """Issue #14 (BIL-7): random amounts and dates: 201 within bounds, else 400 JSON naming the field with
    nothing written — never a 500."""
    before = Payment.objects.count()
    with clock.frozen(TODAY):
        response = _notice(api, amount_won=amount, transferred_on=day)
    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        error = response.json()["error"]
        assert error["field"] in ("amount_won", "transferred_on") or error["rule"], error
        assert Payment.objects.count() == before
    else:
        assert Payment.objects.count() == before + 1


@pytest.mark.django_db
@PROPERTY
@given(day=ODD_DATES)
def test_preview_endpoints_never_500(api, admin, day):
    """Issue #14 (BIL-2, CON-7): random dates to the invoice and termination previews: 200 or a 400 JSON
    naming the field."""
    contract = Contract.objects.filter(customer=admin.customer).first() or _active(admin, "damoa-standard")
    with clock.frozen(TODAY):
        invoice = api.get(f"{API}/invoices/preview/", {"date": day})
        termination = api.get(f"{API}/contracts/{contract.pk}/termination-preview/", {"effective_on": day})
    for response, field in ((invoice, "date"), (termination, "effective_on")):
        assert response.status_code in (200, 400), response.content
        if response.status_code == 400:
            error = response.json()["error"]
            assert error["field"] == field or error["rule"], error


@pytest.mark.django_db
@PROPERTY
@given(seats=ODD_AMOUNTS, start=ODD_DATES)
def test_application_endpoint_never_500(api, seats, start):
    """Issue #14 (CON-4, ACC-5): random seats and start dates: a contract, or a 400 naming the field."""
    load_presets()
    Contract.objects.filter(customer__members__isnull=False).delete()
    with clock.frozen(TODAY):
        response = api.post(f"{API}/contracts/", {"plan": "damoa-standard", "requested_start": start,
                                                  "seats": seats}, format="json")
    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        error = response.json()["error"]
        assert error["field"] in ("seats", "requested_start") or error["rule"], error


CELL = st.one_of(ODD_AMOUNTS.map(str), st.text(max_size=30))


@PROPERTY
@given(rows=st.lists(st.tuples(ODD_DATES, st.text(max_size=20), CELL), min_size=1, max_size=8))
def test_bank_parser_never_raises(rows):
    """Issue #14 (BIL-7): random statement rows: every row is either parsed within bounds or reported
    with its line; the parser itself never raises."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)  # the test writes raw cells on purpose (a hostile bank file)
    writer.writerow(["거래일자", "입금자명", "입금액"])
    writer.writerows(rows)
    with clock.frozen(TODAY):
        parsed, problems = parse_statement(buffer.getvalue().encode("utf-8"))
    low, _high = fields.date_window(TODAY)
    for row in parsed:
        assert low <= row.transacted_on <= TODAY
        assert 1 <= row.amount_won <= fields.max_won()
        assert "\x00" not in row.payer_name
    assert parsed or problems
    assert all(p.line >= 1 for p in problems)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"received_on__year": "9999"}, {"received_on__year": "0"}, {"received_on__year": "99999999999"},
        {"received_on__gte": "0001-01-01"}, {"received_on__lt": "9999-12-31"},
        {"received_on__year": "2026", "received_on__month": "13"},
        {"received_on__year": "2026", "received_on__month": "2", "received_on__day": "30"},
    ],
)
def test_admin_date_filters_never_500(admin_client, query):
    """Issue #14: the admin's year/month/day filters with impossible values answer 200 or the admin's
    'invalid filter' redirect, never 500."""
    response = admin_client.get(reverse("admin:billing_payment_changelist"), query)
    assert response.status_code in (200, 302), response.status_code
    statements = admin_client.get(reverse("admin:billing_bankstatementimport_changelist"),
                                  {k.replace("received_on", "created_at"): v for k, v in query.items()})
    assert statements.status_code in (200, 302), statements.status_code
    assert BankStatementImport.objects.count() == 0


def test_every_admin_lists_with_the_bounded_changelist(rf):
    """Issue #14: every admin with a date drill-down lists with core.admin_dates.BoundedChangeList."""
    from django.contrib import admin

    from core.admin_dates import BoundedChangeList

    request = rf.get("/")
    wrong = [
        model._meta.label for model, model_admin in admin.site._registry.items()
        # DRF's own TokenAdmin keeps its TokenChangeList (third-party, staff-only): not ours to replace.
        if model_admin.date_hierarchy and model._meta.app_label != "authtoken"
        and not issubclass(model_admin.get_changelist(request), BoundedChangeList)
    ]
    assert wrong == []
