"""Replays recorded Popbill/Linkhub HTTP exchanges at the SDK's transport (issue 18).

The ``popbill`` SDK (and its ``linkhub`` token client) talk ``http.client`` directly — neither
``responses`` nor ``respx`` can see them — so the tests swap the ``http.client`` module those two
SDK modules use for this stand-in: every request the SDK builds (method, host, path, headers, JSON
body) is matched against the recordings in ``tests/billing/recordings/popbill/*.json`` and answered
with the recorded status and body, exactly as the vendor's servers would. Nothing of ours is
mocked: the adapter, the SDK's request building, HMAC signing and error parsing all run.

A recording is ``{"source": ..., "exchanges": [{"request": {...}, "response": {...}}]}``:

- request: ``method``, ``host``, ``path`` (``{mgtKey}`` matches one path segment), optional
  ``override`` (the SDK's ``X-HTTP-Method-Override``: ISSUE, CANCELISSUE…);
- response: ``status`` and ``body`` (JSON object, or a string sent as is), or ``"timeout": true``
  (the read times out, as a socket with our timeout would);
- ``"repeat": true`` keeps an exchange for every matching request (else it answers once).
"""

from __future__ import annotations

import json
import threading
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RECORDINGS = Path(__file__).parent / "recordings" / "popbill"


def load(name: str) -> list[dict[str, Any]]:
    data = json.loads((RECORDINGS / f"{name}.json").read_text(encoding="utf-8"))
    return list(data["exchanges"])


@dataclass
class Sent:
    method: str
    host: str
    path: str
    headers: dict[str, str]
    body: Any
    timeout: float | None


def _path_matches(pattern: str, path: str) -> bool:
    want, got = pattern.split("?")[0].split("/"), path.split("?")[0].split("/")
    if len(want) != len(got):
        return False
    return all(w == g or (w.startswith("{") and w.endswith("}")) for w, g in zip(want, got, strict=True))


@dataclass
class Replayer:
    exchanges: list[dict[str, Any]]
    sent: list[Sent] = field(default_factory=list)
    used: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, sent: Sent) -> dict[str, Any]:
        with self.lock:
            self.sent.append(sent)
            for index, exchange in enumerate(self.exchanges):
                if index in self.used:
                    continue
                want = exchange["request"]
                if want["method"] != sent.method or want["host"] != sent.host:
                    continue
                if not _path_matches(want["path"], sent.path):
                    continue
                if want.get("override", "") != sent.headers.get("X-HTTP-Method-Override", ""):
                    continue
                if not exchange.get("repeat"):
                    self.used.add(index)
                return dict(exchange["response"])
        raise AssertionError(f"no recorded exchange for {sent.method} {sent.host}{sent.path}")

    def calls(self, override: str = "", path_prefix: str = "/Taxinvoice") -> list[Sent]:
        return [
            s
            for s in self.sent
            if s.path.startswith(path_prefix) and s.headers.get("X-HTTP-Method-Override", "") == override
        ]

    @property
    def pending(self) -> list[dict[str, Any]]:
        return [e for i, e in enumerate(self.exchanges) if i not in self.used and not e.get("repeat")]


class _Response:
    def __init__(self, status: int, body: bytes) -> None:
        self.status = status
        self._body = body

    def read(self) -> bytes:
        return self._body

    def getheader(self, name: str, default: Any = None) -> Any:
        return "application/json; charset=utf-8" if name.lower() == "content-type" else default


class _Connection:
    """Stands in for ``http.client.HTTPSConnection`` (the attributes the SDKs use)."""

    def __init__(self, replayer: Replayer, host: str, port: int | None = None, timeout: Any = None, **_: Any):
        self.replayer = replayer
        self.host = host.split(":")[0]
        self.timeout = timeout if isinstance(timeout, (int, float)) else None
        self._pending: Sent | None = None

    def request(self, method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> None:
        raw = body.decode("utf-8") if isinstance(body, bytes) else (body or "")
        try:
            parsed: Any = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw
        self._pending = Sent(method, self.host, url, dict(headers or {}), parsed, self.timeout)

    def getresponse(self) -> _Response:
        assert self._pending is not None, "getresponse() before request()"
        sent, self._pending = self._pending, None
        answer = self.replayer.answer(sent)
        if answer.get("timeout"):
            raise TimeoutError("timed out")
        body = answer.get("body", "")
        data = (
            body.encode("utf-8") if isinstance(body, str) else json.dumps(body, ensure_ascii=False).encode()
        )
        return _Response(int(answer["status"]), data)

    def close(self) -> None:
        pass


def install(monkeypatch: Any, *names: str) -> Replayer:
    """Route the Popbill and Linkhub SDKs through a replayer of the named recordings."""
    import linkhub.linkhub
    import popbill.base

    exchanges: list[dict[str, Any]] = []
    for name in names:
        exchanges.extend(load(name))
    replayer = Replayer(exchanges)

    def connection(host: str, *args: Any, **kwargs: Any) -> _Connection:
        return _Connection(replayer, host, *args, **kwargs)

    fake = types.SimpleNamespace(HTTPSConnection=connection, HTTPConnection=connection)
    monkeypatch.setattr(popbill.base, "httpclient", fake)
    monkeypatch.setattr(linkhub.linkhub, "httpclient", fake)
    return replayer
