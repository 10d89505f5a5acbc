import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from accounts import selectors, services
from accounts.models import Customer, Member
from core.errors import DomainError
from tests.factories import DEFAULT_PASSWORD, AdminMemberFactory, CustomerFactory, MemberFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_member_add_creates_login(customer, admin_member):
    """ACC-4, ACC-6: a member gets a Django login whose username is the login ID; audited to the actor."""
    member = services.member_add(
        customer=customer,
        login_id="kim.dev",
        name="김개발",
        email="kim@example.com",
        role=Member.Role.MEMBER,
        password=DEFAULT_PASSWORD,
        actor=admin_member.user,
    )
    assert member.user.username == "kim.dev"
    assert member.user.check_password(DEFAULT_PASSWORD)
    assert member.customer == customer
    assert member.history.latest().history_user == admin_member.user
    assert selectors.member_for_user(member.user) == member


def test_member_add_without_password_is_unusable(customer):
    """ACC-4: no password → the login exists but cannot be used until a password is set."""
    member = services.member_add(
        customer=customer,
        login_id="nopass",
        name="비번없음",
        email="n@example.com",
        role=Member.Role.MEMBER,
        actor=None,
    )
    assert not member.user.has_usable_password()


def test_member_add_refusals(customer):
    """ACC-6: login IDs are unique (case-insensitive) and well-formed; weak passwords
    and closed customers are refused."""
    MemberFactory(customer=customer, login_id="taken")
    for login_id, code in (
        ("TAKEN", "login_id_taken"),
        ("a", "login_id_invalid"),
        ("한글아이디", "login_id_invalid"),
    ):
        with pytest.raises(DomainError) as exc:
            services.member_add(
                customer=customer,
                login_id=login_id,
                name="x",
                email="x@example.com",
                role=Member.Role.MEMBER,
                actor=None,
            )
        assert exc.value.code == code
        assert exc.value.field == "login_id"
    with pytest.raises(DomainError) as exc:
        services.member_add(
            customer=customer,
            login_id="weakpw",
            name="x",
            email="x@example.com",
            role=Member.Role.MEMBER,
            password="1234",
            actor=None,
        )
    assert exc.value.code == "password_invalid"
    closed = CustomerFactory(status=Customer.Status.CLOSED)
    with pytest.raises(DomainError) as exc:
        services.member_add(
            customer=closed,
            login_id="late",
            name="x",
            email="x@example.com",
            role=Member.Role.MEMBER,
            actor=None,
        )
    assert exc.value.code == "customer_not_active"
    assert not User.objects.filter(username__in=["weakpw", "late"]).exists()


def test_last_admin_cannot_be_demoted(admin_member, plain_member):
    """ACC-4 (001 art.16-1-다): demoting the last active admin is refused; with two admins it works."""
    with pytest.raises(DomainError) as exc:
        services.member_change_role(member=admin_member, role=Member.Role.MEMBER, actor=None)
    assert exc.value.code == "last_admin"
    assert exc.value.rule == "ACC-4"
    admin_member.refresh_from_db()
    assert admin_member.role == Member.Role.ADMIN

    services.member_change_role(member=plain_member, role=Member.Role.ADMIN, actor=None)
    services.member_change_role(member=admin_member, role=Member.Role.MEMBER, actor=None)
    assert admin_member.role == Member.Role.MEMBER
    assert list(selectors.customer_admins(admin_member.customer)) == [plain_member]


def test_last_admin_cannot_be_removed(admin_member):
    """ACC-4: removing the last active admin is refused; removing another member deactivates its login."""
    with pytest.raises(DomainError) as exc:
        services.member_remove(member=admin_member, actor=None)
    assert exc.value.code == "last_admin"
    other = MemberFactory(customer=admin_member.customer)
    Token.objects.create(user=other.user)
    services.member_remove(member=other, actor=admin_member.user)
    other.refresh_from_db()
    assert other.status == Member.Status.REMOVED
    assert not other.user.is_active
    assert not Token.objects.filter(user=other.user).exists()


def test_admin_of_other_customer_does_not_count(admin_member):
    """ACC-4: the admin count is per customer."""
    AdminMemberFactory()
    with pytest.raises(DomainError):
        services.member_remove(member=admin_member, actor=None)


def test_login_id_is_immutable(plain_member):
    """ACC-6 (000 art.8①): the login ID cannot change, not even by an admin or staff."""
    admin = AdminMemberFactory(customer=plain_member.customer)
    for by in (plain_member, admin, None):
        with pytest.raises(DomainError) as exc:
            services.member_update_profile(member=plain_member, changes={"login_id": "new-id"}, by_member=by)
        assert exc.value.code == "login_id_immutable"
        assert exc.value.rule == "ACC-6"
    plain_member.refresh_from_db()
    assert plain_member.login_id != "new-id"
    assert plain_member.user.username == plain_member.login_id


def test_member_edits_own_profile_but_not_locked_fields(plain_member):
    """ACC-6 (001 art.7-2): members edit their profile; fields the customer locks are read-only for them,
    an admin may still change them."""
    customer = plain_member.customer
    customer.locked_member_fields = ["department"]
    customer.save()
    services.member_update_profile(
        member=plain_member, changes={"name": "새이름", "email": "new@example.com"}, by_member=plain_member
    )
    assert plain_member.name == "새이름"
    assert plain_member.user.email == "new@example.com"
    with pytest.raises(DomainError) as exc:
        services.member_update_profile(
            member=plain_member, changes={"department": "영업"}, by_member=plain_member
        )
    assert exc.value.code == "field_locked"
    assert exc.value.field == "department"
    admin = AdminMemberFactory(customer=customer)
    services.member_update_profile(member=plain_member, changes={"department": "영업"}, by_member=admin)
    assert plain_member.department == "영업"


def test_member_cannot_edit_others(plain_member):
    """ACC-6: a plain member edits only their own profile; nobody edits another customer's member."""
    other = MemberFactory(customer=plain_member.customer)
    with pytest.raises(DomainError) as exc:
        services.member_update_profile(member=other, changes={"name": "x"}, by_member=plain_member)
    assert exc.value.status_code == 403
    foreign_admin = AdminMemberFactory()
    with pytest.raises(DomainError):
        services.member_update_profile(member=other, changes={"name": "x"}, by_member=foreign_admin)


def test_role_is_not_a_profile_field(plain_member):
    """ACC-4: roles change only through member_change_role."""
    with pytest.raises(DomainError) as exc:
        services.member_update_profile(member=plain_member, changes={"role": "admin"}, by_member=plain_member)
    assert exc.value.code == "profile_field_unknown"
