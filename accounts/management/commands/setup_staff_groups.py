"""Create or refresh the operator staff groups and their permissions (ACC-11)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from accounts.services import ensure_staff_groups


class Command(BaseCommand):
    help = "Create or refresh the staff groups (support, billing, sla, messaging, compliance)."

    def handle(self, *args: Any, **options: Any) -> None:
        for name, count in ensure_staff_groups().items():
            self.stdout.write(f"{name}: {count} permissions")
