"""Regenerate ``contracts/policy_fields.py`` (the typed attributes of the effective policy) from Policy."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contracts import policy_fields_gen


class Command(BaseCommand):
    help = "Policy 모델에서 contracts/policy_fields.py(유효 약관의 타입 선언)를 다시 만듭니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="only report whether the file is up to date")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            target = policy_fields_gen.TARGET
            current = target.read_text(encoding="utf-8") if target.exists() else ""
            if current != policy_fields_gen.render():
                raise CommandError(
                    "contracts/policy_fields.py is out of date: run manage.py generate_policy_fields"
                )
            self.stdout.write("contracts/policy_fields.py is up to date")
            return
        changed = policy_fields_gen.write()
        self.stdout.write(f"contracts/policy_fields.py {'written' if changed else 'unchanged'}")
