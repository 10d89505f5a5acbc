import datetime as dt

import pytest

from accounts import services
from accounts.models import Customer
from core.errors import DomainError
from tests.factories import CustomerFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


def _create(today, **kwargs):
    data = {
        "legal_name": "주식회사 가나다",
        "representative_name": "홍길동",
        "billing_email": "bill@example.com",
        "business_number": "123-45-67891",
        "today": today,
        "actor": None,
    }
    data.update(kwargs)
    return services.customer_create(**data)


def test_create_strips_dashes_and_audits(today):
    """ACC-1, ACC-2, ACC-11: the number is stored without dashes; the creation is attributed to the actor."""
    staff = StaffUserFactory()
    customer = _create(today, actor=staff)
    assert customer.business_number == "1234567891"
    record = customer.history.latest()
    assert record.history_user == staff
    assert record.history_actor == f"user:{staff.username}"


def test_create_refuses_bad_checksum(today):
    """ACC-2: 1234567890 fails the checksum; nothing is written."""
    with pytest.raises(DomainError) as exc:
        _create(today, business_number="1234567890")
    assert exc.value.code == "business_number_invalid"
    assert exc.value.rule == "ACC-2"
    assert exc.value.field == "business_number"
    assert not Customer.objects.exists()


def test_business_number_unique_among_open_customers(today):
    """ACC-1: a number held by an active or dormant customer is refused; a closed customer's is reusable."""
    CustomerFactory(business_number="2208162517")
    with pytest.raises(DomainError) as exc:
        _create(today, business_number="220-81-62517")
    assert exc.value.code == "business_number_taken"
    assert exc.value.rule == "ACC-1"

    Customer.objects.update(status=Customer.Status.DORMANT)
    with pytest.raises(DomainError):
        _create(today, business_number="2208162517")

    Customer.objects.update(status=Customer.Status.CLOSED)
    reused = _create(today, business_number="2208162517")
    assert reused.status == Customer.Status.ACTIVE
    assert Customer.objects.filter(business_number="2208162517").count() == 2


def test_integrity_race_becomes_domain_error(today, monkeypatch):
    """ACC-1: if the pre-check misses a concurrent insert, the DB constraint's
    IntegrityError is translated."""
    CustomerFactory(business_number="2208162517")
    monkeypatch.setattr(services, "_business_number_taken", lambda number, exclude_pk=None: False)
    with pytest.raises(DomainError) as exc:
        _create(today, business_number="2208162517")
    assert exc.value.code == "business_number_taken"
    assert Customer.objects.count() == 1


def test_business_kinds_need_a_number(today):
    """ACC-1: corporations, individual businesses and public bodies need a business number."""
    for kind in (Customer.Kind.CORPORATION, Customer.Kind.INDIVIDUAL_BUSINESS, Customer.Kind.PUBLIC_BODY):
        with pytest.raises(DomainError) as exc:
            _create(today, kind=kind, business_number="")
        assert exc.value.code == "business_number_required"


def test_individual_under_14_refused(today):
    """ACC-7 (001 art.5-4-차): an applicant under 14 is refused; 14 on the day is accepted
    (with a representative)."""
    with pytest.raises(DomainError) as exc:
        _create(
            today,
            kind=Customer.Kind.INDIVIDUAL,
            business_number="",
            birth_date=dt.date(2012, 11, 21),
            legal_representative_name="보호자",
        )
    assert exc.value.code == "applicant_under_14"
    assert exc.value.rule == "ACC-7"
    ok = _create(
        today,
        kind=Customer.Kind.INDIVIDUAL,
        business_number="",
        birth_date=dt.date(2012, 11, 20),
        legal_representative_name="보호자",
    )
    assert ok.pk


def test_minor_needs_legal_representative(today):
    """ACC-7 (002 art.6③): a minor (under 19) needs a legal representative, who becomes the payer."""
    with pytest.raises(DomainError) as exc:
        _create(today, kind=Customer.Kind.INDIVIDUAL, business_number="", birth_date=dt.date(2010, 1, 1))
    assert exc.value.code == "legal_representative_required"
    assert exc.value.field == "legal_representative_name"
    customer = _create(
        today,
        kind=Customer.Kind.INDIVIDUAL,
        business_number="",
        birth_date=dt.date(2010, 1, 1),
        legal_representative_name="김보호",
    )
    assert customer.payer_name == "김보호"


def test_adult_individual_and_missing_birth_date(today):
    """ACC-7: adults need no representative; an individual must give a birth date."""
    adult = _create(
        today, kind=Customer.Kind.INDIVIDUAL, business_number="", birth_date=dt.date(2007, 11, 20)
    )
    assert adult.legal_representative_name == ""
    with pytest.raises(DomainError) as exc:
        _create(today, kind=Customer.Kind.INDIVIDUAL, business_number="")
    assert exc.value.code == "birth_date_required"


def test_error_message_in_korean_and_english(today):
    """ACC-2: the refusal names the rule and speaks Korean (English via the catalogue)."""
    with pytest.raises(DomainError) as exc:
        _create(today, business_number="1234567890")
    assert exc.value.message_ko.startswith("ACC-2: ")
    assert "사업자등록번호" in exc.value.message_ko
    assert "business registration number" in exc.value.message_en.lower()


def test_update_non_billing_fields_and_refuse_billing_fields():
    """ACC-9: contact fields change directly; billing fields (legal name…) need a change request."""
    customer = CustomerFactory()
    services.customer_update(
        customer=customer, changes={"address": "부산광역시", "locked_member_fields": ["email"]}, actor=None
    )
    customer.refresh_from_db()
    assert customer.address == "부산광역시"
    assert customer.locked_member_fields == ["email"]
    with pytest.raises(DomainError) as exc:
        services.customer_update(customer=customer, changes={"legal_name": "다른 이름"}, actor=None)
    assert exc.value.code == "change_request_required"
    with pytest.raises(DomainError) as exc:
        services.customer_update(
            customer=customer, changes={"locked_member_fields": ["login_id"]}, actor=None
        )
    assert exc.value.code == "locked_fields_invalid"


def test_status_transitions(today):
    """ACC-1: closing frees the number; reopening re-checks uniqueness; purged is final."""
    old = CustomerFactory(business_number="2208162517")
    services.customer_change_status(customer=old, status=Customer.Status.CLOSED, actor=None, today=today)
    assert old.closed_on == today
    CustomerFactory(business_number="2208162517")
    with pytest.raises(DomainError) as exc:
        services.customer_change_status(customer=old, status=Customer.Status.ACTIVE, actor=None, today=today)
    assert exc.value.code == "business_number_taken"
    services.customer_change_status(customer=old, status=Customer.Status.PURGED, actor=None, today=today)
    with pytest.raises(DomainError) as exc:
        services.customer_change_status(customer=old, status=Customer.Status.ACTIVE, actor=None, today=today)
    assert exc.value.code == "invalid_transition"
