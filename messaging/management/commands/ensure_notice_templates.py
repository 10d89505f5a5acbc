"""Create the built-in notice templates that are missing (MSG-1); never overwrites staff edits."""

from typing import Any

from django.core.management.base import BaseCommand

from messaging.defaults import ensure_default_templates


class Command(BaseCommand):
    help = "기본 알림 템플릿 중 없는 것을 만듭니다 (MSG-1). 직원이 고친 템플릿은 건드리지 않습니다."

    def handle(self, *args: Any, **options: Any) -> None:
        created = ensure_default_templates()
        self.stdout.write(self.style.SUCCESS(f"created {created} notice template(s)"))
