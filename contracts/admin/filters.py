"""The admin's list filter on a policy code, for lists of any size (issue 16): choices from the policy
table (``selectors.policy_choices``), not a ``SELECT DISTINCT`` of the listed table."""

from __future__ import annotations

from django.contrib import admin
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.admin_filters import choices_filter

from .. import selectors

TITLE = _("약관 (프리셋)")


def policy_filter(path: str, title: str | Promise = TITLE) -> type[admin.SimpleListFilter]:
    """Filter on ``path`` (``policy__code``, ``invoice__policy__code``, ``schedule``…), a policy code."""
    return choices_filter(path, title, selectors.policy_choices)
