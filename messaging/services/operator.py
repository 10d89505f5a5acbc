"""The operator's own sending identities (settings), used for its notices to customers (MSG-1, MSG-5)."""

from __future__ import annotations

import os

from django.conf import settings


def operator_sender() -> str:
    """The operator's fixed number merchant-facing notices come from (003 별표2-가: 1588-4954 발신 고정)."""
    return str(
        getattr(settings, "MESSAGING_OPERATOR_SENDER", "")
        or os.environ.get("MESSAGING_OPERATOR_SENDER", "15884954")
    )


def operator_kakao_profile() -> str:
    """The operator's KakaoTalk sender profile its AlimTalk notices come from."""
    return str(
        getattr(settings, "MESSAGING_OPERATOR_KAKAO_PROFILE", "")
        or os.environ.get("MESSAGING_OPERATOR_KAKAO_PROFILE", "@termsops")
    )
