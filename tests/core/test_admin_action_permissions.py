"""Issue #14: admin actions are allowed by what they change, not by what the list shows.

Django offers an action without ``permissions=`` to everyone who may open the list, so a support agent
with view permission on incidents could confirm or resolve them. Every staff group is tried on every
admin of the site: where the group may only view a model, the only actions offered are read-only ones.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory

from accounts.services import STAFF_GROUPS, ensure_staff_groups

# Actions that only read: each answers with what the list already shows (and is access-logged where it
# holds personal data); everything else must name a permission beyond "view".
OUR_APPS = {"accounts", "billing", "contracts", "core", "messaging", "privacy", "sla"}
READ_ONLY_ACTIONS = {
    "export_csv": "a CSV of the selected rows (invoices, payments, service credits)",
    "preview_selected": "renders the selected notice templates with sample values",
}


def _staff(group_name: str):
    user = get_user_model().objects.create_user(username=f"staff-{group_name}", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return get_user_model().objects.get(pk=user.pk)  # fresh permission cache


def _only_views(user, model) -> bool:
    content_type = ContentType.objects.get_for_model(model)
    codenames = Permission.objects.filter(content_type=content_type).values_list("codename", flat=True)
    label = model._meta.app_label
    may_view = user.has_perm(f"{label}.view_{model._meta.model_name}")
    others = [c for c in codenames if not c.startswith("view_")]
    return may_view and not any(user.has_perm(f"{label}.{c}") for c in others)


@pytest.mark.django_db
def test_view_only_staff_are_offered_no_action_that_changes_anything():
    """Issue #14: for every staff group × every admin where the group may only view, get_actions offers
    read-only actions only."""
    ensure_staff_groups()
    factory = RequestFactory()
    checked = 0
    offenders = []
    for group_name in STAFF_GROUPS:
        user = _staff(group_name)
        for model, model_admin in admin.site._registry.items():
            if not _only_views(user, model):
                continue
            request = factory.get("/admin/")
            request.user = user
            offered = set(model_admin.get_actions(request)) - set(READ_ONLY_ACTIONS)
            checked += 1
            if offered:
                offenders.append(f"{group_name} on {model._meta.label}: {sorted(offered)}")
    assert checked > 50  # the groups view many models they may not change
    assert offenders == []


@pytest.mark.django_db
def test_the_group_that_may_change_incidents_is_offered_their_actions():
    """Issue #14, SLA-1: the same check is not vacuous: the sla group gets the incident actions that a
    support agent (view only) does not."""
    from sla.models import Incident

    ensure_staff_groups()
    model_admin = admin.site._registry[Incident]
    request = RequestFactory().get("/admin/")
    request.user = _staff("sla")
    assert {"confirm", "reject", "resolve", "correct"} <= set(model_admin.get_actions(request))
    request.user = _staff("support")
    assert not {"confirm", "reject", "resolve", "correct"} & set(model_admin.get_actions(request))


@pytest.mark.django_db
def test_every_action_of_ours_names_its_permission():
    """Issue #14: no action of the product's own admins relies on Django's default (whoever may view)."""
    missing = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in {
            "accounts",
            "billing",
            "contracts",
            "core",
            "messaging",
            "privacy",
            "sla",
        }:
            continue
        for func, name, _description in model_admin._get_base_actions():
            if name != "delete_selected" and not getattr(func, "allowed_permissions", ()):
                missing.append(f"{model._meta.label}.{name}")
    assert missing == []


@pytest.mark.django_db
def test_every_action_is_offered_to_someone(admin_user):
    """Issue #14: a permission that nobody can hold (``change`` on a read-only admin) would hide an action
    from everyone; a superuser is offered every action of every admin."""
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    hidden = []
    for model, model_admin in admin.site._registry.items():
        offered = set(model_admin.get_actions(request))
        for _func, name, _description in model_admin._get_base_actions():
            if name != "delete_selected" and name not in offered:
                hidden.append(f"{model._meta.label}.{name}")
    assert hidden == []
