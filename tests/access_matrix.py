"""The access matrix (issue #14): every API endpoint and portal page × every kind of caller.

The routes are not listed by hand: :func:`collect_routes` walks ``django.urls.get_resolver()`` and finds
every route of the URL conf. Each one must have a rule in :data:`RULES` (keyed by URL name) or a
documented reason in :data:`EXCLUDED`; a route with neither fails ``tests/test_access_matrix.py`` with
"new endpoint without an access rule", naming it.

A rule says, per HTTP method the view allows, which roles may call it:

* ``anonymous`` — no login;
* ``other-admin`` — an admin of *another* customer (the strongest outsider: whatever an admin may do on
  its own customer, it must never reach this customer's objects);
* ``other-member`` — a plain member of that other customer;
* ``member`` — a plain member (일반) of the customer that owns the objects;
* ``admin`` — an admin (관리자) of that customer (ACC-4);
* ``staff:<group>`` — an operator employee in one staff group each (every group of
  :data:`accounts.staff.STAFF_GROUPS`, so a new group joins the matrix by itself), without a member;
* ``superuser`` — an operator superuser (``is_superuser``), without a member.

A route's URL kwargs name objects of the owning customer (its contract, invoice, incident…). On such a
route the outsiders are always refused (404/403) however the table reads, because the object is not
their customer's; on a list or form route they act on their own customer, ``other-admin`` as an admin
and ``other-member`` as a plain member.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, TypeVar

from django.db import connection, transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.staff import STAFF_GROUPS
from core import clock

STAFF_ROLES: tuple[str, ...] = tuple(f"staff:{name}" for name in STAFF_GROUPS)
OUTSIDERS = ("other-admin", "other-member")  # the other customer's admin and plain member
ROLES: tuple[str, ...] = ("anonymous", *OUTSIDERS, "member", "admin", *STAFF_ROLES, "superuser")

EVERYONE = frozenset(ROLES)
MEMBERS = frozenset({"member", "admin"})  # the owning customer's members, on its own objects
ADMINS = frozenset({"admin"})  # the owning customer's admins (ACC-4)
ANY_MEMBER = MEMBERS | set(OUTSIDERS)  # a list or form: every customer's members, each on its own data
ANY_ADMIN = ADMINS | {"other-admin"}  # the same, admins only
FEEDERS = frozenset({"staff:sla", "superuser"})  # hold sla.add_errorratesample (SLA-3 feed)

WRITE_METHODS = ("post", "put", "patch", "delete")
METHODS = ("get", *WRITE_METHODS)


@dataclass(frozen=True)
class Rule:
    """Who may call a route, per method. ``kwargs`` maps each URL kwarg to an object of the fixture
    world (``tests/test_access_matrix.py``); ``query`` is appended to GETs."""

    methods: dict[str, frozenset[str]]
    kwargs: dict[str, str] = field(default_factory=dict)
    query: str = ""
    login_redirect_ok: bool = False  # the allowed answer itself sends to the login page (logout)
    note: str = ""

    @property
    def owned(self) -> bool:
        """The URL names an object of the owning customer (the outsiders must never reach it)."""
        return any(not name.startswith("global:") for name in self.kwargs.values())

    def allowed(self, method: str, role: str) -> bool:
        roles = self.methods[method]
        if role in OUTSIDERS and self.owned:
            return False
        return role in roles


def rule(
    *,
    get: frozenset[str] | None = None,
    post: frozenset[str] | None = None,
    patch: frozenset[str] | None = None,
    delete: frozenset[str] | None = None,
    **extra: object,
) -> Rule:
    methods = {
        m: roles
        for m, roles in (("get", get), ("post", post), ("patch", patch), ("delete", delete))
        if roles is not None
    }
    return Rule(methods=methods, **extra)  # type: ignore[arg-type]


C = {"contract_id": "contract"}
# The rule table, keyed by URL name (docs/api.md "who" column; portal pages as their views decide).
RULES: dict[str, Rule] = {
    # ------------------------------------------------------------------ API: accounts
    "api-auth-token": rule(post=EVERYONE),
    "api-auth-reactivate": rule(post=EVERYONE),
    "api-me": rule(get=ANY_MEMBER),
    "api-members": rule(get=ANY_MEMBER, post=ANY_ADMIN),
    "api-member-detail": rule(
        get=MEMBERS,
        patch=ADMINS,
        delete=ADMINS,
        kwargs={"member_id": "victim"},
        note="PATCH: a plain member only on their own profile; the target is another",
    ),
    "api-change-requests": rule(get=ANY_MEMBER, post=ANY_ADMIN),
    "api-change-request-detail": rule(get=MEMBERS, kwargs={"request_id": "change_request"}),
    "api-successions": rule(get=ANY_MEMBER, post=ANY_ADMIN),
    "api-succession-detail": rule(get=MEMBERS, kwargs={"succession_id": "succession"}),
    # ------------------------------------------------------------------ API: notices (MSG-1)
    "notices-inbox": rule(get=ANY_MEMBER),
    "notices-unread-count": rule(get=ANY_MEMBER),
    "notices-read": rule(post=MEMBERS, kwargs={"pk": "notice"}),
    "broadcasts-read": rule(post=ANY_MEMBER, kwargs={"pk": "global:broadcast"}),
    # ------------------------------------------------------------------ API: paid messages (MSG-2..7)
    "api-messages": rule(get=ANY_MEMBER, post=ANY_MEMBER),
    "api-message-detail": rule(get=MEMBERS, kwargs={"pk": "message"}),
    "api-messages-bulk": rule(post=ANY_MEMBER),
    "api-messages-bulk-progress": rule(get=MEMBERS, kwargs={"pk": "batch"}),
    "api-sender-numbers": rule(get=ANY_MEMBER, post=ANY_ADMIN),
    "api-kakao-templates": rule(get=ANY_MEMBER, post=ANY_MEMBER),
    "api-kakao-template-detail": rule(get=MEMBERS, patch=MEMBERS, kwargs={"pk": "template"}),
    "api-opt-outs": rule(get=ANY_MEMBER, post=ANY_MEMBER),
    "api-opt-out-delete": rule(delete=MEMBERS, kwargs={"number": "opt_out"}),
    # ------------------------------------------------------------------ API: contracts and terms
    "api-plans": rule(get=ANY_MEMBER),
    "api-contracts": rule(get=ANY_MEMBER, post=ANY_ADMIN),
    "api-contract-detail": rule(get=MEMBERS, kwargs=C),
    "api-contract-documents": rule(post=ADMINS, kwargs=C),
    "api-contract-postpone": rule(post=ADMINS, kwargs=C),
    "api-contract-withdraw": rule(post=ADMINS, kwargs=C),
    "api-contract-termination-preview": rule(get=MEMBERS, kwargs=C),
    "api-contract-terminate": rule(post=ADMINS, kwargs=C),
    "api-contract-stop-renewal": rule(post=ADMINS, kwargs=C),
    "api-terms-pending": rule(get=ANY_MEMBER),
    "api-terms-versions": rule(get=ANY_MEMBER),
    "api-terms-version-detail": rule(get=ANY_MEMBER, kwargs={"policy_id": "global:policy_v2"}),
    "api-terms-compare": rule(get=ANY_MEMBER, query="compare"),
    "api-terms-consent": rule(
        post=ANY_ADMIN,
        kwargs={"policy_id": "global:policy_v2"},
        note="the terms version is public; the consent is the caller's customer's",
    ),
    "api-entitlement": rule(get=ANY_MEMBER),
    # ------------------------------------------------------------------ API: billing
    "api-invoices": rule(get=ANY_MEMBER),
    "api-invoice-preview": rule(get=ANY_ADMIN),
    "api-invoice-detail": rule(get=MEMBERS, kwargs={"pk": "invoice"}),
    "api-invoice-pdf": rule(get=MEMBERS, kwargs={"pk": "invoice"}),
    "api-payments": rule(get=ANY_MEMBER, post=ANY_ADMIN),
    "api-credit-notes": rule(get=ANY_MEMBER),
    "api-credit-balance": rule(get=ANY_MEMBER),
    "api-tax-invoice": rule(get=MEMBERS, kwargs={"invoice_id": "invoice"}),
    "api-disputes": rule(get=ANY_MEMBER, post=ANY_ADMIN),
    "api-dispute-detail": rule(get=MEMBERS, kwargs={"pk": "dispute"}),
    "api-refunds": rule(get=ANY_MEMBER, post=ANY_ADMIN),
    "api-dunning": rule(get=ANY_MEMBER),
    # ------------------------------------------------------------------ API: SLA
    "api-sla-incidents": rule(get=ANY_MEMBER, post=ANY_MEMBER),
    "api-sla-incident-detail": rule(get=MEMBERS, kwargs={"incident_id": "incident"}),
    "api-sla-availability": rule(get=MEMBERS, kwargs=C, query="month"),
    "api-sla-claim-prefill": rule(get=MEMBERS, kwargs=C, query="month"),
    "api-sla-claims": rule(get=ANY_MEMBER, post=ANY_ADMIN),
    "api-sla-feed": rule(post=FEEDERS),
    # ------------------------------------------------------------------ API: privacy
    "api-privacy-exports": rule(get=ANY_ADMIN, post=ANY_ADMIN),
    "api-privacy-export-detail": rule(get=ADMINS, kwargs={"export_id": "export"}),
    "api-privacy-export-download": rule(get=ADMINS, kwargs={"export_id": "export"}),
    # ------------------------------------------------------------------ public pages
    "status": rule(get=EVERYONE),
    "status_service": rule(get=EVERYONE, kwargs={"service": "global:service"}),
    "set_language": rule(get=EVERYONE, post=EVERYONE, note="Django's view; a GET only redirects back"),
    "healthz": rule(get=EVERYONE, note="liveness probe: no data"),
    "readyz": rule(get=EVERYONE, note="readiness probe: check names, job names and dates only, no data"),
    "metrics": rule(get=EVERYONE, note="Prometheus scrape: counts only; production needs METRICS_TOKEN"),
    # ------------------------------------------------------------------ portal: accounts
    "portal:home": rule(get=ANY_MEMBER),
    "portal:dashboard": rule(get=ANY_MEMBER, note="issue 17: each customer's own numbers"),
    "portal:login": rule(get=EVERYONE, post=EVERYONE),
    "portal:logout": rule(post=EVERYONE, login_redirect_ok=True),
    "portal:members": rule(get=ANY_MEMBER, post=ANY_ADMIN),
    "portal:member_role": rule(post=ADMINS, kwargs={"pk": "victim"}),
    "portal:member_remove": rule(post=ADMINS, kwargs={"pk": "victim"}),
    "portal:profile": rule(get=ANY_MEMBER, post=ANY_MEMBER),
    "portal:support": rule(get=EVERYONE, note="public: how to reach support (issue 15)"),
    "portal:reactivate": rule(
        get=EVERYONE,
        post=EVERYONE,
        login_redirect_ok=True,
        note="without a pending reactivation (ACC-10) it sends to the login page",
    ),
    "portal:change_requests": rule(get=ANY_MEMBER, post=ANY_ADMIN),
    "portal:change_request_detail": rule(get=MEMBERS, kwargs={"pk": "change_request"}),
    "portal:change_request_document": rule(get=MEMBERS, kwargs={"pk": "change_request"}),
    "portal:successions": rule(get=ANY_MEMBER, post=ANY_ADMIN),
    "portal:succession_detail": rule(get=MEMBERS, kwargs={"pk": "succession"}),
    # ------------------------------------------------------------------ portal: notices (MSG-1)
    "portal:inbox": rule(get=ANY_MEMBER),
    "portal:inbox_detail": rule(get=MEMBERS, kwargs={"pk": "notice"}),
    "portal:inbox_broadcast": rule(get=ANY_MEMBER, kwargs={"pk": "global:broadcast"}),
    "portal:notice_settings": rule(get=ANY_MEMBER, post=ANY_ADMIN),
    # ------------------------------------------------------------------ portal: paid messages
    "portal:messages": rule(get=ANY_MEMBER),
    "portal:message_detail": rule(get=MEMBERS, kwargs={"pk": "message"}),
    "portal:message_send": rule(get=ANY_MEMBER, post=ANY_MEMBER),
    "portal:message_bulk": rule(get=ANY_MEMBER, post=ANY_MEMBER),
    "portal:message_bulk_progress": rule(get=MEMBERS, kwargs={"pk": "batch"}),
    "portal:message_bulk_progress_json": rule(get=MEMBERS, kwargs={"pk": "batch"}),
    "portal:message_senders": rule(get=ANY_MEMBER, post=ANY_ADMIN),
    "portal:message_templates": rule(get=ANY_MEMBER, post=ANY_MEMBER),
    "portal:message_template_edit": rule(get=MEMBERS, post=MEMBERS, kwargs={"pk": "template"}),
    "portal:message_opt_outs": rule(get=ANY_MEMBER, post=ANY_MEMBER),
    "portal:message_opt_out_remove": rule(post=MEMBERS, kwargs={"number": "opt_out"}),
    # ------------------------------------------------------------------ portal: contracts and terms
    "portal:contracts": rule(get=ANY_MEMBER),
    "portal:contract_apply": rule(get=ANY_ADMIN, post=ANY_ADMIN),
    "portal:contract_terms": rule(get=ANY_MEMBER),
    "portal:contract_terms_consent": rule(post=ANY_ADMIN, kwargs={"policy_id": "global:policy_v2"}),
    "portal:contract_terms_document": rule(get=ANY_MEMBER, kwargs={"policy_id": "global:policy_v2"}),
    "portal:contract_terms_comparison_pdf": rule(get=ANY_MEMBER, kwargs={"policy_id": "global:policy_v2"}),
    "portal:contract_terms_refusal_termination": rule(
        post=ADMINS, kwargs={"policy_id": "global:policy_v2", "pk": "contract"}
    ),
    "portal:contract_detail": rule(get=MEMBERS, kwargs={"pk": "contract"}),
    "portal:contract_document_upload": rule(post=ADMINS, kwargs={"pk": "contract"}),
    "portal:contract_postpone": rule(post=ADMINS, kwargs={"pk": "contract"}),
    "portal:contract_withdraw": rule(post=ADMINS, kwargs={"pk": "contract"}),
    "portal:contract_terminate": rule(get=ADMINS, post=ADMINS, kwargs={"pk": "contract"}),
    "portal:contract_stop_renewal": rule(post=ADMINS, kwargs={"pk": "contract"}),
    "portal:contract_suspension_appeal": rule(
        post=ADMINS, kwargs={"pk": "contract", "suspension_pk": "suspension"}
    ),
    # ------------------------------------------------------------------ portal: billing
    "portal:invoices": rule(get=ANY_MEMBER),
    "portal:invoice_detail": rule(get=MEMBERS, kwargs={"pk": "invoice"}),
    "portal:invoice_pdf": rule(get=MEMBERS, kwargs={"pk": "invoice"}),
    "portal:invoice_pay": rule(get=ADMINS, post=ADMINS, kwargs={"pk": "invoice"}),
    "portal:invoice_transfer_notice": rule(get=ADMINS, post=ADMINS, kwargs={"pk": "invoice"}),
    "portal:payments": rule(get=ANY_MEMBER),
    "portal:payment_methods": rule(get=ANY_MEMBER),
    "portal:payment_method_add": rule(post=ANY_ADMIN),
    "portal:payment_method_default": rule(post=ADMINS, kwargs={"pk": "payment_method"}),
    "portal:payment_method_remove": rule(post=ADMINS, kwargs={"pk": "payment_method"}),
    "portal:payment_method_card_register": rule(post=ANY_ADMIN),
    "portal:disputes": rule(get=ANY_MEMBER),
    "portal:dispute_file": rule(get=ANY_ADMIN, post=ANY_ADMIN),
    "portal:refunds": rule(get=ANY_MEMBER),
    "portal:refund_request": rule(get=ANY_ADMIN, post=ANY_ADMIN),
    "portal:dunning_status": rule(get=ANY_MEMBER),
    # ------------------------------------------------------------------ portal: SLA
    "portal:sla_home": rule(get=ANY_MEMBER),
    "portal:sla_incident_report": rule(get=ANY_MEMBER, post=ANY_MEMBER),
    "portal:sla_incident": rule(get=MEMBERS, kwargs={"pk": "incident"}),
    "portal:sla_availability": rule(get=MEMBERS, kwargs={"pk": "contract"}, query="month"),
    "portal:sla_claim": rule(get=ADMINS, post=ADMINS, kwargs={"pk": "contract"}, query="month"),
    "portal:sla_terminate": rule(get=ADMINS, post=ADMINS, kwargs={"pk": "contract"}),
    # ------------------------------------------------------------------ portal: privacy
    "portal:privacy_home": rule(get=ANY_MEMBER),
    "portal:privacy_policy": rule(get=EVERYONE, note="public: the privacy policy (issue 15)"),
    "portal:privacy_export": rule(post=ANY_ADMIN),
    "portal:privacy_export_download": rule(get=ADMINS, kwargs={"pk": "export"}),
    "portal:privacy_delete": rule(get=ANY_ADMIN, post=ANY_ADMIN),
}

#: Routes outside the matrix, each with the reason (docs/robustness.md "Access matrix").
EXCLUDED: dict[str, str] = {
    "api-schema": "the OpenAPI document, public by design (tests/test_api_base.py)",
    "api-docs": "the Swagger page over the schema, public by design",
    "private-media": "uploads: who may download which file is tested per row in "
    "tests/accounts/test_private_media.py",
    "webhook-solapi": "Solapi's delivery-report webhook: no login, the vendor's shared secret decides "
    "(tests/messaging/test_solapi_webhook.py)",
    "api-webhook-portone": "PortOne's payment webhook: no login by design, trusted only by its signature "
    "(tests/billing/test_portone_webhooks.py)",
}
#: URL prefixes outside the matrix: the staff admin (tests/*/test_admin.py, ACC-11 staff groups).
EXCLUDED_PREFIXES: tuple[str, ...] = ("admin/",)


@dataclass(frozen=True)
class Route:
    name: str  # the URL name with its namespace ("portal:home", "api-me")
    pattern: str  # the route as written ("api/v1/members/<int:member_id>/")
    callback: object

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")

    def view_methods(self) -> set[str] | None:
        """The methods a class-based view implements (``None`` for a function view: its rule says)."""
        view_class = getattr(self.callback, "view_class", None)
        if view_class is None:
            return None
        return {m for m in METHODS if hasattr(view_class, m)} - {"options"}


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = entry.name or f"<unnamed {prefix}{entry.pattern}>"
            yield Route(
                f"{namespace}:{name}" if namespace else name, prefix + str(entry.pattern), entry.callback
            )


def collect_routes(urlconf: str | ModuleType | None = None) -> list[Route]:
    """Every route of the URL conf but the excluded ones (admin, schema, media)."""
    routes = [
        r
        for r in _walk(get_resolver(urlconf))
        if not r.pattern.startswith(EXCLUDED_PREFIXES) and r.name not in EXCLUDED
    ]
    return sorted(routes, key=lambda r: r.pattern)


def missing_rules(routes: list[Route]) -> list[str]:
    """The routes without an access rule (each "name (pattern)")."""
    return [f"{r.name} (/{r.pattern})" for r in routes if r.name not in RULES]


# --------------------------------------------------------------------------- shared by both matrices

_W = TypeVar("_W")


@contextlib.contextmanager
def rolled_back_world(build: Callable[[], _W], *, media_root: str, today: Any,
                      django_db_blocker: Any) -> Iterator[_W]:
    """A module's fixture world: built once on the frozen ``today`` with its own media root, inside a
    transaction that is rolled back after the module's tests."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media_root), clock.frozen(today):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def written_tables() -> dict[str, int]:
    """Rows inserted, updated or deleted per table in the current transaction (PostgreSQL's counters):
    compared before and after a refused request, they prove it changed nothing."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables")
        return dict(cursor.fetchall())
