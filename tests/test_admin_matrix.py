"""The admin permission matrix (issue #14; ACC-11 staff groups): every custom admin view of the URL conf ×
anonymous, a customer's member, staff without a group, each staff group and a superuser × GET and POST,
checked against the rule table in ``tests/admin_matrix.py``.

* A custom admin view without a rule fails (``test_every_custom_admin_view_has_a_permission_rule``).
* Anonymous callers and customers (not staff) are sent to the admin login page.
* A caller holding the rule's permission is served: no 403/404/405/5xx, no login page, no refusal message.
* A caller lacking it gets 403, the login page or a redirect to another admin page (with the view's
  refusal) — and the call changes nothing in the database (PostgreSQL's per-transaction write counters,
  ``pg_stat_xact_user_tables``, as in ``tests/test_access_matrix.py``).
* A read-only page writes nothing for anyone, the personal-data access log (DAT-6) aside.

The fixture world is the access matrix's (``tests/test_access_matrix.py``) plus a few admin objects, built
once for the module in a transaction rolled back at the end; every request runs in a savepoint rolled
back after it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib import messages
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import path, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.staff import STAFF_GROUPS
from contracts.models import Contract, ContractDocument, Policy
from contracts.policy import policy_clone
from core import clock
from core.models import Holiday
from tests.access_matrix import rolled_back_world, written_tables
from tests.admin_matrix import (
    METHODS,
    NOBODY,
    OUTSIDE_ADMIN,
    ROLES,
    RULES,
    STAFF_ROLES,
    AdminView,
    Rule,
    collect_admin_views,
    missing_rules,
    unnamed_patterns,
)
from tests.factories import StaffUserFactory, UserFactory
from tests.test_access_matrix import TODAY, _build_world

#: a login session may be touched by any request; the access log (DAT-6) records an allowed read
IGNORED_TABLES = frozenset({"django_session"})
AUDIT_TABLES = frozenset({"accounts_personaldataaccess"})
VIEWS = collect_admin_views()
VIEW_BY_NAME = {v.name: v for v in VIEWS}


# --------------------------------------------------------------------------- the fixture world


@dataclass
class World:
    objects: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)

    def ref(self, ref: str) -> Any:
        if ref.startswith("="):
            return ref[1:]
        kind, _, label = ref.partition(":")
        if kind in ("history", "history_id"):
            from django.apps import apps

            model = apps.get_model(label)
            manager = getattr(model, model._meta.simple_history_manager_attribute)
            row = manager.order_by("history_id").first()
            assert row is not None, f"no history row of {label} in the fixture world"
            return row.history_id if kind == "history_id" else row.instance.pk
        return self.objects[ref]

    def holds(self, role: str, perm: str | None) -> bool:
        if perm is NOBODY or role in OUTSIDE_ADMIN:
            return False
        user = self.users[role]
        app_label, codename = perm.split(".")
        if codename.startswith("view_") and user.has_perm(f"{app_label}.change_{codename[5:]}"):
            return True  # Django: the change permission includes the view (has_view_permission)
        return bool(user.has_perm(perm))


def _history_rows(contract: Contract) -> None:
    """One row (so one past version) of each history model the access matrix's world lacks."""
    from billing.models import (
        BankStatementImport,
        BankTransaction,
        CreditNote,
        Invoice,
        LateCharge,
        PayerAlias,
        Payment,
        Promotion,
        TaxInvoice,
    )
    from messaging.models import NoticeTemplate
    from sla.models import MaintenanceWindow, SlaClaim, SlaMonth

    customer = contract.customer
    day = dt.date(2026, 2, 1)
    statement = BankStatementImport.objects.create(file_name="s.csv", sha256="1" * 64)
    BankTransaction.objects.create(
        statement=statement, line_no=1, transacted_on=day, payer_name="입금자", amount_won=1_000
    )
    note = CreditNote.objects.create(
        number="CN-MX-1",
        customer=customer,
        reason="goodwill",
        description="matrix",
        issued_on=day,
        supply_won=1_000,
        vat_won=100,
        total_won=1_100,
    )
    LateCharge.objects.create(
        invoice=Invoice.objects.first(),
        kind="late_fee",
        period_start=day,
        period_end=day,
        base_won=1_000,
        amount_won=10,
        formula="matrix",
    )
    PayerAlias.objects.create(name="입금자", customer=customer)
    Payment.objects.create(customer=customer, method="other", amount_won=1_000, received_on=day)
    Promotion.objects.create(contract=contract, kind="amount", starts_on=day, description="matrix")
    TaxInvoice.objects.create(
        supplier_business_number="1234567891",
        supplier_name="공급자",
        supplier_representative="대표",
        buyer_name="구매자",
        written_on=day,
        issue_by=day,
        supply_won=1_000,
        vat_won=100,
        total_won=1_100,
        item_name="이용료",
        credit_note=note,
    )
    NoticeTemplate.objects.create(event="matrix", channel="portal", subject="제목", body="본문")
    start = clock.now() - dt.timedelta(days=3)
    MaintenanceWindow.objects.create(
        service=contract.plan.policy.code,
        title="점검",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    month = SlaMonth.objects.create(
        contract=contract,
        month=dt.date(2026, 1, 1),
        service_minutes=44_640,
        counted_minutes=0,
        availability=100,
        status="no_credit",
        closed_on=day,
    )
    SlaClaim.objects.create(
        sla_month=month, contract=contract, submitted_on=day, amount_won=0, basis="matrix"
    )


def _build_admin_world() -> World:
    base = _build_world()
    world = World(objects=dict(base.objects))
    contract = Contract.objects.get(pk=world.objects["contract"])
    v2 = Policy.objects.get(pk=world.objects["policy_v2"])
    world.objects.update(
        policy_v1=contract.policy_id,
        policy_draft=policy_clone(policy=v2).pk,
        contract_document=ContractDocument.objects.create(
            contract=contract,
            kind="business_registration",
            file=ContentFile(b"%PDF-1.4 doc", name="doc.pdf"),
            original_name="doc.pdf",
            sha256="0" * 64,
        ).pk,
        customer_user=contract.customer.members.first().user.pk,  # type: ignore[union-attr]
    )
    Holiday.objects.create(date=dt.date(2026, 5, 5), name="어린이날")
    _history_rows(contract)

    users = {"customer": contract.customer.members.first().user}  # type: ignore[union-attr]
    users["staff:none"] = StaffUserFactory()
    for role in STAFF_ROLES:
        users[role] = StaffUserFactory(groups=[role.removeprefix("staff:")])
    users["superuser"] = UserFactory(is_staff=True, is_superuser=True)
    world.objects["totp_device"] = TOTPDevice.objects.create(user=users["superuser"], name="phone").pk
    for role in ROLES:
        client = Client()
        if role in users:
            client.force_login(users[role])
        world.clients[role] = client
    world.users = {role: type(u).objects.get(pk=u.pk) for role, u in users.items()}  # fresh perm caches
    return world


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[World]:
    """Built once, inside a transaction that is rolled back after the module's tests."""
    media = str(tmp_path_factory.mktemp("admin-matrix-media"))
    with rolled_back_world(
        _build_admin_world, media_root=media, today=TODAY, django_db_blocker=django_db_blocker
    ) as built:
        yield built


@pytest.fixture(autouse=True)
def _media_root() -> None:
    """The world's files live in the module's media root (``world``), not one per test."""


# --------------------------------------------------------------------------- one request, judged


def _url(world: World, view: AdminView, rule: Rule) -> str:
    kwargs = {name: world.ref(ref) for name, ref in rule.kwargs.items()}
    args = [world.ref(ref) for ref in rule.args]
    return reverse(f"admin:{view.name}", kwargs=kwargs or None, args=args or None)


def _request(
    world: World, role: str, method: str, url: str, data: dict[str, Any]
) -> tuple[Any, dict[str, int]]:
    """One call in a savepoint rolled back after it; the answer and the tables it wrote."""
    client = world.clients[role]
    with transaction.atomic():
        before = written_tables()
        response = client.get(url) if method == "get" else client.post(url, data)
        after = written_tables()
        transaction.set_rollback(True)
    writes = {
        t: n - before.get(t, 0) for t, n in after.items() if n != before.get(t, 0) and t not in IGNORED_TABLES
    }
    return response, writes


def _location(response: Any) -> str:
    return str(response.get("Location", "")).split("?")[0]


def _to_login(response: Any) -> bool:
    return response.status_code in (301, 302) and _location(response) == reverse("admin:login")


def _errors(response: Any) -> list[str]:
    """The error messages the request queued (a view's refusal shown on the page it redirects to)."""
    storage = getattr(response.wsgi_request, "_messages", None)
    queued = getattr(storage, "_queued_messages", [])
    return [str(m) for m in queued if m.level >= messages.ERROR]


def judge(rule: Rule, method: str, role: str, allowed: bool, response: Any, writes: dict[str, int]) -> str:
    """The problem with one answer, or ""."""
    status = response.status_code
    if role in OUTSIDE_ADMIN:
        if writes:
            return f"outside the admin but wrote {writes}"
        return (
            ""
            if _to_login(response)
            else f"expected the admin login page, got {status} {_location(response)}"
        )
    if allowed:
        if status >= 500 and status not in rule.allowed_status:
            return f"{status} (server error)"
        if status in (403, 404, 405):
            return f"allowed but got {status}"
        if _to_login(response):
            return "allowed but sent to the login page"
        if status in (301, 302) and _errors(response):
            return f"allowed but refused: {_errors(response)}"
        if rule.read_only and set(writes) - AUDIT_TABLES:
            return f"a read-only page wrote {writes}"
        return ""
    if writes:
        return f"refused ({status}) but wrote {writes}"
    if status == 403 or _to_login(response):
        return ""
    if status in (301, 302) and _location(response) != response.wsgi_request.path:
        return ""  # the view's own refusal: back to the object's page, the list or the index
    return f"refused: expected 403 or a redirect, got {status}"


def check_view(world: World, view: AdminView, rule: Rule) -> tuple[list[str], int]:
    problems = []
    cells = 0
    url = _url(world, view, rule)
    for method in METHODS:
        perm = rule.perm(method)
        for role in ROLES:
            allowed = world.holds(role, perm)
            data = rule.data if method == "post" else {}
            response, writes = _request(world, role, method, url, data)
            cells += 1
            problem = judge(rule, method, role, allowed, response, writes)
            if problem:
                problems.append(f"{method.upper()} {url} as {role} ({perm}): {problem}")
    return problems, cells


# --------------------------------------------------------------------------- the tests


@pytest.mark.django_db
def test_every_custom_admin_view_has_a_permission_rule() -> None:
    """Issue #14: every custom admin view (``ModelAdmin.get_urls`` extras) has a permission rule; a new one
    without a rule fails here with its name."""
    missing = missing_rules(VIEWS)
    assert not missing, "new admin view without a permission rule: " + ", ".join(missing)
    stale = sorted(set(RULES) - set(VIEW_BY_NAME))
    assert not stale, f"rules for admin views that no longer exist: {stale}"
    assert set(unnamed_patterns()) == {"<path:object_id>/"}, "only Django's redirect to the change page"
    assert len(VIEWS) >= 40 and {"billing_invoice_credit_note", "privacy_retention_calendar"} <= set(
        VIEW_BY_NAME
    )


def test_a_view_without_a_rule_is_named() -> None:
    """Issue #14: an admin with one extra view added fails the check, which names it."""
    from django.contrib.admin import AdminSite, ModelAdmin
    from django.http import HttpResponse

    from core.models import JobRun

    class ExtraAdmin(ModelAdmin):  # type: ignore[type-arg]
        def get_urls(self) -> list[Any]:
            extra = [
                path(
                    "brand-new/", self.admin_site.admin_view(lambda r: HttpResponse()), name="core_brand_new"
                )
            ]
            return extra + super().get_urls()

    site = AdminSite(name="matrix-probe")
    site.register(JobRun, ExtraAdmin)
    assert missing_rules(collect_admin_views(site)) == ["core_brand_new (core.JobRun)"]


def test_roles_include_every_staff_group() -> None:
    """ACC-11: every staff group is a role of the matrix, with staff without a group, a superuser and the
    callers outside the admin."""
    assert {f"staff:{g}" for g in STAFF_GROUPS} == set(STAFF_ROLES)
    assert {"anonymous", "customer", "staff:none", "superuser"} <= set(ROLES)


@pytest.mark.django_db
def test_rule_permissions_exist() -> None:
    """Issue #14: every permission a rule names exists (a typo would refuse everyone but a superuser)."""
    known = {
        f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")
    }
    named = {p for r in RULES.values() for p in (r.get, r.post) if p is not NOBODY}
    assert named - known == set()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(RULES))
def test_admin_view_permissions(world: World, name: str) -> None:
    """Issue #14, ACC-11: each role gets what the view's rule says, for GET and POST; a refused call
    changes nothing, a read-only page changes nothing for anyone."""
    with clock.frozen(TODAY):
        problems, cells = check_view(world, VIEW_BY_NAME[name], RULES[name])
    assert cells == len(ROLES) * len(METHODS)
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_some_role_is_served_and_some_refused_on_every_view(world: World) -> None:
    """Issue #14: the matrix is not vacuous: every view serves a superuser (GET) and refuses staff without
    a group; every view but Django's password form is refused to at least one staff group."""
    for name, rule in RULES.items():
        assert world.holds("superuser", rule.get), name
        assert not world.holds("staff:none", rule.get), name
    assert sum(1 for r in RULES.values() for m in METHODS if r.perm(m) is NOBODY) >= 15
