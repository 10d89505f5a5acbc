"""Operator staff groups and their model permissions (ACC-11).

Staff are Django users (``is_staff``) in one or more of these groups; superusers
(``is_superuser``) have every permission. :func:`ensure_staff_groups` is idempotent:
the data migration ``0002_staff_groups`` calls it, ``post_migrate`` calls it again so
that permissions of models added later by other apps are attached, and the
``setup_staff_groups`` command runs it on demand.

Permissions are granted per app label and action; no group gets ``delete_*``:
records leave through services (removal, closing, purge), never by deletion. Models in
:data:`RESTRICTED_MODELS` get nothing from the per-app grants, only what a group's ``extra`` names: the
staff access log (DAT-6) is read by compliance alone.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps

VIEW = ("view",)
EDIT = ("view", "add", "change")

#: "app_label.model" whose permissions only a group's ``extra`` grants (never the per-app actions).
RESTRICTED_MODELS = frozenset({"accounts.personaldataaccess"})

#: group name → {app label: actions}; plus ``extra`` codenames "app_label.codename".
STAFF_GROUPS: dict[str, dict[str, Any]] = {
    # 고객지원: customers, members, contracts; reads the rest (privacy requests too, to answer customers).
    "support": {
        "apps": {"accounts": EDIT, "contracts": ("view", "change"), "billing": VIEW, "sla": VIEW,
                 "messaging": VIEW, "core": VIEW, "privacy": VIEW},
        "extra": (),
    },
    # 청구/수납: invoices, payments, dunning, refunds; business calendar.
    "billing": {
        "apps": {"billing": EDIT, "accounts": VIEW, "contracts": VIEW, "core": VIEW},
        "extra": ("core.add_holiday", "core.change_holiday"),
    },
    # SLA: incidents, maintenance windows, credits, claims.
    "sla": {
        "apps": {"sla": EDIT, "accounts": VIEW, "contracts": VIEW, "messaging": VIEW, "core": VIEW},
        "extra": (),
    },
    # 메시징: sender numbers, messages, notices.
    "messaging": {
        "apps": {"messaging": EDIT, "accounts": VIEW, "contracts": VIEW, "core": VIEW},
        "extra": (),
    },
    # 컴플라이언스: reads everything (audit), manages dormancy/purge of customer data: the retention
    # calendar, destruction records, export and deletion requests (DAT rules, issue 15).
    "compliance": {
        "apps": {"accounts": EDIT, "contracts": VIEW, "billing": VIEW, "sla": VIEW, "messaging": VIEW,
                 "core": VIEW, "auth": VIEW, "privacy": EDIT},
        "extra": ("accounts.view_personaldataaccess",),
    },
}


def ensure_staff_groups(*, apps: Any = None) -> dict[str, int]:
    """Create the staff groups and (re)attach their permissions. Returns name → permission count.

    ``apps`` is the migration state registry when called from a migration.
    """
    registry = apps or global_apps
    group_model = registry.get_model("auth", "Group")
    permission_model = registry.get_model("auth", "Permission")
    all_perms = list(permission_model.objects.select_related("content_type").all())
    result: dict[str, int] = {}
    for name, spec in STAFF_GROUPS.items():
        group, _created = group_model.objects.get_or_create(name=name)
        wanted = []
        for perm in all_perms:
            label = perm.content_type.app_label
            action = perm.codename.split("_", 1)[0]
            restricted = f"{label}.{perm.content_type.model}" in RESTRICTED_MODELS
            if f"{label}.{perm.codename}" in spec["extra"] or (
                not restricted and action in spec["apps"].get(label, ())
            ):
                wanted.append(perm)
        group.permissions.set(wanted)
        result[name] = len(wanted)
    return result
