"""``manage.py import_terms CODE VERSION FILE``: read a Korean terms text (UTF-8 or CP949) into a draft
policy version's text and articles (TRM-1). A file with errors is refused with every problem by line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contracts.models import Policy
from contracts.services.terms_documents import TermsTextInvalid, terms_import
from core.errors import DomainError


class Command(BaseCommand):
    help = (
        "약관 본문 파일(UTF-8 또는 CP949)을 초안 약관 버전의 본문과 조항으로 가져옵니다. "
        "오류가 있으면 행 번호와 함께 알리고 아무것도 저장하지 않습니다."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="약관 코드 (예: dcloud)")
        parser.add_argument("version", type=int, help="버전 번호 (초안이어야 합니다)")
        parser.add_argument("file", type=Path, help="약관 본문 텍스트 파일")
        parser.add_argument(
            "--citation-source",
            default=None,
            help="정책 항목의 조항 인용 중 이 문서가 답하는 번호 (000–004, 기본: 프리셋 코드에서)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        policy = Policy.objects.filter(code=options["code"], version=options["version"]).first()
        if policy is None:
            raise CommandError(f"약관 {options['code']} v{options['version']}이(가) 없습니다.")
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        try:
            document = terms_import(
                policy=policy,
                data=data,
                source_name=path.name,
                citation_source=options["citation_source"],
                actor=None,
            )
        except TermsTextInvalid as exc:
            for problem in exc.problems:
                self.stderr.write(f"{path.name}:{problem}")
            raise CommandError(exc.message) from None
        except DomainError as exc:
            raise CommandError(exc.message) from None
        for warning in document.warnings:
            self.stdout.write(f"{path.name}:{warning['line']}행: {warning['message']} (참고)")
        count = document.articles.count()
        self.stdout.write(self.style.SUCCESS(f"{policy}: {count}개 조항, 인코딩 {document.encoding}"))
