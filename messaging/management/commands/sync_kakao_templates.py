"""Fetch the AlimTalk templates' review state from the messaging vendor (MSG-2a, issue 18)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import clock
from core.errors import DomainError
from messaging.services.vendor import templates_sync_from_provider


class Command(BaseCommand):
    help = (
        "발송 연동 업체(솔라피)에서 알림톡 템플릿의 카카오 검수 상태를 가져와 반영합니다 (MSG-2a). "
        "--channel 을 주지 않으면 SOLAPI_PFID 채널을 봅니다."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--channel", action="append", default=[], help="카카오 채널 pfId (여러 번 가능)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = templates_sync_from_provider(now=clock.now(), channels=options["channel"])
        except DomainError as error:
            raise CommandError(error.render("ko", with_rule=True)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"changed {counts.changed}, unchanged {counts.unchanged}, "
                f"left for staff {counts.left}, unknown at ours {counts.unknown}"
            )
        )
