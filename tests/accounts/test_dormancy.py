"""ACC-10: inactive accounts — notice 30 days before, then dormancy with the personal data kept apart
(001 art.15-1,2, art.16-3; PIPA art.21(3)); reactivation on login; DAT-6 staff access log."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.models import DormantMemberData, Member, PersonalDataAccess
from accounts.services import DORMANT_NAME
from contracts import jobs
from contracts.models import Policy
from contracts.presets import load_presets
from contracts.services.dormancy import dormant_accounts
from core import clock
from messaging.models import Notice
from tests.contracts.conftest import active, new_customer
from tests.factories import DEFAULT_PASSWORD, AdminMemberFactory, CustomerFactory, MemberFactory

D = dt.date
SEEN = D(2025, 6, 1)
NOTICE_DAY = SEEN + dt.timedelta(days=335)  # 365 - 30
DORMANT_DAY = SEEN + dt.timedelta(days=365)


def _member(**kw):  # type: ignore[no-untyped-def]
    customer = kw.pop("customer", None) or CustomerFactory()
    AdminMemberFactory(customer=customer, last_seen_on=D(2099, 1, 1))  # an active admin who never lapses
    return MemberFactory(customer=customer, last_seen_on=SEEN, mobile="+821055556666", department="영업",
                         name="홍길동", **kw)


def _notices(member):  # type: ignore[no-untyped-def]
    return Notice.objects.filter(event="member.dormancy_notice", member=member)


@pytest.mark.django_db
def test_notice_once_then_dormant_after_notice_period():
    """ACC-10 (001 art.15-2): an email to the member 30 days before; once only; dormancy on day 365."""
    member = _member()
    assert dormant_accounts(today=NOTICE_DAY - dt.timedelta(days=1))["noticed"] == 0
    counts = dormant_accounts(today=NOTICE_DAY)
    assert counts["noticed"] == 1
    notice = _notices(member).get()
    assert notice.channel == "email" and notice.recipient == member.email
    assert DORMANT_DAY.isoformat() in notice.subject
    member.refresh_from_db()
    assert member.dormant_notice_sent_on == NOTICE_DAY
    assert dormant_accounts(today=NOTICE_DAY)["noticed"] == 0  # run twice: nothing new
    assert dormant_accounts(today=DORMANT_DAY - dt.timedelta(days=1)) == {
        "candidates": 1, "noticed": 0, "dormant": 0, "skipped_locked": 0}
    assert dormant_accounts(today=DORMANT_DAY)["dormant"] == 1
    assert _notices(member).count() == 1
    member.refresh_from_db()
    assert member.status == Member.Status.DORMANT
    assert dormant_accounts(today=DORMANT_DAY)["dormant"] == 0


@pytest.mark.django_db
def test_dormancy_separates_personal_data_and_disables_login():
    """ACC-10, PIPA art.21(3): name, email, mobile, department move to the separate table (also out of
    the change history); the live row and the login keep none; login and API tokens are disabled."""
    member = _member()
    services.member_update_profile(member=member, changes={"department": "기획"}, by_member=None)
    Token.objects.create(user=member.user)
    services.member_make_dormant(member=member, today=DORMANT_DAY, job="dormant_accounts")
    member.refresh_from_db()
    data = DormantMemberData.objects.get(member=member)
    assert (data.name, data.email, data.mobile, data.department) == (
        "홍길동", f"{member.login_id}@example.com", "+821055556666", "기획")
    live = (member.name, member.email, str(member.mobile or ""), member.department)
    assert live == (DORMANT_NAME, "", "", "")
    assert not Member.history.filter(id=member.pk, name="홍길동").exists()
    assert not Member.history.filter(id=member.pk).exclude(email="").exists()
    user = member.user
    user.refresh_from_db()
    assert not user.is_active and user.email == "" and user.first_name == ""
    assert not Token.objects.filter(user=user).exists()
    assert Member.history.filter(id=member.pk).first().history_actor == "job:dormant_accounts"


@pytest.mark.django_db
def test_reactivate_restores_data_and_history():
    """ACC-10: reactivation restores the live row, its history and the login, and deletes the copy."""
    member = _member()
    email = member.email
    services.member_make_dormant(member=member, today=DORMANT_DAY)
    services.member_reactivate(member=member, today=DORMANT_DAY + dt.timedelta(days=3))
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE
    assert (member.name, member.email, str(member.mobile), member.department) == (
        "홍길동", email, "+821055556666", "영업")
    assert member.last_seen_on == DORMANT_DAY + dt.timedelta(days=3)
    assert member.user.is_active and member.user.email == email
    assert not DormantMemberData.objects.filter(member=member).exists()
    assert Member.history.filter(id=member.pk, name="홍길동").count() >= 2


@pytest.mark.django_db
def test_login_after_notice_resets_clock():
    """ACC-10: a login after the notice (member_record_login) cancels the dormancy."""
    member = _member()
    dormant_accounts(today=NOTICE_DAY)
    services.member_record_login(member=member, today=NOTICE_DAY + dt.timedelta(days=5))
    assert dormant_accounts(today=DORMANT_DAY)["dormant"] == 0
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE and member.dormant_notice_sent_on is None


@pytest.mark.django_db
def test_late_notice_still_gives_full_notice_period():
    """ACC-10: a member already past 365 days who was never told gets the notice first and becomes dormant
    only 30 days after it (the reading that favours the customer)."""
    member = _member()
    late = DORMANT_DAY + dt.timedelta(days=10)
    assert dormant_accounts(today=late) == {"candidates": 1, "noticed": 1, "dormant": 0, "skipped_locked": 0}
    assert (late + dt.timedelta(days=30)).isoformat() in _notices(member).get().body
    assert dormant_accounts(today=late + dt.timedelta(days=29))["dormant"] == 0
    assert dormant_accounts(today=late + dt.timedelta(days=30))["dormant"] == 1


@pytest.mark.django_db
def test_never_logged_in_counts_from_creation():
    """ACC-10: a member who never logged in counts from the day the account was created."""
    member = _member()
    Member.objects.filter(pk=member.pk).update(last_seen_on=None, created_at=clock.start_of_day(SEEN))
    assert dormant_accounts(today=NOTICE_DAY)["noticed"] == 1


@pytest.mark.django_db
def test_shortest_period_among_live_contracts():
    """ACC-10: the period is the shortest dormancy_days among the customer's live contracts' policies."""
    load_presets()
    customer = new_customer()
    contract = active("damoa", customer=customer)
    Policy.objects.filter(pk=contract.policy_id).update(dormancy_days=200, dormancy_notice_days=10)
    member = MemberFactory(customer=customer, last_seen_on=SEEN)
    assert dormant_accounts(today=SEEN + dt.timedelta(days=189))["noticed"] == 0
    assert dormant_accounts(today=SEEN + dt.timedelta(days=190))["noticed"] == 1
    assert dormant_accounts(today=SEEN + dt.timedelta(days=200))["dormant"] == 1
    member.refresh_from_db()
    assert member.status == Member.Status.DORMANT


@pytest.mark.django_db
def test_a_special_term_with_a_shorter_period_is_reached_by_the_prefilter():
    """ACC-10, CON-12, issue 16: the job reads in SQL only the members inactive for the shortest lead any
    live contract allows; a special term of 100 days (notice 10) on one contract brings its member in on
    day 90, while the policies alone (365 − 30) would wait for day 335."""
    from contracts.services.changes import special_term_set

    load_presets()
    customer = new_customer()
    contract = active("damoa", customer=customer)
    special_term_set(contract=contract, parameter="dormancy_days", value=100, note="100일 휴면 특약",
                     signed_on=D(2025, 1, 1))
    special_term_set(contract=contract, parameter="dormancy_notice_days", value=10, note="10일 전 안내 특약",
                     signed_on=D(2025, 1, 1))
    member = MemberFactory(customer=customer, last_seen_on=SEEN)
    other = _member()  # a customer without live contracts: the defaults (365, 30)
    assert dormant_accounts(today=SEEN + dt.timedelta(days=89))["candidates"] == 0
    counts = dormant_accounts(today=SEEN + dt.timedelta(days=90))
    assert (counts["candidates"], counts["noticed"]) == (2, 1)  # the default member is read, not noticed
    assert _notices(member).count() == 1 and _notices(other).count() == 0


@pytest.mark.django_db
def test_a_policy_without_dormancy_does_not_make_every_member_a_candidate():
    """ACC-10, issue 16: a live contract whose policy has no dormancy (0 days) neither sends notices nor
    pulls every active member into the job's reads (it used to set the cut-off to today)."""
    load_presets()
    customer = new_customer()
    contract = active("damoa", customer=customer)
    Policy.objects.filter(pk=contract.policy_id).update(dormancy_days=0)
    never = MemberFactory(customer=customer, last_seen_on=SEEN)
    _member()  # a customer on the defaults, seen on the same day
    assert dormant_accounts(today=SEEN + dt.timedelta(days=30)) == {
        "candidates": 0, "noticed": 0, "dormant": 0, "skipped_locked": 0}
    counts = dormant_accounts(today=NOTICE_DAY)
    assert counts["noticed"] == 1 and _notices(never).count() == 0


@pytest.mark.django_db
def test_job_wrapper():
    """ACC-10: the contracts.jobs wrapper the job registry calls returns the counts."""
    _member()
    assert jobs.dormant_accounts(today=NOTICE_DAY)["noticed"] == 1


# --------------------------------------------------------------------------- login and reactivation


@pytest.mark.django_db
def test_portal_login_offers_reactivation(client):
    """ACC-10: a dormant member with the right password is offered reactivation with a clear message;
    confirming restores the data and logs in. A wrong password is just a wrong password."""
    member = _member()
    services.member_make_dormant(member=member, today=DORMANT_DAY)
    login = reverse("portal:login")
    wrong = client.post(login, {"username": member.login_id, "password": "nope"})
    assert wrong.status_code == 200 and "비밀번호가 올바르지 않습니다" in wrong.content.decode()
    response = client.post(login, {"username": member.login_id, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("portal:reactivate")
    page = client.get(reverse("portal:reactivate"))
    assert page.status_code == 200 and "휴면" in page.content.decode()
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("portal:reactivate"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE and member.name == "홍길동"
    assert client.get(reverse("portal:home")).status_code == 200


@pytest.mark.django_db
def test_reactivate_page_without_login_redirects(client):
    """ACC-10: the reactivation page needs a fresh password check."""
    response = client.get(reverse("portal:reactivate"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:login")


@pytest.mark.django_db
def test_api_token_refused_then_reactivate(api_client):
    """ACC-10: the API token endpoint says the account is dormant; auth/reactivate/ restores it and
    returns a token."""
    member = _member()
    services.member_make_dormant(member=member, today=DORMANT_DAY)
    body = {"login_id": member.login_id, "password": DEFAULT_PASSWORD}
    response = api_client.post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "member_dormant"
    bad = api_client.post("/api/v1/auth/reactivate/", {**body, "password": "x"}, format="json")
    assert bad.status_code == 400
    response = api_client.post("/api/v1/auth/reactivate/", body, format="json")
    assert response.status_code == 200 and response.json()["member"]["name"] == "홍길동"
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api_client.get("/api/v1/me/").status_code == 200


# --------------------------------------------------------------------------- admin (DAT-6)


@pytest.mark.django_db
def test_admin_dormant_data_smoke_logs_access(admin_client, admin_user):
    """ACC-10, DAT-6: the separated data is listed without personal data; opening a row is logged;
    the reactivate action restores the member."""
    member = _member()
    services.member_make_dormant(member=member, today=DORMANT_DAY)
    data = DormantMemberData.objects.get(member=member)
    base = "/admin/accounts/dormantmemberdata/"
    listing = admin_client.get(base)
    assert listing.status_code == 200 and "홍길동" not in listing.content.decode()
    assert admin_client.get(base, {"q": member.login_id}).status_code == 200
    assert not PersonalDataAccess.objects.exists()
    page = admin_client.get(f"{base}{data.pk}/change/")
    assert page.status_code == 200 and "홍길동" in page.content.decode()
    log = PersonalDataAccess.objects.get()
    assert (log.user, log.customer_id, log.what, log.object_id, log.kind, log.via) == (
        admin_user, member.customer_id, "accounts.dormantmemberdata", str(data.pk), "detail", "admin"
    )
    assert admin_client.get("/admin/accounts/personaldataaccess/").status_code == 200
    admin_client.post(base, {"action": "reactivate", "_selected_action": [data.pk]})
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE


# --------------------------------------------------------------------------- concurrency


@pytest.mark.django_db(transaction=True)
def test_job_twice_and_on_two_threads():
    """ACC-10, SPEC §10: two workers at once send each notice once and make each member dormant once;
    a second run changes nothing."""
    members = [_member() for _ in range(6)]
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def run(day: dt.date, barrier: threading.Barrier) -> None:
        try:
            barrier.wait(timeout=10)  # both workers start the job together
            results.append(dormant_accounts(today=day))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    for day, key in ((NOTICE_DAY, "noticed"), (DORMANT_DAY, "dormant")):
        results.clear()
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=run, args=(day, barrier)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        assert sum(r[key] for r in results) == len(members)
        assert dormant_accounts(today=day)[key] == 0
    assert Notice.objects.filter(event="member.dormancy_notice").count() == len(members)
    assert len(mail.outbox) == len(members)
    assert DormantMemberData.objects.count() == len(members)
    assert Member.objects.filter(status=Member.Status.DORMANT).count() == len(members)
