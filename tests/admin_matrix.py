"""The admin permission matrix (issue #14): every custom admin view × every kind of staff caller.

Django checks its own admin pages (list, add, change, delete, history) against the model's permissions;
a view a ``ModelAdmin`` adds in ``get_urls`` (a button's form, a PDF, a dashboard, django-simple-history's
past-version page, django-otp's device pages, the password form) checks only what its code checks. The
views are not listed by hand: :func:`collect_admin_views` walks ``admin.site._registry`` and finds every
named URL of every registered admin that is not one of Django's standard ones. Each must have a rule in
:data:`RULES`; a view without one fails ``tests/test_admin_matrix.py`` with "new admin view without a
permission rule", naming it.

A rule names, per method, the permission the view must require — the permission of what the method
*changes* (a form page's GET already needs it: the form is only shown to who may submit it), or for a
read-only page the permission to view what it shows:

* ``"app_label.codename"`` — whoever holds it (a superuser holds every permission); as in Django's
  ``has_view_permission``, the model's ``change_`` permission includes its ``view_``;
* :data:`NOBODY` (``None``) — refused to everyone, a superuser too (a revert of a history that is
  never reverted).

``read_only`` marks a page that changes nothing for anyone (a PDF, a dashboard, a calendar, a past
version): even the allowed callers write nothing but the personal-data access log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import admin
from django.urls import URLPattern

from accounts.staff import STAFF_GROUPS

NOBODY = None
STAFF_ROLES: tuple[str, ...] = tuple(f"staff:{name}" for name in STAFF_GROUPS)
#: the callers: no login, a customer's member (not staff), staff without a group, each staff group
#: (ACC-11; a new group joins by itself), a superuser
ROLES: tuple[str, ...] = ("anonymous", "customer", "staff:none", *STAFF_ROLES, "superuser")
OUTSIDE_ADMIN = frozenset({"anonymous", "customer"})  # sent to the admin login page, whatever the view
METHODS = ("get", "post")
#: Django's own pages of a ModelAdmin (checked by Django against the model permissions)
STANDARD_SUFFIXES = ("_changelist", "_add", "_change", "_delete", "_history", "_autocomplete")


@dataclass(frozen=True)
class Rule:
    """The permission each method requires, and how to fill the URL.

    ``kwargs`` maps each URL kwarg to an object of the fixture world (``tests/test_admin_matrix.py``)
    or, with a ``=`` prefix, to a literal; ``args`` does the same for a regex URL's positional groups.
    ``data`` is a POST body that would change something; without it the POST body is empty.
    """

    get: str | None
    post: str | None
    kwargs: dict[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ()
    read_only: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    allowed_status: frozenset[int] = frozenset()  # an answer of an allowed caller besides 2xx/3xx
    note: str = ""

    def perm(self, method: str) -> str | None:
        return self.get if method == "get" else self.post


def read(perm: str, **extra: Any) -> Rule:
    """A page that only shows: the same view permission for GET and an (empty) POST, no writes."""
    return Rule(get=perm, post=perm, read_only=True, **extra)


def form(perm: str, **extra: Any) -> Rule:
    """A form page that changes something: its permission for the form (GET) and for the POST."""
    return Rule(get=perm, post=perm, **extra)


def history(label: str, *, revert: bool = False) -> Rule:
    """django-simple-history's past-version page of ``app_label.model``: shown to who may view the model;
    a POST (the revert) only where reverting is enabled, for who may change it, else refused to all."""
    app_label, model = label.split(".")
    return Rule(
        get=f"{app_label}.view_{model}",
        post=f"{app_label}.change_{model}" if revert else NOBODY,
        args=(f"history:{label}", f"history_id:{label}"),
        read_only=not revert,
    )


INVOICE = {"pk": "invoice"}
DISPUTE = {"pk": "dispute"}
DRAFT = {"policy_id": "policy_draft"}
COMPARE = {"old_id": "policy_v1", "new_id": "policy_v2"}
#: The rule table, keyed by URL name (without the ``admin:`` namespace).
RULES: dict[str, Rule] = {
    # ------------------------------------------------------------------ billing
    "billing_invoice_credit_note": form("billing.add_creditnote", kwargs=INVOICE),
    "billing_invoice_pdf": read("billing.view_invoice", kwargs=INVOICE),
    "billing_invoice_evasion": form(
        "billing.add_invoice", kwargs=INVOICE, note="BIL-20: a new invoice (the evasion charge)"
    ),
    "billing_dispute_answer": form("billing.change_dispute", kwargs=DISPUTE),
    "billing_dispute_extend": form("billing.change_dispute", kwargs=DISPUTE),
    "billing_after_due_dashboard": read("billing.view_invoice"),
    "billing_operations_dashboard": read(
        "billing.view_invoice", note="issue 17: its SLA and messaging parts by their own view permission"
    ),
    # ------------------------------------------------------------------ contracts
    "contracts_contract_queue": read(
        "contracts.view_contract", note="a changelist: its actions are checked by their own permissions"
    ),
    "contracts_contract_action": form(
        "contracts.change_contract", kwargs={"object_id": "contract", "action": "=change_seats"}
    ),
    "contracts_contract_document": read(
        "contracts.view_contract", kwargs={"object_id": "contract", "document_id": "contract_document"}
    ),
    "contracts_policy_terms": read("contracts.view_policy", kwargs=DRAFT),
    "contracts_policy_terms_import": form(
        "contracts.change_policy", kwargs=DRAFT, note="TRM-1: the terms text"
    ),
    "contracts_policy_terms_compare": read("contracts.view_policy", kwargs=COMPARE),
    "contracts_policy_whatif": Rule(
        get="contracts.change_policy",
        post="contracts.change_policy",
        kwargs=DRAFT,
        read_only=True,
        note="issue 17: replays the book's daily jobs in a transaction rolled back; for who drafts versions",
    ),
    "contracts_policy_terms_compare_pdf": read("contracts.view_policy", kwargs=COMPARE),
    # ------------------------------------------------------------------ messaging, privacy
    "messaging_message_usage": read("messaging.view_message"),
    "privacy_retention_calendar": read("privacy.view_destructionrecord", note="a dry run: writes nothing"),
    # ------------------------------------------------------------------ third-party views
    "otp_totp_totpdevice_config": read("otp_totp.view_totpdevice", kwargs={"pk": "totp_device"}),
    "otp_totp_totpdevice_qrcode": read(
        "otp_totp.view_totpdevice",
        kwargs={"pk": "totp_device"},
        allowed_status=frozenset({503}),
        note="django-otp answers 503 after its permission check when the qrcode package is absent",
    ),
    "auth_user_password_change": form("auth.change_user", kwargs={"id": "customer_user"}),
    # ------------------------------------------------------------------ past versions (django-simple-history)
    "accounts_customer_simple_history": history("accounts.customer"),
    "accounts_member_simple_history": history("accounts.member"),
    "accounts_customerchangerequest_simple_history": history("accounts.customerchangerequest"),
    "accounts_successionrequest_simple_history": history("accounts.successionrequest"),
    "billing_banktransaction_simple_history": history("billing.banktransaction"),
    "billing_creditnote_simple_history": history("billing.creditnote"),
    "billing_invoice_simple_history": history("billing.invoice"),
    "billing_latecharge_simple_history": history("billing.latecharge"),
    "billing_payeralias_simple_history": history("billing.payeralias"),
    "billing_payment_simple_history": history("billing.payment"),
    "billing_paymentmethod_simple_history": history("billing.paymentmethod"),
    "billing_promotion_simple_history": history("billing.promotion"),
    "billing_taxinvoice_simple_history": history("billing.taxinvoice"),
    "contracts_contract_simple_history": history("contracts.contract"),
    "contracts_plan_simple_history": history("contracts.plan", revert=True),
    "contracts_policy_simple_history": history("contracts.policy", revert=True),
    "contracts_termsrelease_simple_history": history("contracts.termsrelease"),
    "core_holiday_simple_history": history("core.holiday", revert=True),
    "messaging_broadcast_simple_history": history("messaging.broadcast", revert=True),
    "messaging_noticetemplate_simple_history": history("messaging.noticetemplate", revert=True),
    "sla_incident_simple_history": history("sla.incident"),
    "sla_maintenancewindow_simple_history": history("sla.maintenancewindow"),
    "sla_slaclaim_simple_history": history("sla.slaclaim"),
    "sla_slamonth_simple_history": history("sla.slamonth"),
}


@dataclass(frozen=True)
class AdminView:
    name: str  # the URL name, without the "admin:" namespace
    model: type
    pattern: URLPattern


def is_standard(name: str, model: type) -> bool:
    base = f"{model._meta.app_label}_{model._meta.model_name}"
    return any(name == base + suffix for suffix in STANDARD_SUFFIXES)


def collect_admin_views(site: admin.AdminSite | None = None) -> list[AdminView]:
    """Every named URL of every registered ModelAdmin but Django's standard ones. (The one unnamed URL of
    each admin is Django's ``<path:object_id>/`` redirect to the change page.)"""
    site = site or admin.site
    views = []
    for model, model_admin in site._registry.items():
        for entry in model_admin.get_urls():
            if not isinstance(entry, URLPattern) or entry.name is None:
                continue
            if not is_standard(entry.name, model):
                views.append(AdminView(entry.name, model, entry))
    return sorted(views, key=lambda v: v.name)


def unnamed_patterns(site: admin.AdminSite | None = None) -> list[str]:
    site = site or admin.site
    return [
        str(entry.pattern)
        for model_admin in site._registry.values()
        for entry in model_admin.get_urls()
        if not isinstance(entry, URLPattern) or entry.name is None
    ]


def missing_rules(views: list[AdminView]) -> list[str]:
    return [f"{v.name} ({v.model._meta.label})" for v in views if v.name not in RULES]
