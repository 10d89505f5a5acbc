"""Give a staff member a confirmed TOTP device for the admin's two-factor login (STAFF_OTP_REQUIRED).

    manage.py staff_otp_device alice            # prints the otpauth:// URL for the authenticator app
    manage.py staff_otp_device alice --replace  # a lost phone: the old devices stop working
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "스태프의 관리자 2단계 로그인용 TOTP 기기를 만들고 인증 앱에 등록할 URL을 출력합니다."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--replace", action="store_true", help="기존 TOTP 기기를 삭제하고 새로 만듭니다")

    def handle(self, *args: Any, username: str, replace: bool, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username, is_staff=True).first()
        if user is None:
            raise CommandError(f"스태프 계정 {username}이(가) 없습니다 (no staff user {username}).")
        devices = TOTPDevice.objects.filter(user=user)
        if devices.exists() and not replace:
            raise CommandError(f"{username}에게 이미 TOTP 기기가 있습니다. 바꾸려면 --replace를 쓰세요.")
        devices.delete()
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
        self.stdout.write(device.config_url)
