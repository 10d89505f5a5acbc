"""Solapi at the HTTP boundary for tests (issue 18): the recorded exchanges, and a simulator.

The recordings (``recordings/solapi/*.json``) are Solapi's answers shaped as its documentation shows;
``{ref0}``-style markers are filled with the test's message ids. The simulator answers Solapi's
endpoints through ``respx`` in those same shapes, played by a :class:`FakeProvider` (its scripts:
delivered, failed with a reason, refused, silent, unreachable), so the provider-level messaging tests
that run against the fake run once more through the real Solapi adapter: its requests, signing, answer
parsing, resend look-up and polling. Nothing of ours is mocked.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from messaging.providers import FAKE, OutboundMessage, ProviderUnavailable
from messaging.providers.fake import FakeProvider, Outcome
from messaging.providers.solapi import Config, SolapiProvider

RECORDINGS = Path(__file__).parent / "recordings" / "solapi"
BASE_URL = "https://api.solapi.com"
API_KEY = "NCSTESTAPIKEY0001"
API_SECRET = "sOlApI-tEsT-sEcReT-9f3c1a"
WEBHOOK_SECRET = "whk-sOlApI-7d21e0b4"
PFID = "KA01PF261110000000000CHANNEL1"
DEFAULT_SENDER = "0212345678"
KINDS = {"SMS": "sms", "LMS": "lms", "ATA": "alimtalk"}


def recording(name: str, **values: str) -> dict[str, Any]:
    """A recorded exchange with its ``{marker}``s replaced."""
    text = (RECORDINGS / f"{name}.json").read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return dict(json.loads(text))


def reply(name: str, **values: str) -> httpx.Response:
    answer = recording(name, **values)["response"]
    return httpx.Response(answer["status"], json=answer["body"])


def configure(settings: Any, **overrides: Any) -> None:
    """Django settings for the Solapi adapter (the test doubles of the environment variables)."""
    values = {
        "MESSAGING_PROVIDER": "solapi",
        "SOLAPI_API_KEY": API_KEY,
        "SOLAPI_API_SECRET": API_SECRET,
        "SOLAPI_SENDER": DEFAULT_SENDER,
        "SOLAPI_PFID": PFID,
        "SOLAPI_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "SOLAPI_BASE_URL": BASE_URL,
        "SOLAPI_TIMEOUT": 3,
        "SOLAPI_RATE_PER_SECOND": 100_000,
        **overrides,
    }
    for name, value in values.items():
        setattr(settings, name, value)


def adapter(**overrides: Any) -> SolapiProvider:
    values: dict[str, Any] = {
        "api_key": API_KEY,
        "api_secret": API_SECRET,
        "sender": DEFAULT_SENDER,
        "pfid": PFID,
        "webhook_secret": WEBHOOK_SECRET,
        "base_url": BASE_URL,
        "timeout": 3.0,
        "rate_per_second": 100_000,
        **overrides,
    }
    return SolapiProvider(Config(**values))


class Simulator:
    """Solapi's send and list endpoints, answered in the recorded shapes from a scripted fake backend."""

    def __init__(self, backend: FakeProvider) -> None:
        self.backend = backend
        self.requests: list[httpx.Request] = []

    def _down(self) -> httpx.Response:
        return reply("send_server_error")

    def send(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        payload = json.loads(request.content)
        outbound = [
            OutboundMessage(
                client_ref=m["customFields"]["ref"],
                kind=KINDS[m["type"]],
                sender=(m.get("kakaoOptions") or {}).get("pfId") or m.get("from", ""),
                recipient=m["to"],
                text=m.get("text", ""),
                subject=m.get("subject", ""),
            )
            for m in payload["messages"]
        ]
        try:
            receipts = self.backend.send_many(outbound)
        except ProviderUnavailable:
            return self._down()
        body = recording("send_success")["response"]["body"]
        by_ref = {m["customFields"]["ref"]: m for m in payload["messages"]}
        body["messageList"] = [
            {
                "messageId": r.provider_message_id,
                "statusCode": "2000",
                "statusMessage": "정상 접수(이통사로 접수 예정) ",
                "customFields": {"ref": r.client_ref},
            }
            for r in receipts
            if r.accepted
        ]
        body["failedMessageList"] = [
            {
                "to": by_ref[r.client_ref]["to"],
                "from": by_ref[r.client_ref].get("from"),
                "type": by_ref[r.client_ref]["type"],
                "statusMessage": r.reason,
                "country": "82",
                "messageId": f"M4V-refused-{r.client_ref}",
                "statusCode": "1062",
                "accountId": "12925149",
                "customFields": {"ref": r.client_ref},
            }
            for r in receipts
            if not r.accepted
        ]
        return httpx.Response(200, json=body)

    def list(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.backend.unavailable:
            return self._down()
        to = request.url.params.get("to")
        listed: dict[str, dict[str, Any]] = {}
        if to:  # the adapter's look-up before a resend
            for ref, message in self.backend.sent.items():
                if message.recipient == to:
                    mid = self.backend._ids_by_ref[ref]
                    listed[mid] = {
                        "messageId": mid,
                        "to": to,
                        "statusCode": "3000",
                        "customFields": {"ref": ref},
                    }
        else:  # a poll for results
            refs = {mid: ref for ref, mid in self.backend._ids_by_ref.items()}
            for report in self.backend.fetch_results(dt.datetime.now(dt.UTC)):
                mid = report.provider_message_id
                listed[mid] = {
                    "messageId": mid,
                    "to": self.backend.sent[refs[mid]].recipient,
                    "statusCode": "4000" if report.delivered else "3104",
                    "statusMessage": "수신완료" if report.delivered else (report.reason or "전송 실패"),
                    "customFields": {"ref": refs[mid]},
                }
        return httpx.Response(
            200, json={"limit": 500, "startKey": None, "nextKey": None, "messageList": listed}
        )


class SolapiHarness(SolapiProvider):
    """The Solapi adapter pointed at the simulator, with the fake's handles tests use (``sent``,
    ``handed``, ``calls``, ``script``, ``unavailable``, ``redeliver``) passed to the backend."""

    def __init__(self, backend: FakeProvider) -> None:
        super().__init__(adapter().conf)
        self.backend = backend

    @property
    def sent(self) -> dict[str, OutboundMessage]:
        return self.backend.sent

    @property
    def handed(self) -> int:
        return self.backend.handed

    @property
    def calls(self) -> int:
        return self.backend.calls

    @property
    def unavailable(self) -> bool:
        return self.backend.unavailable

    @unavailable.setter
    def unavailable(self, value: bool) -> None:
        self.backend.unavailable = value

    def script(self, recipient: str, outcome: Outcome) -> None:
        self.backend.script(recipient, outcome)

    def script_kind(self, kind: str, outcome: Outcome) -> None:
        self.backend.script_kind(kind, outcome)

    def redeliver(self, reports: Any) -> None:
        self.backend.redeliver(reports)

    def reset(self) -> None:
        self.backend.reset()


@contextlib.contextmanager
def simulated(settings: Any, backend: FakeProvider = FAKE) -> Iterator[SolapiHarness]:
    """Solapi configured and simulated: ``get_provider()`` gives the Solapi adapter, every request it
    makes is answered by the simulator (an unexpected one fails the test)."""
    from django.core.cache import cache

    from messaging.providers.solapi import CURSOR_KEY

    configure(settings)
    cache.delete(CURSOR_KEY)
    simulator = Simulator(backend)
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        router.post("/messages/v4/send-many/detail").mock(side_effect=simulator.send)
        router.get("/messages/v4/list-old").mock(side_effect=simulator.list)
        yield SolapiHarness(backend)


@pytest.fixture(params=["fake", "solapi"], name="fake")
def fake_and_solapi(request: Any, settings: Any) -> Iterator[FakeProvider | SolapiHarness]:
    """The provider under test, for modules that import this in place of ``test_paid_support.fake``: the
    fake itself, then the Solapi adapter played by it (issue 18: the provider-level tests run once more
    against the real adapter, over Solapi's HTTP API as recorded)."""
    FAKE.reset()
    if request.param == "fake":
        yield FAKE
    else:
        with simulated(settings, FAKE) as harness:
            yield harness
    FAKE.reset()
