"""Interface helpers shared by the paid messaging API and portal: a validated send request becomes the
keyword arguments of ``messaging.services.sending`` (one mapping, so both interfaces send alike)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from core.errors import NotFound

from .models import KakaoTemplate
from .services.spam import Advert

if TYPE_CHECKING:
    from accounts.models import Customer


def send_fields(customer: Customer, data: Mapping[str, Any]) -> dict[str, Any]:
    """``kind`` and the ``prepare`` fields of a send from validated input (the customer's template)."""
    template = None
    if data.get("template_id"):
        template = KakaoTemplate.objects.filter(customer=customer, pk=data["template_id"]).first()
        if template is None:
            raise NotFound(
                "template_not_found",
                _("알림톡 템플릿을 찾을 수 없습니다."),
                field="template_id",
                rule="MSG-2a",
            )
    advert = data.get("advert")
    text = data.get("text")
    return {
        "kind": data.get("kind") or "text",
        "text": None if (template is not None and not text) else (text or ""),
        "sender": data.get("sender") or "",
        "subject": data.get("subject") or "",
        "template": template,
        "variables": dict(data.get("variables") or {}),
        "image_url": data.get("image_url") or "",
        "buttons": [dict(b) for b in data.get("buttons") or []],
        "advert": Advert(advert["sender_name"], advert["opt_out_number"]) if advert else None,
        "fallback_sender": data.get("fallback_sender") or "",
    }
