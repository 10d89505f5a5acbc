"""Password hooks. Django calls a password validator's ``password_changed(password, user)`` after every
saved password change (``AbstractBaseUser.save``, the admin and portal forms, ``create_user``), but not
when a login only upgrades the stored hash to a newer hasher."""

from __future__ import annotations

from typing import Any


class RevokeApiTokensOnPasswordChange:
    """Listed in ``AUTH_PASSWORD_VALIDATORS``: validates nothing; a changed password deletes every API
    token of the user, so a token taken before the change stops working at once (token rotation)."""

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or getattr(user, "pk", None) is None:
            return
        from rest_framework.authtoken.models import Token

        Token.objects.filter(user_id=user.pk).delete()

    def get_help_text(self) -> str:
        return ""
