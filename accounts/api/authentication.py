"""API token authentication with an age limit (``API_TOKEN_MAX_AGE_DAYS``).

Tokens are DRF ``authtoken`` rows. A token older than the limit is deleted and the request gets 401
``token_expired`` in the API's error format; the member takes a new one at ``auth/token/``. A password
change deletes the user's tokens (``accounts.passwords``). Security ages use the wall clock, not the
business clock (``core.clock`` may be set to another date for replays).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_max_age() -> dt.timedelta:
    return dt.timedelta(days=int(settings.API_TOKEN_MAX_AGE_DAYS))


def token_expired(token: Token, *, now: dt.datetime | None = None) -> bool:
    return (now or timezone.now()) - token.created >= token_max_age()


def token_for(user: Any) -> Token:
    """The user's live token; an expired one is replaced by a new key (rotation on expiry)."""
    token, created = Token.objects.get_or_create(user=user)
    if not created and token_expired(token):
        token.delete()
        token = Token.objects.create(user=user)
    return token


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed(
                _("API 토큰의 유효 기간이 지났습니다. 다시 로그인해 새 토큰을 받으세요."),
                code="token_expired",
            )
        return user, token
