"""``manage.py check_providers [--ping]`` (issue 18): is each outside provider configured?

Prints, per port (card payments, e-tax invoices, messaging), the vendor chosen by its setting, each
variable as set or missing (never a value), and the vendor's own check; ``--ping`` also asks the vendor's
test server where the network allows. Exits 1 when a port has a problem, so deploys can gate on it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import providers


class Command(BaseCommand):
    help = (
        "외부 연동(결제·전자세금계산서·문자) 설정을 점검합니다. Checks the outside providers' configuration."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ping", action="store_true", help="also call each vendor's test server")

    def handle(self, *args: Any, **options: Any) -> None:
        states = providers.check(ping=options["ping"])
        failed = 0
        for state in states:
            mark = "OK " if state.ok else "ERR"
            self.stdout.write(f"[{mark}] {state.kind}: {state.chooser}={state.chosen} ({state.vendor_label})")
            for var in state.variables:
                shown = "set" if var.present else ("MISSING" if var.required else "not set (optional)")
                secret = " [secret]" if var.secret else ""
                self.stdout.write(f"      {var.name}{secret}: {shown}")
            for problem in state.problems:
                self.stdout.write(f"      problem: {problem}")
            failed += 0 if state.ok else 1
        if failed:
            raise CommandError(f"{failed} provider port(s) need attention")
        self.stdout.write(self.style.SUCCESS("all providers configured"))
