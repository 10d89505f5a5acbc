"""ACC-9: customer-information change requests with a document, decided by staff (004 art.8, 002 art.17①)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts import services, services_changes
from accounts.models import Customer, CustomerChangeRequest
from core.errors import DomainError, PermissionDenied
from messaging.models import Notice
from tests.factories import AdminMemberFactory, CustomerFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

VALID_NUMBER = "2208162517"


def _doc(name: str = "사업자등록증.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 test", content_type="application/pdf")


def _file(admin_member, today, **changes):  # type: ignore[no-untyped-def]
    changes = changes or {"legal_name": "주식회사 새이름", "representative_name": "김새대표"}
    return services_changes.change_request_file(
        customer=admin_member.customer, member=admin_member, changes=changes, document=_doc(), today=today,
    )


def test_file_then_approve_applies_change_with_history(admin_member, today):
    """ACC-9, ACC-11: the request changes nothing until staff approve; approval writes the values through
    one service, the customer's history keeps before and after, the request keeps the old values, and the
    customer is told at filing and at approval."""
    customer = admin_member.customer
    old_name, old_rep = customer.legal_name, customer.representative_name
    request = _file(admin_member, today, legal_name="주식회사 새이름", representative_name="김새대표",
                    refund_bank_name="국민은행", refund_account_number="123-45-6789")
    customer.refresh_from_db()
    assert customer.legal_name == old_name
    assert request.status == CustomerChangeRequest.Status.REQUESTED
    assert request.document_sha256 and request.document_name == "사업자등록증.pdf"
    assert Notice.objects.filter(customer=customer, event="customer.change_requested").exists()

    staff = StaffUserFactory(groups=["support"])
    services_changes.change_request_approve(request=request, actor=staff, today=today, reason="확인 완료")
    request.refresh_from_db()
    customer.refresh_from_db()
    assert request.status == CustomerChangeRequest.Status.APPROVED
    assert request.decided_by == staff and request.decided_on == today
    assert customer.legal_name == "주식회사 새이름"
    assert customer.representative_name == "김새대표"
    assert customer.refund_account_number == "123-45-6789"
    assert request.previous["legal_name"] == old_name
    assert request.previous["representative_name"] == old_rep
    latest, before = customer.history.all()[:2]
    diff = {c.field: (c.old, c.new) for c in latest.diff_against(before).changes}
    assert diff["legal_name"] == (old_name, "주식회사 새이름")
    assert latest.history_user == staff
    assert request.number in (latest.history_change_reason or "")
    notice = Notice.objects.filter(customer=customer, event="customer.change_approved").first()
    assert notice is not None and request.number in notice.subject


def test_customer_update_refuses_refund_account(customer):
    """ACC-9: the refund bank account, like the name, changes only through a change request."""
    with pytest.raises(DomainError) as err:
        services.customer_update(customer=customer, changes={"refund_account_number": "999"}, actor=None)
    assert err.value.rule == "ACC-9"


def test_document_required(admin_member, today):
    """ACC-9: a request without the document is refused, naming the rule and field."""
    with pytest.raises(DomainError) as err:
        services_changes.change_request_file(customer=admin_member.customer, member=admin_member,
                                             changes={"legal_name": "새이름"}, document=None, today=today)
    assert err.value.code == "document_required" and err.value.field == "document"
    assert "ACC-9" in err.value.message
    assert not CustomerChangeRequest.objects.exists()


def test_plain_member_cannot_file(plain_member, today):
    """ACC-9, ACC-4: only customer admins file change requests."""
    with pytest.raises(PermissionDenied) as err:
        _file(plain_member, today)
    assert err.value.status_code == 403


def test_admin_of_another_customer_cannot_file(admin_member, today):
    """ACC-9: an admin files for their own customer only."""
    other = CustomerFactory()
    with pytest.raises(PermissionDenied):
        services_changes.change_request_file(customer=other, member=admin_member,
                                             changes={"legal_name": "x"}, document=_doc(), today=today)


@pytest.mark.parametrize(("changes", "code", "rule"), [
    ({"business_number": "1234567890"}, "business_number_invalid", "ACC-2"),
    ({"login_id": "x"}, "unknown_field", "ACC-9"),
    ({"status": "closed"}, "unknown_field", "ACC-9"),
    ({}, "no_changes", "ACC-9"),
    ({"legal_name": ""}, "required", "ACC-9"),
    ({"billing_email": "not-an-email"}, "invalid", "ACC-9"),
])
def test_invalid_changes_refused(admin_member, today, changes, code, rule):
    """ACC-9, ACC-1, ACC-2: invalid values are refused at filing, before anything is written."""
    with pytest.raises(DomainError) as err:
        services_changes.change_request_file(customer=admin_member.customer, member=admin_member,
                                             changes=changes, document=_doc(), today=today)
    assert (err.value.code, err.value.rule) == (code, rule)


def test_unchanged_values_refused(admin_member, today):
    """ACC-9: a request repeating the current values is refused (nothing to change)."""
    customer = admin_member.customer
    with pytest.raises(DomainError) as err:
        _file(admin_member, today, legal_name=customer.legal_name)
    assert err.value.code == "no_changes"


def test_business_number_taken_at_approval(admin_member, today):
    """ACC-9, ACC-1: a number free when filed but taken by approval time is refused at approval."""
    request = _file(admin_member, today, business_number="220-81-62517")
    assert request.changes == {"business_number": VALID_NUMBER}
    CustomerFactory(business_number=VALID_NUMBER)
    with pytest.raises(DomainError) as err:
        services_changes.change_request_approve(request=request, actor=StaffUserFactory(), today=today)
    assert err.value.rule == "ACC-1"
    request.refresh_from_db()
    assert request.status == CustomerChangeRequest.Status.REQUESTED


def test_one_open_request_at_a_time(admin_member, today):
    """ACC-9: a second request while one is open is refused."""
    _file(admin_member, today)
    with pytest.raises(DomainError) as err:
        _file(admin_member, today, representative_name="다른대표")
    assert err.value.code == "change_request_open"


def test_reject_needs_reason_and_keeps_data(admin_member, today):
    """ACC-9: rejection records the reason, changes nothing and tells the customer; a decided request
    cannot be decided again."""
    customer = admin_member.customer
    request = _file(admin_member, today)
    staff = StaffUserFactory()
    with pytest.raises(DomainError) as err:
        services_changes.change_request_reject(request=request, actor=staff, today=today, reason=" ")
    assert err.value.code == "reason_required"
    services_changes.change_request_reject(request=request, actor=staff, today=today,
                                           reason="서류의 상호가 다릅니다")
    request.refresh_from_db()
    assert request.status == CustomerChangeRequest.Status.REJECTED
    assert request.decision_reason == "서류의 상호가 다릅니다"
    assert Customer.objects.get(pk=customer.pk).legal_name == customer.legal_name
    notice = Notice.objects.get(customer=customer, event="customer.change_rejected", channel="email",
                                recipient=customer.billing_email)
    assert "서류의 상호가 다릅니다" in notice.body
    with pytest.raises(DomainError) as err:
        services_changes.change_request_approve(request=request, actor=staff, today=today)
    assert err.value.code == "change_request_decided"


# --------------------------------------------------------------------------- portal


def test_portal_admin_files_request(client, admin_member):
    """ACC-9: the portal form files a request with the document (admins)."""
    client.force_login(admin_member.user)
    url = reverse("portal:change_requests")
    assert client.get(url).status_code == 200
    response = client.post(url, {"legal_name": "주식회사 포털변경", "document": _doc()})
    assert response.status_code == 302
    request = CustomerChangeRequest.objects.get(customer=admin_member.customer)
    assert request.changes == {"legal_name": "주식회사 포털변경"}
    detail = client.get(reverse("portal:change_request_detail", args=[request.pk]))
    assert detail.status_code == 200 and "주식회사 포털변경" in detail.content.decode()
    document = client.get(reverse("portal:change_request_document", args=[request.pk]))
    assert document.status_code == 200


def test_portal_missing_document_shown_next_to_field(client, admin_member):
    """ACC-9: without the document the form comes back with the rule's message, in plain words (customers
    read no rule ids, issue 15)."""
    client.force_login(admin_member.user)
    response = client.post(reverse("portal:change_requests"), {"legal_name": "주식회사 포털변경"})
    assert response.status_code == 400
    assert "증빙 서류(사업자등록증 사본, 통장 사본 등)를 첨부해야 합니다." in response.content.decode()
    assert "ACC-9" not in response.content.decode()
    assert not CustomerChangeRequest.objects.exists()


def test_portal_plain_member_forbidden_and_other_customer_404(client, plain_member, admin_member, today):
    """ACC-9: a plain member sees the list but may not file (403); another customer's request is 404."""
    client.force_login(plain_member.user)
    url = reverse("portal:change_requests")
    assert client.get(url).status_code == 200
    assert client.post(url, {"legal_name": "x", "document": _doc()}).status_code == 403
    other_admin = AdminMemberFactory()
    foreign = _file(other_admin, today)
    assert client.get(reverse("portal:change_request_detail", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("portal:change_request_document", args=[foreign.pk])).status_code == 404


# --------------------------------------------------------------------------- API


def _auth(api_client, member):  # type: ignore[no-untyped-def]
    token, _ = Token.objects.get_or_create(user=member.user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api_client


def test_api_file_and_scope(api_client, admin_member, plain_member, today):
    """ACC-9: admins file through the API (multipart); plain member 403; no document 400 with the code;
    another customer's request 404."""
    url = "/api/v1/customer/change-requests/"
    _auth(api_client, admin_member)
    response = api_client.post(url, {"changes": '{"representative_name": "API대표"}', "document": _doc()},
                               format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["changes"] == {"representative_name": "API대표"} and body["status"] == "requested"
    assert api_client.get(f"{url}{body['id']}/").status_code == 200
    assert api_client.get(url).json()["count"] == 1

    response = api_client.post(url, {"changes": '{"legal_name": "x"}'}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "document_required"

    _auth(api_client, plain_member)
    response = api_client.post(url, {"changes": '{"legal_name": "x"}', "document": _doc()},
                               format="multipart")
    assert response.status_code == 403
    foreign = _file(AdminMemberFactory(), today)
    assert api_client.get(f"{url}{foreign.pk}/").status_code == 404


# --------------------------------------------------------------------------- admin


def test_admin_queue_approve_and_reject(admin_client, admin_member, today):
    """ACC-9, ACC-11: the admin queue lists requests; approve applies; reject asks for a reason first."""
    request = _file(admin_member, today)
    base = "/admin/accounts/customerchangerequest/"
    assert admin_client.get(base).status_code == 200
    assert admin_client.get(base, {"q": admin_member.customer.legal_name}).status_code == 200
    assert admin_client.get(base, {"status__exact": "requested"}).status_code == 200
    page = admin_client.get(f"{base}{request.pk}/change/")
    assert page.status_code == 200 and "주식회사 새이름" in page.content.decode()
    assert admin_client.get(f"{base}add/").status_code == 403

    # reject: intermediate page, then confirm with a reason
    response = admin_client.post(base, {"action": "reject", "_selected_action": [request.pk]})
    assert response.status_code == 200 and "confirm" in response.content.decode()
    response = admin_client.post(base, {"action": "reject", "_selected_action": [request.pk],
                                        "confirm": "yes", "reason": "서류 불일치"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == CustomerChangeRequest.Status.REJECTED

    second = _file(admin_member, today, representative_name="승인대표")
    admin_client.post(base, {"action": "approve", "_selected_action": [second.pk], "confirm": "yes"})
    second.refresh_from_db()
    assert second.status == CustomerChangeRequest.Status.APPROVED
    assert Customer.objects.get(pk=admin_member.customer_id).representative_name == "승인대표"
