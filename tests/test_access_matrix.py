"""The access matrix (issue #14; ACC-4 roles, ACC-11 staff groups): every API endpoint and portal page of
the URL conf × anonymous, another customer's admin and plain member, a plain member, an admin member,
each staff group and a superuser, checked against the rule table in ``tests/access_matrix.py``.

* A route of the URL conf without a rule fails (``test_every_route_has_an_access_rule``).
* Allowed → neither 401/403/404 nor 405 nor 5xx, and no redirect to the login page.
* Refused → API: 401 for the anonymous, 403 for the others (404 also for another customer's members
  on an object they do not own); portal: a redirect to the login page, 403 or 404. A refused call changes
  nothing in the database (PostgreSQL's per-transaction write counters, ``pg_stat_xact_user_tables``).
* Another customer's members never get a page that shows the owning customer's data (a marker string
  put in its names, titles and texts).

The fixture world is built once for the module inside a transaction rolled back at the end; every
request runs in a savepoint rolled back after it, so one role's allowed write never changes what the
next role sees.
"""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import CustomerChangeRequest, SuccessionRequest
from accounts.staff import STAFF_GROUPS, ensure_staff_groups
from billing.models import Dispute
from contracts.models import Suspension
from contracts.policy import policy_clone
from contracts.presets import load_presets
from contracts.services import terms
from core import clock
from messaging.models import Broadcast, Channel, KakaoTemplate, Message, MessageBatch, Notice, Recipient
from privacy.models import ExportRequest
from sla.models import Incident
from tests.access_matrix import (
    EXCLUDED,
    OUTSIDERS,
    ROLES,
    RULES,
    STAFF_ROLES,
    WRITE_METHODS,
    Route,
    Rule,
    collect_routes,
    missing_rules,
    rolled_back_world,
    written_tables,
)
from tests.billing.conftest import make_contract
from tests.billing.payment_factories import PaymentMethodFactory, make_invoice
from tests.factories import AdminMemberFactory, CustomerFactory, MemberFactory, StaffUserFactory, UserFactory

D = dt.date
START = D(2026, 1, 5)
TODAY = D(2026, 2, 10)  # contracts live, a terms change published and pending (effective 2026-03-03)
MARKER = "MXLEAK"  # in the owning customer's names and texts: another customer must never see it
IGNORED_TABLES = frozenset({"django_session"})  # a login session may be touched by any request
ROUTES = collect_routes()
ROUTE_BY_NAME = {r.name: r for r in ROUTES}


# --------------------------------------------------------------------------- the fixture world


@dataclass
class World:
    objects: dict[str, Any] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)
    notices: dict[str, int] = field(default_factory=dict)  # role → a portal notice of its own
    queries: dict[str, str] = field(default_factory=dict)

    def kwarg(self, ref: str, role: str) -> Any:
        key = ref.removeprefix("global:")
        if key == "notice":  # a member's notice is its own: each member reads theirs, outsiders the member's
            return self.notices.get(role, self.notices["member"])
        return self.objects[key]


def _build_world() -> World:
    load_presets()
    ensure_staff_groups()
    world = World()
    ours = make_contract(
        "officecore-standard-monthly", start=START, customer=CustomerFactory(legal_name=f"주식회사 {MARKER}")
    )
    customer = ours.customer
    make_contract("kgmsg-standard", start=START, customer=customer)
    admin = AdminMemberFactory(customer=customer, name=f"{MARKER} 관리자")
    member = MemberFactory(customer=customer, name=f"{MARKER} 일반")
    victim = MemberFactory(customer=customer, name=f"{MARKER} 대상")
    theirs = CustomerFactory(legal_name="주식회사 다른고객")
    other = AdminMemberFactory(customer=theirs)
    other_member = MemberFactory(customer=theirs)
    make_contract("kgmsg-standard", start=START, customer=theirs)

    v1 = ours.policy
    draft = policy_clone(policy=v1)
    draft.terms_text_ko = f"{v1.terms_text_ko}\n개정"
    draft.save(update_fields=["terms_text_ko"])
    release = terms.terms_publish(
        policy=draft,
        previous=v1,
        effective_on=D(2026, 3, 3),
        reasons="조항 정비",
        today=D(2026, 2, 1),
        unfavourable=True,
    )
    invoice = make_invoice(customer, 110_000, policy=v1, issue_date=D(2026, 2, 1), due_date=D(2026, 2, 20))
    world.objects.update(
        contract=ours.pk,
        victim=victim.pk,
        policy_v2=release.policy_id,
        service=ours.plan.policy.code,
        invoice=invoice.pk,
        suspension=Suspension.objects.create(
            contract=ours,
            kind=Suspension.Kind.VIOLATION,
            reason="약관 위반",
            noticed_on=D(2026, 2, 2),
            starts_on=D(2026, 2, 9),
            started=True,
        ).pk,
        dispute=Dispute.objects.create(
            invoice=invoice,
            customer=customer,
            filed_by=admin,
            amount_won=1_000,
            reason=f"{MARKER} 이의",
            filed_on=D(2026, 2, 3),
            answer_due_on=D(2026, 2, 10),
        ).pk,
        payment_method=PaymentMethodFactory(customer=customer, is_default=False).pk,
        change_request=CustomerChangeRequest.objects.create(
            customer=customer,
            changes={"representative_name": f"{MARKER} 대표"},
            document=ContentFile(b"%PDF-1.4 change", name="change.pdf"),
            document_name="change.pdf",
            document_sha256="0" * 64,
            requested_on=D(2026, 2, 2),
            note=f"{MARKER} 변경",
        ).pk,
        succession=SuccessionRequest.objects.create(
            predecessor=customer,
            kind=SuccessionRequest.Kind.MERGER,
            event_date=D(2026, 2, 1),
            filed_on=D(2026, 2, 2),
            deadline=D(2026, 3, 3),
        ).pk,
        broadcast=Broadcast.objects.create(
            subject="점검 안내",
            body="정기 점검",
            posted_from=timezone.now() - dt.timedelta(days=400),
            posted_until=timezone.now() + dt.timedelta(days=400),
        ).pk,
        message=Message.objects.create(
            customer=customer, kind="sms", sender="0212345678", text=f"{MARKER} 문자", recipient="01098765432"
        ).pk,
        batch=MessageBatch.objects.create(customer=customer, kind="sms").pk,
        template=KakaoTemplate.objects.create(
            customer=customer,
            sender_profile="@mx",
            code="MX1",
            name=f"{MARKER} 템플릿",
            body=f"{MARKER} #{{name}}",
        ).pk,
        opt_out=Recipient.objects.create(
            customer=customer, number="01055556666", opted_out_at=timezone.now()
        ).number,
        incident=Incident.objects.create(
            service=ours.plan.policy.code,
            title=f"{MARKER} 장애",
            started_at=timezone.now() - dt.timedelta(days=300),
            contract=ours,
            reported_by=member,
        ).pk,
        export=ExportRequest.objects.create(
            customer=customer,
            requested_on=D(2026, 2, 2),
            status=ExportRequest.Status.READY,
            file=ContentFile(b"PK\x05\x06" + b"\0" * 18, name="x.zip"),
        ).pk,
    )
    world.queries = {"compare": f"?old={v1.pk}&new={release.policy_id}", "month": "?month=2026-01"}

    users = {
        "other-admin": other.user,
        "other-member": other_member.user,
        "member": member.user,
        "admin": admin.user,
    }
    for role in STAFF_ROLES:
        users[role] = StaffUserFactory(groups=[role.removeprefix("staff:")])
    users["superuser"] = UserFactory(is_staff=True, is_superuser=True)
    for role in ROLES:
        client = Client()
        if role in users:
            client.force_login(users[role])
        world.clients[role] = client
    for role, who in (("member", member), ("admin", admin)):
        world.notices[role] = Notice.objects.create(
            customer=customer,
            member=who,
            channel=Channel.PORTAL,
            event="test",
            subject=f"{MARKER} 알림",
            body="본문",
            status=Notice.Status.SENT,
        ).pk
    return world


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[World]:
    """Built once, inside a transaction that is rolled back after the module's tests."""
    media = str(tmp_path_factory.mktemp("matrix-media"))
    with rolled_back_world(
        _build_world, media_root=media, today=TODAY, django_db_blocker=django_db_blocker
    ) as built:
        yield built


@pytest.fixture(autouse=True)
def _media_root() -> None:
    """The world's files live in the module's media root (``world``), not one per test."""


# --------------------------------------------------------------------------- one request, judged


def _call(client: Client, method: str, url: str, api: bool) -> Any:
    if method == "get":
        return client.get(url)
    if method == "post":
        return client.post(url, {})  # an empty form (multipart): the views read forms and JSON alike
    return getattr(client, method)(url, "{}" if api else "", content_type="application/json")


def _location(response: Any) -> str:
    return str(response.get("Location", ""))


def _to_login(response: Any) -> bool:
    return response.status_code in (301, 302) and _location(response).split("?")[0] == reverse("portal:login")


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return ""  # files (PDF, zip): their names and bytes are checked by their own tests
    return response.content.decode("utf-8", "replace")


def _judge(route: Route, rule: Rule, method: str, role: str, response: Any, writes: dict[str, int]) -> str:
    """The problem with one answer, or ""."""
    status = response.status_code
    if status >= 500:
        return f"{status} (server error)"
    if rule.allowed(method, role):
        if status in (401, 403, 404, 405):
            return f"allowed but got {status}"
        if _to_login(response) and not rule.login_redirect_ok:
            return f"allowed but sent to the login page ({_location(response)})"
        if role in OUTSIDERS and MARKER in _body(response):
            return "another customer's data in the answer"
        return ""
    if writes:
        return f"refused ({status}) but wrote {writes}"
    if route.is_api:
        expected = {401} if role == "anonymous" else {403}
        if role in OUTSIDERS and rule.owned:
            expected = {403, 404}
        return "" if status in expected else f"refused: expected {sorted(expected)}, got {status}"
    if status in (403, 404) or _to_login(response):
        return ""
    return f"refused: expected a login redirect, 403 or 404, got {status} {_location(response)}"


def _url(world: World, route: Route, rule: Rule, method: str, role: str) -> str:
    kwargs = {name: world.kwarg(ref, role) for name, ref in rule.kwargs.items()}
    url = reverse(route.name, kwargs=kwargs)
    if method == "get" and rule.query:
        url += world.queries[rule.query]
    return url


def _request(world: World, role: str, method: str, url: str, api: bool) -> tuple[Any, dict[str, int]]:
    """One call in a savepoint rolled back after it; the answer and the tables it wrote."""
    client = world.clients[role]
    cookies = SimpleCookie(client.cookies)
    with transaction.atomic():
        before = written_tables()
        response = _call(client, method, url, api)
        after = written_tables()
        transaction.set_rollback(True)
    client.cookies = cookies  # a logout or a flash message must not carry over
    writes = {
        t: n - before.get(t, 0) for t, n in after.items() if n != before.get(t, 0) and t not in IGNORED_TABLES
    }
    return response, writes


def check_route(world: World, route: Route, rule: Rule) -> list[str]:
    problems = []
    for method in rule.methods:
        for role in ROLES:
            url = _url(world, route, rule, method, role)
            response, writes = _request(world, role, method, url, route.is_api)
            problem = _judge(route, rule, method, role, response, writes)
            if problem:
                problems.append(f"{method.upper()} {url} as {role}: {problem}")
    if route.view_methods() is None and "get" not in rule.methods:
        # a page without a GET rule must refuse GET outright (require_POST), even to the customer's admin
        url = _url(world, route, rule, "get", "admin")
        response, writes = _request(world, "admin", "get", url, route.is_api)
        if response.status_code != 405 or writes:
            problems.append(f"GET {url} as admin: no GET rule, expected 405, got {response.status_code}")
    return problems


# --------------------------------------------------------------------------- the tests


def test_every_route_has_an_access_rule() -> None:
    """Issue #14: every API and portal route of the URL conf has a rule; a new endpoint without one fails
    here with its name."""
    missing = missing_rules(ROUTES)
    assert not missing, "new endpoint without an access rule: " + ", ".join(missing)
    names = [r.name for r in ROUTES]
    assert len(names) == len(set(names)), "two routes share a URL name; rules are keyed by it"
    stale = sorted(set(RULES) - set(names))
    assert not stale, f"rules for routes that no longer exist: {stale}"
    assert not set(EXCLUDED) & set(RULES)


def test_a_route_without_a_rule_is_named() -> None:
    """Issue #14: a URL conf with one endpoint added (under the portal namespace too) fails the check,
    which names each new route."""
    from django.http import HttpResponse
    from django.urls import include, path

    def view(request: Any) -> HttpResponse:
        return HttpResponse()

    urlconf = types.ModuleType("matrix_urls_with_new_routes")
    urlconf.urlpatterns = [  # type: ignore[attr-defined]
        path("api/v1/brand-new/", view, name="api-brand-new"),
        path("", include(([path("new-page/", view, name="new_page")], "portal"))),
        path("", include("config.urls")),
    ]
    assert missing_rules(collect_routes(urlconf)) == [
        "api-brand-new (/api/v1/brand-new/)",
        "portal:new_page (/new-page/)",
    ]


def test_the_matrix_covers_the_api_and_the_portal() -> None:
    """Issue #14: the walk finds the API and the portal (not an empty or partial URL conf)."""
    api = [r for r in ROUTES if r.is_api]
    portal = [r for r in ROUTES if r.name.startswith("portal:")]
    assert len(api) >= 50 and len(portal) >= 60
    assert {"api-me", "api-sla-feed", "portal:home", "portal:privacy_delete"} <= {r.name for r in ROUTES}


@pytest.mark.parametrize("name", sorted(n for n, r in ROUTE_BY_NAME.items() if r.is_api))
def test_api_rules_name_the_methods_the_view_allows(name: str) -> None:
    """Issue #14: an API view's methods are exactly its rule's (a new method needs a rule too)."""
    assert set(RULES[name].methods) == ROUTE_BY_NAME[name].view_methods()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(RULES))
def test_access(world: World, name: str) -> None:
    """Issue #14, ACC-4, ACC-11: each role gets what the route's rule says, for every method."""
    with clock.frozen(TODAY):
        problems = check_route(world, ROUTE_BY_NAME[name], RULES[name])
    assert not problems, "\n".join(problems)


def test_roles_include_every_staff_group() -> None:
    """ACC-11: every staff group is a role of the matrix, plus the customer roles of ACC-4."""
    assert {f"staff:{g}" for g in STAFF_GROUPS} == set(STAFF_ROLES)
    assert {"anonymous", "other-admin", "other-member", "member", "admin", "superuser"} <= set(ROLES)
    assert all(set(r.methods) - set(WRITE_METHODS) <= {"get"} for r in RULES.values())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "api-me",
        "api-sla-incidents",
        "api-kakao-templates",
        "portal:home",
        "portal:messages",
        "portal:disputes",
    ],
)
def test_the_owner_sees_the_marker(world: World, name: str) -> None:
    """Issue #14: the leak check can fire: the owning admin's answers carry the marker that another
    customer's answers must not."""
    with clock.frozen(TODAY):
        response = world.clients["admin"].get(reverse(name))
    assert response.status_code == 200 and MARKER in _body(response)


# --------------------------------------------------------------------------- ids in bodies


@dataclass(frozen=True)
class Probe:
    """A write by another customer's admin whose *body* names the owning customer's object."""

    name: str  # the URL name
    body: dict[str, Any]  # values "@contract", "@invoice", "@template" are the owning customer's ids
    expected: frozenset[int]
    idempotency_key: bool = False


ALIMTALK = {"kind": "alimtalk", "sender": "0212345678", "template_id": "@template"}
PROBES = (
    Probe(
        "api-disputes", {"invoice_id": "@invoice", "amount_won": 1_000, "reason": "이의"}, frozenset({404})
    ),
    Probe(
        "api-payments", {"method": "card", "invoice_id": "@invoice"}, frozenset({404}), idempotency_key=True
    ),
    Probe("api-sla-incidents", {"contract": "@contract", "title": "장애"}, frozenset({404})),
    Probe("api-sla-claims", {"contract": "@contract", "month": "2026-01"}, frozenset({404})),
    Probe("api-messages", {**ALIMTALK, "recipient": "01012345678"}, frozenset({404}), idempotency_key=True),
    Probe(
        "api-messages-bulk",
        {**ALIMTALK, "recipients": [{"number": "01012345678"}]},
        frozenset({404}),
        idempotency_key=True,
    ),
    Probe(
        "portal:dispute_file",
        {"invoice": "@invoice", "amount_won": "1000", "reason": "이의"},
        frozenset({400}),
    ),
    Probe(
        "portal:sla_incident_report",
        {"contract": "@contract", "title": "장애", "scope": "whole"},
        frozenset({200}),
    ),
    Probe(
        "portal:message_send",
        {"kind": "alimtalk", "sender": "0212345678", "template": "@template", "recipient": "01012345678"},
        frozenset({200}),
    ),
)


@pytest.mark.django_db
@pytest.mark.parametrize("probe", PROBES, ids=[p.name for p in PROBES])
def test_ids_in_a_body_stay_in_the_customer(world: World, probe: Probe) -> None:
    """Issue #14: another customer's admin naming the owning customer's invoice, contract or template in a
    write's body is refused (404 or a validation error on that field), writes nothing and learns nothing."""
    body = {
        k: world.objects[v[1:]] if isinstance(v, str) and v.startswith("@") else v
        for k, v in probe.body.items()
    }
    client = world.clients["other-admin"]
    headers = {"Idempotency-Key": f"probe-{probe.name}"} if probe.idempotency_key else {}
    api = ROUTE_BY_NAME[probe.name].is_api
    with clock.frozen(TODAY), transaction.atomic():
        before = written_tables()
        if api:
            response = client.post(
                reverse(probe.name), body, content_type="application/json", headers=headers
            )
        else:
            response = client.post(reverse(probe.name), body)
        after = written_tables()
        transaction.set_rollback(True)
    # the Idempotency-Key's own record (the refusal kept for a replay) is not the customer's data
    ignored = IGNORED_TABLES | {"core_idempotencykey"}
    writes = {t for t, n in after.items() if n != before.get(t, 0) and t not in ignored}
    assert response.status_code in probe.expected, (response.status_code, _body(response)[:300])
    assert not writes and MARKER not in _body(response)
