import pytest
from rest_framework.authtoken.models import Token

from accounts.models import Member
from tests.factories import DEFAULT_PASSWORD, AdminMemberFactory, MemberFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


def _auth(api_client, member):
    token, _ = Token.objects.get_or_create(user=member.user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api_client


def test_no_token_is_401_json(api_client):
    """SPEC §11: without a token the API answers 401 with the JSON error body."""
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    body = response.json()
    assert body["error"]["code"] == "not_authenticated"
    assert body["error"]["message"]


def test_token_obtain(api_client, plain_member):
    """SPEC §11: a member exchanges login ID and password for a token that then authenticates."""
    response = api_client.post(
        "/api/v1/auth/token/",
        {"login_id": plain_member.login_id, "password": DEFAULT_PASSWORD},
        format="json",
    )
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    assert response.json()["member"]["login_id"] == plain_member.login_id
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/me/").status_code == 200


def test_token_obtain_refusals(api_client, plain_member):
    """SPEC §11: bad password → 401 as docs/api.md says (issue #14: it was 400); staff without a member
    are refused (403)."""
    response = api_client.post(
        "/api/v1/auth/token/", {"login_id": plain_member.login_id, "password": "nope"}, format="json"
    )
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Token")
    assert response.json()["error"]["code"] == "invalid_credentials"
    staff = StaffUserFactory()
    response = api_client.post(
        "/api/v1/auth/token/", {"login_id": staff.username, "password": DEFAULT_PASSWORD}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_a_member"
    response = api_client.post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_me(api_client, plain_member):
    """ACC-1, ACC-4: /me returns the member and its customer."""
    body = _auth(api_client, plain_member).get("/api/v1/me/").json()
    assert body["member"]["id"] == plain_member.pk
    assert body["member"]["role"] == "member"
    assert body["customer"]["business_number"] == plain_member.customer.business_number


def test_staff_token_cannot_use_member_api(api_client):
    """ACC-11: a staff user's token does not reach customer endpoints."""
    staff = StaffUserFactory()
    token = Token.objects.create(user=staff)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_a_member"


def test_members_list_is_customer_scoped(api_client, admin_member, plain_member):
    """ACC-4: a member of one customer never sees another's members (list or detail)."""
    foreign = MemberFactory()
    _auth(api_client, plain_member)
    body = api_client.get("/api/v1/members/").json()
    ids = {row["id"] for row in body["results"]}
    assert ids == {admin_member.pk, plain_member.pk}
    assert body["count"] == 2
    assert api_client.get(f"/api/v1/members/{foreign.pk}/").status_code == 404
    response = api_client.get("/api/v1/members/", {"role": "admin"})
    assert [row["id"] for row in response.json()["results"]] == [admin_member.pk]
    _auth(api_client, admin_member)
    response = api_client.patch(f"/api/v1/members/{foreign.pk}/", {"name": "x"}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_plain_member_cannot_add(api_client, plain_member):
    """ACC-4: only admins write members: a plain member gets 403 with the JSON error."""
    response = _auth(api_client, plain_member).post(
        "/api/v1/members/", {"login_id": "api.new", "name": "새", "email": "a@example.com"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "admin_required"
    assert not Member.objects.filter(login_id="api.new").exists()


def test_admin_adds_member_and_changes_role(api_client, admin_member, plain_member):
    """ACC-4: an admin adds a member; demoting the last admin is refused with rule ACC-4."""
    _auth(api_client, admin_member)
    response = api_client.post(
        "/api/v1/members/",
        {"login_id": "api.new", "name": "새구성원", "email": "a@example.com", "role": "member"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Member.objects.get(login_id="api.new").customer == admin_member.customer
    response = api_client.post(
        "/api/v1/members/", {"login_id": "api.new", "name": "중복", "email": "a@example.com"}, format="json"
    )
    assert response.status_code == 409  # taken: a conflict with the current state, not a malformed request
    assert response.json()["error"]["code"] == "login_id_taken"
    assert response.json()["error"]["field"] == "login_id"

    response = api_client.patch(f"/api/v1/members/{admin_member.pk}/", {"role": "member"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["rule"] == "ACC-4"
    response = api_client.patch(f"/api/v1/members/{plain_member.pk}/", {"role": "admin"}, format="json")
    assert response.status_code == 200
    assert response.json()["role"] == "admin"


def test_patch_login_id_refused_and_self_profile(api_client, plain_member):
    """ACC-6: the login ID is immutable over the API; a member edits their own profile,
    not others' or roles."""
    other = MemberFactory(customer=plain_member.customer)
    _auth(api_client, plain_member)
    response = api_client.patch(f"/api/v1/members/{plain_member.pk}/", {"login_id": "changed"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "login_id_immutable"
    response = api_client.patch(f"/api/v1/members/{plain_member.pk}/", {"department": "재무"}, format="json")
    assert response.status_code == 200
    assert response.json()["department"] == "재무"
    assert api_client.patch(f"/api/v1/members/{other.pk}/", {"name": "x"}, format="json").status_code == 403
    assert (
        api_client.patch(f"/api/v1/members/{plain_member.pk}/", {"role": "admin"}, format="json").status_code
        == 403
    )


def test_admin_removes_member(api_client, admin_member, plain_member):
    """ACC-4: DELETE removes (deactivates) a member; the last admin cannot be removed."""
    _auth(api_client, admin_member)
    assert api_client.delete(f"/api/v1/members/{plain_member.pk}/").status_code == 204
    plain_member.refresh_from_db()
    assert plain_member.status == Member.Status.REMOVED
    assert api_client.delete(f"/api/v1/members/{admin_member.pk}/").status_code == 400


def test_schema_includes_accounts_endpoints(client):
    """SPEC §11: the OpenAPI schema documents the accounts endpoints."""
    AdminMemberFactory()
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/auth/token/", "/api/v1/me/", "/api/v1/members/", "/api/v1/members/{member_id}/"):
        assert path in paths
