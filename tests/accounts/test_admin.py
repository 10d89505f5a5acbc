import pytest

from accounts.models import Customer, Member
from tests.factories import AdminMemberFactory, CustomerFactory, MemberFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    customer = CustomerFactory(
        legal_name="주식회사 검색대상", business_number="2208162517", representative_name="이대표"
    )
    AdminMemberFactory(customer=customer, login_id="findme-admin")
    return MemberFactory(customer=customer, login_id="findme", email="findme@example.com")


def test_customer_changelist_search_and_filters(admin_client, member):
    """ACC-1, ACC-11: customer list with filters; search by legal name, number (with dashes), representative,
    email and member login ID."""
    assert admin_client.get("/admin/accounts/customer/").status_code == 200
    for term in ("검색대상", "220-81-62517", "2208162517", "이대표", "findme"):
        response = admin_client.get("/admin/accounts/customer/", {"q": term})
        assert response.status_code == 200
        assert "주식회사 검색대상" in response.content.decode(), term
    response = admin_client.get(
        "/admin/accounts/customer/", {"kind__exact": "corporation", "status__exact": "active"}
    )
    assert response.status_code == 200


def test_customer_add_and_change_pages(admin_client, member):
    """ACC-1, ACC-9: add page renders; change page shows members inline and billing fields read-only."""
    assert admin_client.get("/admin/accounts/customer/add/").status_code == 200
    response = admin_client.get(f"/admin/accounts/customer/{member.customer.pk}/change/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "findme" in body
    assert 'name="legal_name"' not in body  # ACC-9: read-only after creation
    assert admin_client.get(f"/admin/accounts/customer/{member.customer.pk}/history/").status_code == 200


def test_customer_add_through_service(admin_client):
    """ACC-1, ACC-2: the admin add form stores the normalised number and refuses a bad
    checksum next to the field."""
    data = {
        "legal_name": "주식회사 신규",
        "kind": "corporation",
        "business_number": "123-45-67891",
        "representative_name": "박대표",
        "billing_email": "b@example.com",
        "preferred_language": "ko",
        "locked_member_fields": "[]",
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
    }
    response = admin_client.post("/admin/accounts/customer/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    customer = Customer.objects.get(legal_name="주식회사 신규")
    assert customer.business_number == "1234567891"
    assert customer.history.count() == 1

    bad = {**data, "legal_name": "잘못", "business_number": "1234567890"}
    response = admin_client.post("/admin/accounts/customer/add/", bad)
    assert response.status_code == 200
    assert "ACC-2" in response.content.decode()
    assert not Customer.objects.filter(legal_name="잘못").exists()


def test_member_changelist_search_add_change(admin_client, member):
    """ACC-4, ACC-6: member list filters and search; add page; change page keeps login ID read-only."""
    assert admin_client.get("/admin/accounts/member/").status_code == 200
    for term in ("findme", "findme@example.com", "검색대상"):
        response = admin_client.get("/admin/accounts/member/", {"q": term})
        assert response.status_code == 200
        assert "findme" in response.content.decode()
    assert (
        admin_client.get(
            "/admin/accounts/member/", {"role__exact": "admin", "status__exact": "active"}
        ).status_code
        == 200
    )
    assert admin_client.get("/admin/accounts/member/add/").status_code == 200
    response = admin_client.get(f"/admin/accounts/member/{member.pk}/change/")
    assert response.status_code == 200
    assert 'name="login_id"' not in response.content.decode()


def test_member_add_and_role_change_through_services(admin_client, member):
    """ACC-4: adding a member creates its login; demoting the last admin is refused with a message."""
    data = {
        "customer": member.customer.pk,
        "login_id": "via-admin",
        "name": "관리자추가",
        "email": "v@example.com",
        "role": "member",
        "password": "",
    }
    response = admin_client.post("/admin/accounts/member/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    added = Member.objects.get(login_id="via-admin")
    assert added.user.username == "via-admin"

    last_admin = Member.objects.get(login_id="findme-admin")
    change = {
        "name": last_admin.name,
        "email": last_admin.email,
        "mobile": "",
        "department": "",
        "role": "member",
    }
    response = admin_client.post(f"/admin/accounts/member/{last_admin.pk}/change/", change)
    assert response.status_code == 200
    assert "ACC-4" in response.content.decode()
    last_admin.refresh_from_db()
    assert last_admin.role == Member.Role.ADMIN


def test_member_delete_is_a_removal(admin_client, member):
    """ACC-4: deleting in the admin removes the member (login deactivated), keeping the row and history."""
    response = admin_client.post(f"/admin/accounts/member/{member.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == Member.Status.REMOVED
    assert not member.user.is_active


def test_support_staff_can_open_customers(client, member):
    """ACC-11: a support staff member sees customers in the admin; a billing staff member
    cannot change them."""
    support = StaffUserFactory(groups=["support"])
    client.force_login(support)
    assert client.get("/admin/accounts/customer/").status_code == 200
    billing = StaffUserFactory(groups=["billing"])
    client.force_login(billing)
    assert (
        client.get(f"/admin/accounts/customer/{member.customer.pk}/change/").status_code == 200
    )  # view only
    response = client.post(f"/admin/accounts/customer/{member.customer.pk}/change/", {"address": "x"})
    assert response.status_code == 403
