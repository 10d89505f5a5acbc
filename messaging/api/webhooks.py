"""Delivery reports pushed by messaging vendors (issue 18, MSG-6).

``POST /api/v1/webhooks/solapi/``: Solapi's SINGLE-REPORT webhook. No login: the request must carry the
shared secret (``X-Solapi-Secret``, ``SOLAPI_WEBHOOK_SECRET``), compared in constant time; anything else
is refused with 401 and changes nothing. Each report event is recorded once (a retry or replay of the
same event is answered 200 and ignored: ``ReceivedReport``'s unique constraint) and goes through the
same result handling as a poll (``results_receive`` → ``results_record``). Every delivery is logged as a
``core.ProviderCall`` without the secret.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from core import clock, providers

from ..providers import solapi
from ..services.results import results_receive

#: The events this endpoint records; Solapi's group reports repeat what the single reports say.
SOLAPI_EVENTS = ("", "SINGLE-REPORT")
MAX_BODY = 2_000_000


@method_decorator(csrf_exempt, name="dispatch")
class SolapiWebhookView(View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> JsonResponse:
        now = clock.now()
        event = request.headers.get("X-Solapi-Event-Name", "").strip().upper()
        with providers.provider_call(
            kind="messaging", provider=solapi.NAME, operation="webhook", reference=event[:40]
        ) as call:
            status, answer = self._handle(request, event, now, call)
            call.http_status = status
        return JsonResponse(answer, status=status)

    def _handle(
        self, request: HttpRequest, event: str, now: Any, call: providers.CallRecord
    ) -> tuple[int, dict[str, Any]]:
        if not solapi.webhook_secret_ok(request.headers.get("X-Solapi-Secret")):
            call.rejected("X-Solapi-Secret missing or wrong")
            return 401, {"detail": _("웹훅 비밀값이 없거나 맞지 않습니다.")}
        if event not in SOLAPI_EVENTS:
            call.detail = f"{event} ignored"
            return 200, {"received": 0, "recorded": 0, "replayed": 0}
        if len(request.body) > MAX_BODY:
            call.rejected("body too large")
            return 413, {"detail": _("전송 결과 통보가 너무 큽니다.")}
        try:
            events = solapi.webhook_events(json.loads(request.body or b"null"), now)
        except (ValueError, UnicodeDecodeError) as exc:
            call.rejected(f"unreadable body: {type(exc).__name__}")
            return 400, {"detail": _("전송 결과 통보를 읽을 수 없습니다 (JSON 배열이어야 합니다).")}
        counts = results_receive(provider=solapi.NAME, events=events, now=now)
        if events and not counts.fresh:
            call.duplicate(f"{counts.replayed} events received before")
        else:
            call.detail = (
                f"{counts.fresh} new, {counts.replayed} replayed: {counts.results.delivered} delivered, "
                f"{counts.results.failed} failed, {counts.results.pending} kept"
            )
        return 200, {"received": len(events), "recorded": counts.fresh, "replayed": counts.replayed}
