import pytest
from django.urls import reverse

from accounts.models import Member
from accounts.portal.cards import Card, register_card, unregister_card
from tests.factories import DEFAULT_PASSWORD, StaffUserFactory

pytestmark = pytest.mark.django_db


def test_login_good_password(client, plain_member):
    """ACC-4: a member logs in with login ID and password and lands on home; the login day is recorded."""
    response = client.post(
        reverse("portal:login"), {"username": plain_member.login_id, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    plain_member.refresh_from_db()
    assert plain_member.last_seen_on is not None


def test_login_bad_password(client, plain_member):
    """ACC-4: a wrong password shows a Korean error and does not log in."""
    response = client.post(reverse("portal:login"), {"username": plain_member.login_id, "password": "wrong"})
    assert response.status_code == 200
    assert "로그인 ID 또는 비밀번호가 올바르지 않습니다" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_without_member_refused(client):
    """ACC-11: operator staff are not portal users; they get a clear message."""
    staff = StaffUserFactory()
    response = client.post(
        reverse("portal:login"), {"username": staff.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    assert "고객 구성원 계정이 아닙니다" in response.content.decode()
    client.force_login(staff)
    assert client.get(reverse("portal:home")).status_code == 302


def test_removed_member_cannot_log_in(client, plain_member):
    """ACC-4: a removed member's login is refused."""
    Member.objects.filter(pk=plain_member.pk).update(status=Member.Status.REMOVED)
    response = client.post(
        reverse("portal:login"), {"username": plain_member.login_id, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_home_in_korean_with_cards(client, plain_member):
    """ACC-4: home shows the customer, the member's role, navigation and the summary cards (Korean first)."""

    def provider(request, member):
        return Card(title="테스트 카드", value="42", order=1)

    register_card(provider)
    try:
        client.force_login(plain_member.user)
        body = client.get(reverse("portal:home")).content.decode()
    finally:
        unregister_card(provider)
    assert plain_member.customer.legal_name in body
    assert '<html lang="ko">' in body
    for text in ("홈", "계약", "청구서", "알림함", "구성원", "내 정보", "역할: 구성원", "테스트 카드", "42"):
        assert text in body, text


def test_anonymous_redirected_to_login(client):
    """The portal requires a member login."""
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))


def test_language_switch_to_english(client, plain_member):
    """i18n (SPEC §11): the language switch turns the portal to English."""
    client.force_login(plain_member.user)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("portal:home")})
    assert response.status_code == 302
    body = client.get(reverse("portal:home")).content.decode()
    assert '<html lang="en">' in body
    for text in ("Home", "Contracts", "Invoices", "Inbox", "Members", "My profile"):
        assert text in body, text
    assert "계약" not in body


def test_logout(client, plain_member):
    client.force_login(plain_member.user)
    response = client.post(reverse("portal:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_members_page_admin_adds_and_changes_role(client, admin_member, plain_member):
    """ACC-4: an admin adds a member and changes roles from the members page; the last-admin refusal shows
    next to the row."""
    client.force_login(admin_member.user)
    body = client.get(reverse("portal:members")).content.decode()
    assert plain_member.login_id in body and "구성원 추가" in body

    response = client.post(
        reverse("portal:members"),
        {"login_id": "new.one", "name": "신규", "email": "n@example.com", "role": "member", "password": ""},
    )
    assert response.status_code == 302
    assert Member.objects.filter(login_id="new.one", customer=admin_member.customer).exists()

    response = client.post(
        reverse("portal:members"),
        {"login_id": "new.one", "name": "중복", "email": "n@example.com", "role": "member"},
    )
    assert response.status_code == 400
    assert "이미 사용 중입니다" in response.content.decode()

    response = client.post(reverse("portal:member_role", args=[admin_member.pk]), {"role": "member"})
    assert response.status_code == 400
    assert "마지막 관리자는 역할을 바꾸거나 삭제할 수 없습니다." in response.content.decode()
    assert "ACC-4" not in response.content.decode()  # customers read no rule ids (issue 15)

    response = client.post(reverse("portal:member_role", args=[plain_member.pk]), {"role": "admin"})
    assert response.status_code == 302
    plain_member.refresh_from_db()
    assert plain_member.role == Member.Role.ADMIN


def test_plain_member_cannot_manage(client, admin_member, plain_member):
    """ACC-4: plain members see the list but cannot add or change roles."""
    client.force_login(plain_member.user)
    body = client.get(reverse("portal:members")).content.decode()
    assert admin_member.login_id in body and "구성원 추가" not in body
    assert (
        client.post(
            reverse("portal:members"),
            {"login_id": "x.y.z", "name": "x", "email": "x@example.com", "role": "admin"},
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("portal:member_role", args=[plain_member.pk]), {"role": "admin"}).status_code
        == 403
    )
    assert not Member.objects.filter(login_id="x.y.z").exists()


def test_admin_cannot_touch_other_customers_members(client, admin_member):
    """ACC-4: a member id of another customer reads as missing."""
    from tests.factories import MemberFactory

    foreign = MemberFactory()
    client.force_login(admin_member.user)
    assert client.post(reverse("portal:member_role", args=[foreign.pk]), {"role": "admin"}).status_code == 404


def test_profile_edit_and_locked_fields(client, plain_member):
    """ACC-6: the member edits their profile; login ID and locked fields are read-only."""
    customer = plain_member.customer
    customer.locked_member_fields = ["email"]
    customer.save()
    client.force_login(plain_member.user)
    body = client.get(reverse("portal:profile")).content.decode()
    assert "고객사 관리자가 잠가 둔 항목입니다" in body
    old_email = plain_member.email
    response = client.post(
        reverse("portal:profile"),
        {"name": "바뀐이름", "email": "hacked@example.com", "login_id": "hacked", "department": "개발"},
    )
    assert response.status_code == 302
    plain_member.refresh_from_db()
    assert plain_member.name == "바뀐이름"
    assert plain_member.department == "개발"
    assert plain_member.email == old_email
    assert plain_member.login_id != "hacked"
