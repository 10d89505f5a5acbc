from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_staff_groups(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Setup, not business logic: attach permissions of models that later migrations created."""
    from .staff import ensure_staff_groups

    if getattr(sender, "label", "") in {"accounts", "messaging", "contracts", "billing", "sla", "privacy"}:
        ensure_staff_groups()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("고객과 구성원")

    def ready(self) -> None:
        post_migrate.connect(_sync_staff_groups, dispatch_uid="accounts.sync_staff_groups")
        from core.personal_data import access_log

        from .access_log import personal_data_access_record

        access_log.install(personal_data_access_record)
