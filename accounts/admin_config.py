"""Replaces ``django.contrib.admin`` in ``INSTALLED_APPS``: the default site is ``StaffAdminSite``
(two-factor login for staff, ``accounts.admin_site``). Kept apart because an app config module may not
import models."""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.StaffAdminSite"
