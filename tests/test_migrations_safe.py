"""Upgrades while the old version serves (issue 19): our migrations take no long lock on a table in use.

django-migration-linter reads the SQL of every migration of our apps and fails on what blocks or breaks
the running version: NOT NULL columns without a default on existing tables, dropped or renamed columns
and tables, unique constraints added to existing tables. The migrations below were written before this
check, on tables that were then empty (no installation ran them on a live book); each is named with why
it is accepted. Any new migration must pass (docs/operations.md, "Upgrades").
"""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import pytest
from django.conf import settings
from django_migration_linter import MigrationLinter

OUR_APPS = ["core", "accounts", "contracts", "billing", "messaging", "sla", "privacy"]

#: (app, migration) accepted as they are, and why.
ACCEPTED = {
    ("accounts", "0005_personal_data_access_log_kind_via"): "NOT NULL with a default on the access log, "
    "written before the first installation",
    ("billing", "0006_bank_import_background_progress"): "NOT NULL progress columns on bank imports, "
    "before the first installation",
    ("privacy", "0003_retained_records_kept_in_place"): "NOT NULL flag on retained records, before the "
    "first installation",
}

pytestmark = pytest.mark.django_db


def test_our_migrations_are_safe_to_run_while_the_old_version_serves():
    linter = MigrationLinter(
        str(settings.BASE_DIR),
        include_apps=OUR_APPS,
        ignore_name=[name for _, name in ACCEPTED],
        no_cache=True,
        quiet=["ok", "ignore"],
    )
    out = io.StringIO()
    with redirect_stdout(out):
        linter.lint_all_migrations()
    assert not linter.has_errors, out.getvalue()
    assert linter.nb_valid + linter.nb_warnings >= 30, out.getvalue()  # it did read our migrations


def test_the_check_fails_on_an_unsafe_migration():
    """The linter is not a formality: the accepted ones fail without their exemption."""
    linter = MigrationLinter(str(settings.BASE_DIR), include_apps=["billing"], include_name=[
        "0006_bank_import_background_progress"], no_cache=True, quiet=["ok"])
    out = io.StringIO()
    with redirect_stdout(out):
        linter.lint_all_migrations()
    assert linter.has_errors and "NOT NULL constraint" in out.getvalue()
