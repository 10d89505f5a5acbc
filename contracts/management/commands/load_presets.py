"""Load the five built-in policy presets and their plans (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contracts.presets import PRESET_CODES, load_presets


class Command(BaseCommand):
    help = (
        "내장 약관 프리셋(officecore, flow, dcloud, kgmsg, damoa)과 요금제를 불러옵니다. "
        "여러 번 실행해도 안전합니다."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("codes", nargs="*", help=f"불러올 프리셋 (기본: 전부): {', '.join(PRESET_CODES)}")

    def handle(self, *args: Any, **options: Any) -> None:
        codes = list(options["codes"])
        unknown = [c for c in codes if c not in PRESET_CODES]
        if unknown:
            raise CommandError(f"unknown preset(s): {', '.join(unknown)}; known: {', '.join(PRESET_CODES)}")
        policies = load_presets(codes=codes or None)
        for policy in policies:
            plans = ", ".join(policy.plans.order_by("code").values_list("code", flat=True))
            self.stdout.write(f"{policy} — {plans}")
        self.stdout.write(self.style.SUCCESS(f"{len(policies)} presets ready"))
