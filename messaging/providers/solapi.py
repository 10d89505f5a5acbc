"""SMS, LMS and AlimTalk through Solapi (issue 18, MSG-8), on the vendor's ``solapi`` SDK (v5).

Chosen with ``MESSAGING_PROVIDER=solapi``; configured by ``SOLAPI_API_KEY``, ``SOLAPI_API_SECRET``
(secret), ``SOLAPI_SENDER`` (the default calling number), ``SOLAPI_PFID`` (the Kakao channel's pfId)
and ``SOLAPI_WEBHOOK_SECRET`` (secret; the delivery-report webhook's shared secret). Optional:
``SOLAPI_TIMEOUT`` (seconds, default 10), ``SOLAPI_RATE_PER_SECOND`` (default 100),
``SOLAPI_BASE_URL`` (default ``https://api.solapi.com``).

What the SDK gives and what is ours. Requests are signed by the SDK's ``Authenticator`` (HMAC-SHA256)
and built and read with its pydantic models (``Message``, ``KakaoOption``, ``SendMessageRequest``,
the send answer's ``MessageItem`` / ``FailedMessage``, the webhook's ``SingleReportData``). The HTTP exchange
itself is made here with ``httpx`` (the SDK's own transport) rather than the SDK's ``default_fetcher``,
because that one has no timeout setting and hides the HTTP status behind a bare ``Exception``: the port
must tell "unreachable, retry later" (timeouts, 5xx, 429, bad credentials) from "this message was
refused" (decision 48 in docs/architecture.md). Every request is wrapped in
:func:`core.providers.provider_call`; no secret is logged.

Message types follow our rules, never Solapi's guess (``autoTypeDetect`` off): ``sms``/``lms`` as
``sending`` chose them by CP949 length (MSG-2), ``alimtalk`` as ``ATA`` with the template's code as
Solapi's ``templateId`` and its sender profile as ``pfId``. Solapi's own SMS substitution is switched
off (``disableSms``): a failed AlimTalk falls back through MSG-3, as its own SMS/LMS message, recorded
and billed once.

Idempotency: Solapi assigns message ids itself and cannot drop a resend, so each message carries our id
in ``customFields.ref``; a message handed over a second time (``attempt > 1``) is first looked up among
the recipient's recent Solapi messages and, if Solapi already has it, not sent again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from django.core.cache import cache
from pydantic import ValidationError
from solapi.lib.authenticator import Authenticator
from solapi.lib.string_date_transfer import format_with_transfer
from solapi.model.kakao.kakao_option import KakaoOption
from solapi.model.message_type import MessageType
from solapi.model.request.message import Message as SolapiMessage
from solapi.model.request.send_message_request import SendMessageRequest
from solapi.model.response.send_message_response import FailedMessage, MessageItem
from solapi.model.webhook.single_report import SingleReportData

from core import providers

from .base import DeliveryReport, OutboundMessage, ProviderTemplate, ProviderUnavailable, SendReceipt

log = logging.getLogger(__name__)

NAME = "solapi"
BASE_URL = "https://api.solapi.com"
#: Our message kinds and Solapi's types (MSG-2). FriendTalk is not sent through this adapter.
TYPES = {"sms": MessageType.SMS, "lms": MessageType.LMS, "alimtalk": MessageType.ATA}
#: Solapi status codes: 2000 taken, 3000 handed to the carrier (both still pending), 4000 delivered;
#: any other code is final and a failure (1xxx refused on registration, 2xxx/3xxx failed on the way).
PENDING_CODES = frozenset({"2000", "3000"})
DELIVERED_CODE = "4000"
#: Solapi's template review states and ours (MSG-2a).
TEMPLATE_STATES = {
    "PENDING": "requested",
    "INSPECTING": "in_review",
    "APPROVED": "approved",
    "REJECTED": "rejected",
}
CURSOR_KEY = "messaging:solapi:results-since"
#: How far back a poll reaches again, so a result updated while the previous poll ran is not missed.
POLL_OVERLAP = dt.timedelta(minutes=10)
POLL_FIRST = dt.timedelta(hours=48)  # the result deadline (MSG-6): nothing older can still matter
POLL_PAGES = 20
LOOKUP_SINCE = dt.timedelta(days=3)


class SolapiRefused(Exception):
    """Solapi answered 4xx: the request (not the connection) was refused."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"Solapi HTTP {status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Config:
    api_key: str
    api_secret: str
    sender: str
    pfid: str
    webhook_secret: str
    base_url: str
    timeout: float
    rate_per_second: int


def config() -> Config:
    return Config(
        api_key=str(providers.setting("SOLAPI_API_KEY", "") or ""),
        api_secret=str(providers.setting("SOLAPI_API_SECRET", "") or ""),
        sender=_digits(str(providers.setting("SOLAPI_SENDER", "") or "")),
        pfid=str(providers.setting("SOLAPI_PFID", "") or ""),
        webhook_secret=str(providers.setting("SOLAPI_WEBHOOK_SECRET", "") or ""),
        base_url=str(providers.setting("SOLAPI_BASE_URL", BASE_URL) or BASE_URL).rstrip("/"),
        timeout=float(providers.setting("SOLAPI_TIMEOUT", 10) or 10),
        rate_per_second=int(providers.setting("SOLAPI_RATE_PER_SECOND", 100) or 100),
    )


def _digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())


class SolapiProvider:
    name = NAME

    def __init__(self, conf: Config | None = None) -> None:
        self.conf = conf or config()
        self.rate_per_second = self.conf.rate_per_second
        if not self.conf.api_key or not self.conf.api_secret:
            raise ValueError("SOLAPI_API_KEY and SOLAPI_API_SECRET must be set")

    # ── HTTP ──────────────────────────────────────────────────────────────────────────────────────

    def _request(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        reference: str = "",
        json: Any = None,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        """One signed request; returns the JSON body. Raises ``ProviderUnavailable`` (retry later) or
        ``SolapiRefused`` (4xx). Logged as one ``ProviderCall``; the refusal is logged as ``refused``."""
        refused: SolapiRefused | None = None
        body: Any = None
        with providers.provider_call(
            kind="messaging", provider=self.name, operation=operation, reference=reference
        ) as call:
            headers = {
                "Authorization": Authenticator(self.conf.api_key, self.conf.api_secret).get_auth_info(),
                "Content-Type": "application/json",
            }
            try:
                with httpx.Client(base_url=self.conf.base_url, timeout=self.conf.timeout) as client:
                    response = client.request(method, path, json=json, params=params, headers=headers)
            except httpx.TimeoutException as exc:
                raise ProviderUnavailable(
                    f"Solapi {operation}: no answer within {self.conf.timeout:g}s"
                ) from exc
            except httpx.HTTPError as exc:
                raise ProviderUnavailable(f"Solapi {operation}: {type(exc).__name__}") from exc
            call.http_status = response.status_code
            try:
                body = response.json()
            except ValueError:
                body = {}
            error = body if isinstance(body, dict) else {}
            code = str(error.get("errorCode") or "")
            message = str(error.get("errorMessage") or "")
            if response.status_code >= 500 or response.status_code == 429:
                raise ProviderUnavailable(f"Solapi {operation}: HTTP {response.status_code} {code}".strip())
            if response.status_code in (401, 403):
                # Credentials or permissions: nothing the message can change; retried, then failed.
                raise ProviderUnavailable(f"Solapi {operation}: HTTP {response.status_code} {code}".strip())
            if response.status_code >= 400:
                refused = SolapiRefused(response.status_code, code, message)
                call.refused(str(refused))
        if refused is not None:
            raise refused
        return body

    # ── sending ───────────────────────────────────────────────────────────────────────────────────

    def send_many(self, messages: Sequence[OutboundMessage]) -> list[SendReceipt]:
        receipts: dict[str, SendReceipt] = {}
        todo: list[OutboundMessage] = []
        for message in messages:
            problem = self._unsendable(message)
            if problem:
                receipts[message.client_ref] = SendReceipt(message.client_ref, False, reason=problem)
                continue
            if message.attempt > 1:
                known = self._already_sent(message)
                if known:
                    receipts[message.client_ref] = SendReceipt(message.client_ref, True, known)
                    continue
            todo.append(message)
        if todo:
            receipts.update(self._send(todo))
        return [receipts[m.client_ref] for m in messages if m.client_ref in receipts]

    def _unsendable(self, message: OutboundMessage) -> str:
        if message.kind not in TYPES:
            return f"Solapi adapter does not send {message.kind}"
        if message.kind == "alimtalk" and not message.template_code:
            return "AlimTalk without a template code"
        if message.kind == "alimtalk" and not self._channel(message.sender):
            return "AlimTalk without a Kakao channel (pfId)"
        if message.kind != "alimtalk" and not (message.sender or self.conf.sender):
            return "no calling number"
        return ""

    def _channel(self, sender: str) -> str:
        """The Kakao channel's pfId: the message's sender profile when it is one (``KA01PF…``), else
        ``SOLAPI_PFID`` (an operator notice names its profile by search id, ``@termsops``)."""
        if sender.startswith("KA01PF"):
            return sender
        return self.conf.pfid or sender

    def _vendor_message(self, message: OutboundMessage) -> SolapiMessage:
        custom = {"ref": message.client_ref}
        if message.kind == "alimtalk":
            return SolapiMessage(
                from_=self.conf.sender or None,
                to=message.recipient,
                text=message.text,
                type=TYPES["alimtalk"],
                auto_type_detect=False,
                kakao_options=KakaoOption(
                    pf_id=self._channel(message.sender),
                    template_id=message.template_code,
                    disable_sms=True,  # MSG-3 sends the fallback as its own message
                ),
                custom_fields=custom,
            )
        return SolapiMessage(
            from_=_digits(message.sender) or self.conf.sender,
            to=message.recipient,
            text=message.text,
            subject=(message.subject or None) if message.kind == "lms" else None,
            type=TYPES[message.kind],
            auto_type_detect=False,
            custom_fields=custom,
        )

    def _send(self, messages: Sequence[OutboundMessage]) -> dict[str, SendReceipt]:
        request = SendMessageRequest(
            messages=[self._vendor_message(m) for m in messages],
            allow_duplicates=True,  # two of our messages to one number are two messages
            show_message_list=True,  # we need each message's id back
        )
        refs = [m.client_ref for m in messages]
        reference = refs[0] if len(refs) == 1 else f"{refs[0]}..{refs[-1]} ({len(refs)})"
        try:
            body = self._request(
                "POST",
                "/messages/v4/send-many/detail",
                operation="send",
                reference=reference,
                json=request.model_dump(exclude_none=True, by_alias=True, mode="json"),
            )
        except SolapiRefused as refused:  # the whole request refused: each message with the reason
            reason = refused.message or refused.code or "refused"
            return {ref: SendReceipt(ref, False, reason=reason) for ref in refs}
        if not isinstance(body, dict):
            # Solapi may have taken them; the resend's look-up (attempt > 1) finds what it took.
            raise ProviderUnavailable("Solapi send: unreadable answer")
        # Each entry read with the SDK's models; the group summary around them is not needed (and is read
        # leniently: its price table has changed shape between API versions).
        receipts: dict[str, SendReceipt] = {}
        for entry in body.get("messageList") or []:
            try:
                item = MessageItem.model_validate(entry)
            except ValidationError:
                continue
            ref = (item.custom_fields or {}).get("ref", "")
            if ref in refs:
                receipts[ref] = SendReceipt(ref, True, item.message_id)
        for entry in body.get("failedMessageList") or []:
            try:
                failed = FailedMessage.model_validate(entry)
            except ValidationError:
                continue
            ref = (failed.custom_fields or {}).get("ref", "")
            if ref in refs:
                receipts[ref] = SendReceipt(ref, False, reason=failed.status_message or failed.status_code)
        return receipts

    def _already_sent(self, message: OutboundMessage) -> str:
        """Solapi's id for ``message`` if an earlier hand-over got through (and was not refused)."""
        since = dt.datetime.now(dt.UTC) - LOOKUP_SINCE
        listed, _complete = self._list_messages(
            {"to": _digits(message.recipient), "startDate": format_with_transfer(since), "limit": 100},
            operation="lookup",
            reference=message.client_ref,
            pages=3,
        )
        for item in listed:
            ours = (item.get("customFields") or {}).get("ref") == message.client_ref
            if ours and not str(item.get("statusCode") or "").startswith("1"):  # 1xxx: refused, never sent
                return str(item.get("messageId") or "")
        return ""

    def _list_messages(
        self, params: dict[str, Any], *, operation: str, reference: str = "", pages: int | None = None
    ) -> tuple[list[dict[str, Any]], bool]:
        """Solapi's message list page by page; ``complete`` is False when ``pages`` (default
        ``POLL_PAGES``) ran out first."""
        query = dict(params)
        found: list[dict[str, Any]] = []
        for _page in range(pages or POLL_PAGES):
            body = self._request(
                "GET", "/messages/v4/list-old", operation=operation, reference=reference, params=query
            )
            if not isinstance(body, dict):
                raise ProviderUnavailable(f"Solapi {operation}: unreadable answer")
            listed = body.get("messageList") or {}
            found.extend(dict(v) for v in (listed.values() if isinstance(listed, dict) else listed))
            following = body.get("nextKey")
            if not following:
                return found, True
            query["startKey"] = following
        return found, False

    # ── results ───────────────────────────────────────────────────────────────────────────────────

    def fetch_results(self, now: dt.datetime) -> list[DeliveryReport]:
        """Poll the results updated since the last poll (the webhook's backstop; a result reported by both
        is recorded once, MSG-6). When more changed than ``POLL_PAGES`` pages hold, the cursor stays, so
        the next poll reads the same window again rather than skip what did not fit."""
        since = cache.get(CURSOR_KEY) or format_with_transfer(now - POLL_FIRST)
        listed, complete = self._list_messages(
            {"dateType": "UPDATED", "startDate": since, "limit": 500}, operation="results"
        )
        reports = [report for item in listed if (report := report_from(item, now)) is not None]
        if complete:
            cache.set(CURSOR_KEY, format_with_transfer(now - POLL_OVERLAP), timeout=None)
        else:
            log.warning("Solapi results: more than %s pages changed since %s; cursor kept", POLL_PAGES, since)
        return reports

    # ── sender numbers and templates ──────────────────────────────────────────────────────────────

    def registered_senders(self) -> set[str]:
        """The calling numbers Solapi has active for this account (MSG-4)."""
        body = self._request("GET", "/senderid/v1/numbers/active", operation="sender_numbers")
        numbers = body if isinstance(body, list) else (body or {}).get("senderIds") or []
        found = set()
        for entry in numbers:
            number = entry if isinstance(entry, str) else (entry or {}).get("phoneNumber", "")
            if number:
                found.add(_digits(str(number)))
        return found

    def list_templates(self, channel: str | None = None) -> list[ProviderTemplate]:
        """The AlimTalk templates of ``channel`` (default ``SOLAPI_PFID``) with their review state."""
        pfid = channel or self.conf.pfid
        query: dict[str, Any] = {"limit": 100}
        if pfid:
            query["channelId"] = pfid
        found: list[ProviderTemplate] = []
        for _page in range(POLL_PAGES):
            body = self._request("GET", "/kakao/v2/templates", operation="templates", params=query) or {}
            for item in body.get("templateList") or []:
                template = _template(item)
                if template is not None:
                    found.append(template)
            following = body.get("nextKey")
            if not following:
                break
            query["startKey"] = following
        return found


def _template(item: Mapping[str, Any]) -> ProviderTemplate | None:
    status = item.get("status")
    codes = item.get("codes") or []
    if not status and codes:  # v1 answers: the state per Kakao review service
        status = codes[0].get("status")
    state = TEMPLATE_STATES.get(str(status or "").upper())
    code = str(item.get("templateId") or "")
    if state is None or not code:
        return None
    comments = list(item.get("comments") or [])
    if not comments and codes:
        comments = list(codes[0].get("comments") or [])
    reason = ""
    if comments:
        last = comments[-1]
        reason = str(last.get("content") if isinstance(last, Mapping) else last)
    profile = str(item.get("channelId") or item.get("pfId") or "")
    return ProviderTemplate(code=code, sender_profile=profile, status=state, reason=reason)


_REPORT_FIELDS = (
    "messageId",
    "statusCode",
    "statusMessage",
    "customFields",
    "dateReceived",
    "dateReported",
    "dateProcessed",
)


def report_from(item: Mapping[str, Any], now: dt.datetime) -> DeliveryReport | None:
    """The final result in one Solapi message (a poll's row or a webhook's report); ``None`` while it is
    pending or when the message is not one of ours (no ``customFields.ref``)."""
    # Only the fields a result needs are read (through the SDK's model): a change elsewhere in the message
    # (its Kakao or RCS options) must not make a result unreadable.
    wanted = {k: item.get(k) for k in _REPORT_FIELDS if item.get(k) is not None}
    try:
        data = SingleReportData.model_validate(wanted)
    except ValidationError:
        log.warning("Solapi result not readable: %s", item.get("messageId"))
        return None
    code = str(data.status_code or "")
    if not data.message_id or not code or code in PENDING_CODES:
        return None
    if not (data.custom_fields or {}).get("ref"):
        return None
    at = _when(data.date_received or data.date_reported or data.date_processed) or now
    delivered = code == DELIVERED_CODE
    reason = "" if delivered else str(item.get("statusMessage") or data.status_message or "")
    return DeliveryReport(NAME, data.message_id, delivered, reason[:300], at)


def _when(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


# ── the delivery-report webhook ──────────────────────────────────────────────────────────────────


def webhook_secret_ok(presented: str | None) -> bool:
    """Whether the ``X-Solapi-Secret`` header carries our ``SOLAPI_WEBHOOK_SECRET``.

    Solapi sends the secret set on the webhook in its console; some integrations send its SHA-1 hex
    digest instead, which is accepted too. Compared in constant time; nothing is accepted while the
    secret is not configured.
    """
    secret = config().webhook_secret
    if not secret or not presented:
        return False
    presented = presented.strip()
    digest = hashlib.sha1(secret.encode(), usedforsecurity=False).hexdigest()
    return hmac.compare_digest(presented.encode(), secret.encode()) or hmac.compare_digest(
        presented.lower().encode(), digest.encode()
    )


def webhook_events(payload: Any, now: dt.datetime) -> list[tuple[str, DeliveryReport]]:
    """The (event id, report) pairs in a SINGLE-REPORT webhook body.

    Solapi posts a JSON array; each element is either ``{"eventDataId", "data": {message}, "retryCount"}``
    (the SDK's ``SingleReport``) or the message itself. Without an ``eventDataId`` the event is named by
    the message id, its status and the time it was reported, so a retry of it has the same name.
    """
    if isinstance(payload, dict):
        payload = [payload]
    if not isinstance(payload, list):
        raise ValueError("a JSON array of reports was expected")
    events = []
    for element in payload:
        if not isinstance(element, Mapping):
            continue
        inner = element.get("data")
        data: Mapping[str, Any] = inner if isinstance(inner, Mapping) else element
        report = report_from(data, now)
        if report is None:
            continue
        event_id = str(element.get("eventDataId") or "") or ":".join(
            str(data.get(k) or "") for k in ("messageId", "statusCode", "dateReported")
        )
        events.append((event_id, report))
    return events


# ── configuration check (check_providers, the admin page) ────────────────────────────────────────


def check(ping: bool) -> list[str]:
    """Problems with the Solapi configuration; with ``ping``, ask Solapi whether the key works and the
    default calling number is registered. Never raises; a timeout is a problem line."""
    conf = config()
    problems: list[str] = []
    if conf.sender and not (8 <= len(conf.sender) <= 11):
        problems.append("SOLAPI_SENDER is not a Korean telephone number")
    if conf.pfid and not conf.pfid.startswith("KA01PF"):
        problems.append("SOLAPI_PFID does not look like a Solapi Kakao channel id (KA01PF...)")
    if conf.timeout <= 0 or conf.timeout > 60:
        problems.append("SOLAPI_TIMEOUT must be between 0 and 60 seconds")
    if not ping or problems:
        return problems
    try:
        provider = SolapiProvider(
            Config(**{**conf.__dict__, "timeout": min(conf.timeout, 5.0)})  # a ping never hangs
        )
        active = provider.registered_senders()
    except (ProviderUnavailable, SolapiRefused, ValueError) as exc:
        return [f"Solapi is not reachable or refused the key: {exc}"]
    if conf.sender and conf.sender not in active:
        problems.append(f"SOLAPI_SENDER {conf.sender} is not an active calling number at Solapi")
    return problems
