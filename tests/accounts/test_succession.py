"""ACC-8: legal succession (merger, split, business transfer; 002 art.19, 004 art.22, 003 art.14)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts.models import Customer, SuccessionRequest
from contracts.models import Contract, ContractStatus, SeatAssignment, SuccessionTransfer
from contracts.presets import load_presets
from contracts.services import applications, succession
from core.errors import DomainError, PermissionDenied
from messaging.models import Notice
from tests.contracts.conftest import active, new_customer
from tests.factories import AdminMemberFactory, CustomerFactory, MemberFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

D = dt.date
EVENT = D(2026, 3, 2)
TODAY = D(2026, 3, 20)


@pytest.fixture(autouse=True)
def _presets(db):  # type: ignore[no-untyped-def]
    load_presets()
    yield
    applications.set_unpaid_lookup(lambda customer, day: 0)


def _docs() -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile("사업자등록증.pdf", b"%PDF-1.4 a"),
            SimpleUploadedFile("합병등기.pdf", b"%PDF b")]


@pytest.fixture
def parties():  # type: ignore[no-untyped-def]
    predecessor = new_customer()
    contract = active("dcloud", customer=predecessor)
    successor = new_customer()
    return predecessor, successor, contract


def _admin(customer):  # type: ignore[no-untyped-def]
    return customer.members.filter(role="admin").first()


def _file(predecessor, successor, *, today=TODAY, event=EVENT, filer=None, **kw):  # type: ignore[no-untyped-def]
    return succession.succession_file(
        predecessor=predecessor, successor=successor, kind=kw.pop("kind", SuccessionRequest.Kind.MERGER),
        event_date=event, documents=kw.pop("documents", _docs()), today=today,
        filer=filer if filer is not None else _admin(successor or predecessor), **kw,
    )


def test_file_within_deadline_and_approve_moves_contracts(parties):
    """ACC-8: the successor files within 30 days with documents; staff approve; the predecessor's live
    contracts move to the successor as recorded transfers; both parties are on the history and told."""
    predecessor, successor, contract = parties
    request = _file(predecessor, successor)
    assert request.status == SuccessionRequest.Status.REQUESTED
    assert request.deadline == EVENT + dt.timedelta(days=30)
    assert request.documents.count() == 2
    for party in (predecessor, successor):
        assert Notice.objects.filter(customer=party, event="customer.succession_requested").exists()

    staff = StaffUserFactory(groups=["support"])
    succession.succession_approve(request=request, actor=staff, today=TODAY)
    request.refresh_from_db()
    contract.refresh_from_db()
    assert request.status == SuccessionRequest.Status.APPROVED and request.decided_by == staff
    assert contract.customer_id == successor.pk
    assert contract.status == ContractStatus.ACTIVE
    transfer = SuccessionTransfer.objects.get(request=request)
    assert (transfer.contract_id, transfer.from_customer_id, transfer.to_customer_id) == (
        contract.pk, predecessor.pk, successor.pk)
    assert transfer.actor == f"user:{staff.username}"
    owners = set(contract.history.values_list("customer_id", flat=True))
    assert {predecessor.pk, successor.pk} <= owners
    for party in (predecessor, successor):
        notice = Notice.objects.filter(customer=party, event="customer.succession_approved").first()
        assert notice is not None and contract.number in notice.body


def test_late_filing_refused_naming_deadline(parties):
    """ACC-8 (002 art.19②): a filing on day 31 after the event is refused, naming the deadline."""
    predecessor, successor, _contract = parties
    with pytest.raises(DomainError) as err:
        _file(predecessor, successor, event=D(2026, 2, 17), today=D(2026, 3, 20))
    assert err.value.code == "filing_deadline_passed"
    assert "2026-03-19" in err.value.message and "ACC-8" in err.value.message
    # day 30 is still in time
    in_time = _file(predecessor, successor, event=D(2026, 2, 18), today=D(2026, 3, 20))
    assert in_time.deadline == D(2026, 3, 20)


def test_filing_needs_documents_and_a_party_admin(parties):
    """ACC-8: no documents → refused; a plain member or an outsider's admin may not file (403)."""
    predecessor, successor, _contract = parties
    with pytest.raises(DomainError) as err:
        _file(predecessor, successor, documents=[])
    assert err.value.code == "documents_required"
    plain = MemberFactory(customer=successor)
    with pytest.raises(PermissionDenied) as denied:
        _file(predecessor, successor, filer=plain)
    assert denied.value.status_code == 403
    with pytest.raises(PermissionDenied):
        _file(predecessor, successor, filer=AdminMemberFactory())
    with pytest.raises(DomainError) as err:
        _file(predecessor, successor, event=TODAY + dt.timedelta(days=1))
    assert err.value.code == "event_in_future"
    assert not SuccessionRequest.objects.exists()


def test_one_open_filing_per_predecessor(parties):
    """ACC-8: a second open filing for the same predecessor is refused."""
    predecessor, successor, _contract = parties
    _file(predecessor, successor)
    with pytest.raises(DomainError) as err:
        _file(predecessor, new_customer())
    assert err.value.code == "succession_open"


def test_unpaid_fees_block_approval_naming_amount(parties):
    """ACC-8 (002 art.19③): approval is refused while the predecessor owes fees, naming the amount;
    nothing moves. Once paid, it goes through."""
    predecessor, successor, contract = parties
    request = _file(predecessor, successor)
    owed = {"won": 150_000}
    applications.set_unpaid_lookup(lambda c, day: owed["won"] if c.pk == predecessor.pk else 0)
    with pytest.raises(DomainError) as err:
        succession.succession_approve(request=request, actor=StaffUserFactory(), today=TODAY)
    assert err.value.code == "unpaid_fees" and "150,000" in err.value.message
    contract.refresh_from_db()
    request.refresh_from_db()
    assert contract.customer_id == predecessor.pk and request.status == SuccessionRequest.Status.REQUESTED
    assert not SuccessionTransfer.objects.exists()
    owed["won"] = 0
    succession.succession_approve(request=request, actor=StaffUserFactory(), today=TODAY)
    assert Contract.objects.get(pk=contract.pk).customer_id == successor.pk


def test_new_successor_created_on_approval_and_seats_released(parties):
    """ACC-8: a successor that is not a customer yet is created from the filing's data on approval;
    the moved contract's seat assignments (the predecessor's members) are released."""
    predecessor, _successor, contract = parties
    SeatAssignment.objects.create(contract=contract, member=_admin(predecessor), assigned_on=D(2026, 1, 5))
    request = succession.succession_file(
        predecessor=predecessor, successor=None, kind=SuccessionRequest.Kind.BUSINESS_TRANSFER,
        event_date=EVENT, documents=_docs(), today=TODAY, filer=_admin(predecessor),
        successor_data={"legal_name": "주식회사 양수인", "representative_name": "양대표",
                        "billing_email": "new@example.com", "business_number": "220-81-62517"},
    )
    assert request.successor is None and request.successor_name == "주식회사 양수인"
    succession.succession_approve(request=request, actor=StaffUserFactory(), today=TODAY)
    request.refresh_from_db()
    created = Customer.objects.get(business_number="2208162517")
    assert request.successor == created and created.legal_name == "주식회사 양수인"
    assert Contract.objects.get(pk=contract.pk).customer == created
    seat = SeatAssignment.objects.get(contract=contract)
    assert seat.released_on == TODAY
    assert SuccessionTransfer.objects.get(request=request).released_seats == 1


def test_split_moves_only_chosen_contracts(parties):
    """ACC-8: on a split staff may move some of the live contracts; the rest stay with the predecessor."""
    predecessor, successor, contract = parties
    other = active("damoa", customer=predecessor)
    request = _file(predecessor, successor, kind=SuccessionRequest.Kind.SPLIT)
    succession.succession_approve(request=request, actor=StaffUserFactory(), today=TODAY, contracts=[other])
    assert Contract.objects.get(pk=other.pk).customer_id == successor.pk
    assert Contract.objects.get(pk=contract.pk).customer_id == predecessor.pk


def test_reject_needs_reason(parties):
    """ACC-8: rejection records a reason; nothing moves; both parties are told."""
    predecessor, successor, contract = parties
    request = _file(predecessor, successor)
    with pytest.raises(DomainError):
        succession.succession_reject(request=request, actor=StaffUserFactory(), today=TODAY, reason="")
    succession.succession_reject(request=request, actor=StaffUserFactory(), today=TODAY, reason="서류 미비")
    request.refresh_from_db()
    assert request.status == SuccessionRequest.Status.REJECTED and request.decision_reason == "서류 미비"
    assert Contract.objects.get(pk=contract.pk).customer_id == predecessor.pk
    assert Notice.objects.filter(customer=successor, event="customer.succession_rejected").exists()


# --------------------------------------------------------------------------- portal and API


def test_portal_filing_permissions_and_scope(client, parties):
    """ACC-8: a successor's admin files in the portal naming the predecessor's number; a plain member gets
    403; an unrelated customer's filing is 404."""
    predecessor, successor, _contract = parties
    client.force_login(_admin(successor).user)
    url = reverse("portal:successions")
    assert client.get(url).status_code == 200
    form = {"side": "successor", "kind": "merger", "event_date": "2026-03-02",
                  "counterparty_business_number": predecessor.business_number, "documents": _docs()}
    from core import clock

    with clock.frozen(TODAY):
        response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    request = SuccessionRequest.objects.get()
    assert (request.predecessor, request.successor) == (predecessor, successor)
    assert client.get(reverse("portal:succession_detail", args=[request.pk])).status_code == 200

    plain = MemberFactory(customer=successor)
    client.force_login(plain.user)
    assert client.post(url, form).status_code == 403
    stranger = AdminMemberFactory(customer=CustomerFactory())
    client.force_login(stranger.user)
    assert client.get(reverse("portal:succession_detail", args=[request.pk])).status_code == 404


def test_portal_late_filing_shows_deadline(client, parties):
    """ACC-8: a late filing comes back with the deadline next to the event date."""
    predecessor, successor, _contract = parties
    client.force_login(_admin(predecessor).user)
    from core import clock

    with clock.frozen(TODAY):
        response = client.post(reverse("portal:successions"), {
            "side": "predecessor", "kind": "merger", "event_date": "2026-01-02",
            "counterparty_business_number": successor.business_number, "documents": _docs()})
    assert response.status_code == 400
    assert "2026-02-01" in response.content.decode()


def _auth(api_client, member):  # type: ignore[no-untyped-def]
    token, _ = Token.objects.get_or_create(user=member.user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api_client


def test_api_filing_permissions_and_scope(api_client, parties):
    """ACC-8: admins file through the API (201); a plain member 403; another customer's filing 404."""
    from core import clock

    predecessor, successor, _contract = parties
    url = "/api/v1/customer/successions/"
    data = {"side": "predecessor", "kind": "merger", "event_date": "2026-03-02",
            "counterparty_business_number": successor.business_number, "documents": _docs()}
    _auth(api_client, _admin(predecessor))
    with clock.frozen(TODAY):
        response = api_client.post(url, data, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["successor"] == successor.pk and len(body["documents"]) == 2
    assert api_client.get(f"{url}{body['id']}/").status_code == 200

    _auth(api_client, MemberFactory(customer=predecessor))
    data["documents"] = _docs()
    assert api_client.post(url, data, format="multipart").status_code == 403
    _auth(api_client, AdminMemberFactory())
    assert api_client.get(f"{url}{body['id']}/").status_code == 404


# --------------------------------------------------------------------------- admin


def test_admin_queue_smoke_and_actions(admin_client, parties):
    """ACC-8, ACC-11: the admin lists filings with documents and transfers; approve is refused with the
    unpaid amount as an error message, then succeeds."""
    predecessor, successor, contract = parties
    request = _file(predecessor, successor)
    base = "/admin/accounts/successionrequest/"
    assert admin_client.get(base).status_code == 200
    assert admin_client.get(base, {"q": predecessor.legal_name}).status_code == 200
    assert admin_client.get(f"{base}{request.pk}/change/").status_code == 200
    applications.set_unpaid_lookup(lambda c, day: 70_000)
    response = admin_client.post(base, {"action": "approve", "_selected_action": [request.pk],
                                        "confirm": "yes"}, follow=True)
    assert "70,000" in response.content.decode()
    applications.set_unpaid_lookup(lambda customer, day: 0)
    admin_client.post(base, {"action": "approve", "_selected_action": [request.pk], "confirm": "yes"})
    request.refresh_from_db()
    assert request.status == SuccessionRequest.Status.APPROVED
    page = admin_client.get(f"{base}{request.pk}/change/")
    assert page.status_code == 200
    assert contract.number in page.content.decode()
