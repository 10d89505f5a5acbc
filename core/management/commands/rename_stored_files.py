"""Give stored uploads from before random file names a random name (issue #14; ``core.storage``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.storage import stored_files_rename


class Command(BaseCommand):
    help = "Rename stored files whose names may tell whom they belong to (idempotent, resumable)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only count the files to rename")

    def handle(self, *args: Any, **options: Any) -> None:
        renamed = stored_files_rename(dry_run=options["dry_run"])
        verb = "would rename" if options["dry_run"] else "renamed"
        for label, count in sorted(renamed.items()):
            self.stdout.write(f"{label}: {verb} {count}")
        self.stdout.write(f"total: {verb} {sum(renamed.values())}")
