# ruff: noqa: F811  (pytest fixtures imported from test_paid_support)
"""The Solapi adapter at the HTTP boundary (issue 18, MSG-8, MSG-2, MSG-2a, MSG-4, MSG-6).

Solapi's answers are the recorded exchanges in ``recordings/solapi`` (success, refusal, a request
refused as a whole, server error, bad credentials, timeout); ``respx`` plays them. Nothing of ours is
mocked: the adapter signs, sends, parses, and every request lands in the ``ProviderCall`` log.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time

import httpx
import pytest
import respx

from core import providers
from core.models import ProviderCall
from messaging.models import KakaoTemplate
from messaging.providers import FAKE, OutboundMessage, ProviderUnavailable, get_provider
from messaging.providers.solapi import CURSOR_KEY, SolapiProvider, check
from messaging.services import templates_kakao

from .solapi_support import (
    API_KEY,
    API_SECRET,
    BASE_URL,
    PFID,
    WEBHOOK_SECRET,
    adapter,
    configure,
    recording,
    reply,
)
from .test_paid_support import NOW, kgmsg_limits, paid_customer  # noqa: F401

SMS = OutboundMessage("101", "sms", "02-1234-5678", "01020000000", "안녕하세요")
ATA = OutboundMessage(
    "102", "alimtalk", PFID, "01020000001", "홍길동님, 결제가 완료되었습니다.", template_code="KA01TP1"
)
SEND = "/messages/v4/send-many/detail"
LIST = "/messages/v4/list-old"


def _calls() -> list[ProviderCall]:
    return list(ProviderCall.objects.filter(provider="solapi").order_by("id"))


@pytest.mark.django_db
def test_sends_sms_and_alimtalk_as_our_rules_typed_them():
    """MSG-2, MSG-3, MSG-8: SMS as SMS and AlimTalk as ATA (Solapi's type guess off), the template's code
    as templateId, Solapi's own SMS substitution off (MSG-3 sends the fallback), our id in customFields;
    signed with the API key, never carrying the secret; each message gets Solapi's id."""
    with respx.mock(base_url=BASE_URL) as router:
        route = router.post(SEND).mock(return_value=reply("send_success", ref0="101", ref1="102"))
        receipts = adapter().send_many([SMS, ATA])
    sent = json.loads(route.calls.last.request.content)
    sms, ata = sent["messages"]
    assert (sms["type"], sms["autoTypeDetect"], sms["from"], sms["to"], sms["text"]) == (
        "SMS",
        False,
        "0212345678",
        "01020000000",
        "안녕하세요",
    )
    assert sms["customFields"] == {"ref": "101"} and "kakaoOptions" not in sms
    assert ata["type"] == "ATA" and ata["kakaoOptions"] == {
        "pfId": PFID,
        "templateId": "KA01TP1",
        "disableSms": True,
    }
    assert sent["allowDuplicates"] is True and sent["showMessageList"] is True
    authorization = route.calls.last.request.headers["Authorization"]
    assert (
        authorization.startswith(f"HMAC-SHA256 ApiKey={API_KEY}, Date=") and API_SECRET not in authorization
    )
    assert [(r.client_ref, r.accepted, r.provider_message_id) for r in receipts] == [
        ("101", True, "M4V20261110140000SMSREC00000001"),
        ("102", True, "M4V20261110140000ATAREC00000002"),
    ]
    [call] = _calls()
    assert (call.kind, call.operation, call.outcome, call.http_status) == ("messaging", "send", "ok", 200)


@pytest.mark.django_db
def test_lms_carries_its_title():
    """MSG-2: an LMS goes as LMS with its title."""
    lms = OutboundMessage("103", "lms", "0212345678", "01020000000", "긴 안내" * 30, subject="안내")
    with respx.mock(base_url=BASE_URL) as router:
        route = router.post(SEND).mock(return_value=reply("send_success", ref0="103", ref1="x"))
        adapter().send_many([lms])
    [message] = json.loads(route.calls.last.request.content)["messages"]
    assert (message["type"], message["subject"]) == ("LMS", "안내")


@pytest.mark.django_db
def test_a_message_refused_on_registration_is_a_rejected_receipt():
    """MSG-8: Solapi refusing one message (failedMessageList) rejects that one with Solapi's reason; the
    other is accepted."""
    other = OutboundMessage("104", "sms", "0299999999", "01020000002", "x")
    with respx.mock(base_url=BASE_URL) as router:
        router.post(SEND).mock(return_value=reply("send_partly_refused", ref0="101", ref1="104"))
        receipts = adapter().send_many([SMS, other])
    assert [(r.client_ref, r.accepted, r.reason) for r in receipts] == [
        ("101", True, ""),
        ("104", False, "발신번호 미등록"),
    ]


@pytest.mark.django_db
def test_a_request_refused_as_a_whole_rejects_each_message_with_the_reason():
    """MSG-8: a 4xx (not credentials) refuses every message of the request, logged as ``refused``."""
    with respx.mock(base_url=BASE_URL) as router:
        router.post(SEND).mock(return_value=reply("send_bad_request"))
        receipts = adapter().send_many([SMS, ATA])
    assert {(r.accepted, r.reason) for r in receipts} == {(False, '"messages[0].text" 내용이 비어 있습니다.')}
    [call] = _calls()
    assert (call.outcome, call.http_status) == ("refused", 400) and "ValidationError" in call.detail


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answer", "status"),
    [
        (lambda: reply("send_server_error"), 500),
        (lambda: reply("send_unauthorized"), 401),
        (
            lambda: httpx.Response(429, json={"errorCode": "TooManyRequests", "errorMessage": "slow down"}),
            429,
        ),
    ],
)
def test_server_errors_and_bad_credentials_mean_unavailable(answer, status):
    """MSG-8: a 5xx, a 429 or refused credentials leave the messages queued for a retry with backoff
    (``ProviderUnavailable``); the call is logged as a communication error with its status."""
    with respx.mock(base_url=BASE_URL) as router:
        router.post(SEND).mock(return_value=answer())
        with pytest.raises(ProviderUnavailable, match=str(status)):
            adapter().send_many([SMS])
    [call] = _calls()
    assert (call.outcome, call.http_status) == ("error", status)


@pytest.mark.django_db
@pytest.mark.parametrize("failure", [httpx.ReadTimeout("read timed out"), httpx.ConnectError("refused")])
def test_timeouts_and_unreachable_mean_unavailable(failure):
    """MSG-8: no answer within SOLAPI_TIMEOUT, or no connection, is ``ProviderUnavailable``."""
    with respx.mock(base_url=BASE_URL) as router:
        router.post(SEND).mock(side_effect=failure)
        with pytest.raises(ProviderUnavailable, match="Solapi send"):
            adapter().send_many([SMS])
    [call] = _calls()
    assert call.outcome == "error" and call.http_status is None


@pytest.mark.django_db
def test_a_resend_already_taken_by_solapi_is_not_sent_again():
    """MSG-8: Solapi cannot drop a resend itself, so a message handed over again (a worker died after the
    send) is looked up by its reference first and answered with Solapi's id, without a second send; one
    Solapi refused on registration (1xxx) is sent again."""
    again = OutboundMessage(**{**SMS.__dict__, "attempt": 2})
    listed = {
        "limit": 100,
        "messageList": {
            "M4V-SENT": {
                "messageId": "M4V-SENT",
                "to": "01020000000",
                "statusCode": "3000",
                "customFields": {"ref": "101"},
            }
        },
    }
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        lookup = router.get(LIST).mock(return_value=httpx.Response(200, json=listed))
        send = router.post(SEND)
        [receipt] = adapter().send_many([again])
    assert (receipt.accepted, receipt.provider_message_id) == (True, "M4V-SENT") and not send.called
    assert lookup.calls.last.request.url.params["to"] == "01020000000"
    listed["messageList"]["M4V-SENT"]["statusCode"] = "1062"
    with respx.mock(base_url=BASE_URL) as router:
        router.get(LIST).mock(return_value=httpx.Response(200, json=listed))
        send = router.post(SEND).mock(return_value=reply("send_success", ref0="101", ref1="x"))
        [receipt] = adapter().send_many([again])
    assert send.called and receipt.provider_message_id == "M4V20261110140000SMSREC00000001"


@pytest.mark.django_db
def test_messages_the_adapter_cannot_send_are_refused_without_a_request():
    """MSG-8: FriendTalk, or an AlimTalk without its template, is refused by the adapter with the reason
    (MSG-3 then falls back), and nothing is sent."""
    friend = OutboundMessage("105", "friendtalk_text", PFID, "01020000000", "x")
    bare = OutboundMessage("106", "alimtalk", PFID, "01020000000", "x")
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        send = router.post(SEND)
        receipts = adapter().send_many([friend, bare])
    assert not send.called
    assert [(r.accepted, r.reason) for r in receipts] == [
        (False, "Solapi adapter does not send friendtalk_text"),
        (False, "AlimTalk without a template code"),
    ]


@pytest.mark.django_db
def test_polling_reports_final_results_of_our_messages_and_moves_its_cursor():
    """MSG-6: a poll asks for messages updated since the last poll; 4000 is delivered, another final code
    failed with Solapi's reason; pending codes (2000, 3000) and other systems' messages are left out."""
    from django.core.cache import cache

    cache.delete(CURSOR_KEY)
    with respx.mock(base_url=BASE_URL) as router:
        route = router.get(LIST).mock(return_value=reply("results_list", ref0="101", ref1="102", ref2="107"))
        reports = adapter().fetch_results(NOW)
    params = route.calls.last.request.url.params
    assert (params["dateType"], params["limit"]) == ("UPDATED", "500") and params["startDate"]
    assert [(r.provider, r.provider_message_id, r.delivered, r.reason) for r in reports] == [
        ("solapi", "M4V20261110140000SMSREC00000001", True, ""),
        ("solapi", "M4V20261110140000ATAREC00000002", False, "카카오톡 미사용자"),
    ]
    assert reports[0].at is not None and reports[0].at.year == 2026
    assert cache.get(CURSOR_KEY)
    [call] = _calls()
    assert (call.operation, call.outcome) == ("results", "ok")


@pytest.mark.django_db
def test_template_review_state_comes_from_solapi(paid_customer):
    """MSG-2a: the templates' review state as Solapi lists it is applied through the template services:
    approved, rejected with Kakao's comment, in review; a template we do not have is counted."""
    limits = kgmsg_limits()

    def template(code: str) -> KakaoTemplate:
        return templates_kakao.template_register(
            customer=paid_customer,
            sender_profile=PFID,
            code=code,
            name=code,
            body="#{이름}님, 안내드립니다.",
            limits=limits,
        )

    approved = template("KA01TP261110000000000APPROVED1")
    rejected = template("KA01TP261110000000000REJECTED1")
    inspecting = template("KA01TP261110000000000INSPECT01")
    with respx.mock(base_url=BASE_URL) as router:
        route = router.get("/kakao/v2/templates").mock(return_value=reply("templates"))
        found = adapter().list_templates()
    assert route.calls.last.request.url.params["channelId"] == PFID
    counts = templates_kakao.templates_sync(found=found, now=NOW)
    assert (counts.changed, counts.unknown) == (3, 1)
    for row in (approved, rejected, inspecting):
        row.refresh_from_db()
    assert (approved.status, inspecting.status) == ("approved", "in_review")
    assert (rejected.status, rejected.rejection_reason) == (
        "rejected",
        "광고성 내용은 알림톡으로 보낼 수 없습니다.",
    )
    again = templates_kakao.templates_sync(found=found, now=NOW)
    assert (again.changed, again.unchanged) == (0, 3)


@pytest.mark.django_db
def test_sender_numbers_registered_at_solapi():
    """MSG-4: the calling numbers Solapi has active for the account."""
    with respx.mock(base_url=BASE_URL) as router:
        router.get("/senderid/v1/numbers/active").mock(return_value=reply("senders_active"))
        assert adapter().registered_senders() == {"0212345678", "01000000000"}


@pytest.mark.django_db
def test_check_pings_solapi_and_names_what_is_wrong(settings):
    """Issue 18: check_providers' Solapi check: the default calling number must be active at Solapi; an
    unreachable Solapi is a problem line, quickly, never an exception."""
    configure(settings)
    with respx.mock(base_url=BASE_URL) as router:
        router.get("/senderid/v1/numbers/active").mock(return_value=reply("senders_active"))
        assert check(ping=True) == []
    configure(settings, SOLAPI_SENDER="0311112222")
    with respx.mock(base_url=BASE_URL) as router:
        router.get("/senderid/v1/numbers/active").mock(return_value=reply("senders_active"))
        assert check(ping=True) == ["SOLAPI_SENDER 0311112222 is not an active calling number at Solapi"]
    assert check(ping=False) == []
    with respx.mock(base_url=BASE_URL) as router:
        router.get("/senderid/v1/numbers/active").mock(side_effect=httpx.ConnectTimeout("timed out"))
        started = time.monotonic()
        [problem] = check(ping=True)
    assert problem.startswith("Solapi is not reachable") and time.monotonic() - started < 5
    configure(settings, SOLAPI_PFID="@hanbit")
    assert check(ping=False) == ["SOLAPI_PFID does not look like a Solapi Kakao channel id (KA01PF...)"]


@pytest.mark.django_db
def test_chosen_by_environment_and_listed_without_secrets(settings):
    """Issue 18: MESSAGING_PROVIDER=solapi picks the adapter; the status page lists its variables as set
    or missing, never their values; with nothing set the fake stays the default."""
    assert get_provider() is FAKE
    configure(settings)
    assert isinstance(get_provider(), SolapiProvider)
    [state] = [s for s in providers.status() if s.kind == "messaging"]
    assert (state.chosen, state.ok) == ("solapi", True)
    assert {v.name for v in state.variables if v.secret} == {"SOLAPI_API_SECRET", "SOLAPI_WEBHOOK_SECRET"}
    assert API_SECRET not in repr(state) and WEBHOOK_SECRET not in repr(state)
    configure(settings, SOLAPI_WEBHOOK_SECRET="")
    [state] = [s for s in providers.status() if s.kind == "messaging"]
    assert state.problems == ["SOLAPI_WEBHOOK_SECRET is not set"]


@pytest.mark.django_db
def test_no_secret_in_the_call_log_the_logs_or_the_errors(settings, caplog):
    """Issue 18: across success, refusal, failure and timeout, neither the API secret nor the webhook
    secret appears in a ProviderCall row, a log line or an exception message."""
    configure(settings)
    caplog.set_level(logging.DEBUG)
    errors: list[str] = []
    answers = [
        reply("send_success", ref0="101", ref1="102"),
        reply("send_bad_request"),
        reply("send_server_error"),
        reply("send_unauthorized"),
        httpx.ReadTimeout("timed out"),
    ]
    for answer in answers:
        with respx.mock(base_url=BASE_URL) as router:
            if isinstance(answer, Exception):
                router.post(SEND).mock(side_effect=answer)
            else:
                router.post(SEND).mock(return_value=answer)
            try:
                get_provider().send_many([SMS, ATA])
            except ProviderUnavailable as exc:
                errors.append(str(exc))
    rows = " ".join(f"{c.reference} {c.detail}" for c in ProviderCall.objects.all())
    assert len(_calls()) == len(answers)
    for secret in (API_SECRET, WEBHOOK_SECRET):
        assert secret not in rows and secret not in caplog.text
        assert not any(secret in error for error in errors)
    assert len(errors) == 3  # the server error, the refused credentials, the timeout
    assert recording("send_success")["request"]["path"] == SEND


@pytest.mark.django_db
def test_check_providers_command_shows_solapi_without_its_secrets(settings):
    """Issue 18: ``manage.py check_providers --ping`` names the Solapi variables as set (secrets marked,
    never shown) and the problem Solapi's answer reveals, and exits non-zero for it."""
    import io

    from django.core.management import CommandError, call_command

    configure(settings, SOLAPI_SENDER="0311112222")
    out = io.StringIO()
    with respx.mock(base_url=BASE_URL) as router:
        router.get("/senderid/v1/numbers/active").mock(return_value=reply("senders_active"))
        with pytest.raises(CommandError):
            call_command("check_providers", "--ping", stdout=out)
    text = out.getvalue()
    assert "messaging: MESSAGING_PROVIDER=solapi" in text
    assert "SOLAPI_API_SECRET [secret]: set" in text and "SOLAPI_WEBHOOK_SECRET [secret]: set" in text
    assert "problem: SOLAPI_SENDER 0311112222 is not an active calling number at Solapi" in text
    assert API_SECRET not in text and WEBHOOK_SECRET not in text


@pytest.mark.django_db
def test_operator_alimtalk_notices_use_their_kakao_template_and_the_operator_channel(paid_customer):
    """MSG-1, issue 18: an AlimTalk notice carries its notice template's Kakao template code; its sender
    profile (the operator's search id, ``@termsops``) is sent as the configured channel ``SOLAPI_PFID``."""
    from messaging.models import Notice, NoticeTemplate
    from messaging.services.notices import _outbound

    template = NoticeTemplate.objects.create(
        event="invoice.issued",
        channel="alimtalk",
        subject="청구서",
        body="청구서가 발행되었습니다.",
        kakao_template_code="KA01TP261110000000000NOTICE01",
    )
    notice = Notice.objects.create(
        customer=paid_customer,
        recipient="010-2000-0000",
        channel="alimtalk",
        event="invoice.issued",
        template=template,
        subject="청구서",
        body="청구서가 발행되었습니다.",
    )
    outbound = _outbound(notice)
    assert (outbound.sender, outbound.template_code) == ("@termsops", "KA01TP261110000000000NOTICE01")
    with respx.mock(base_url=BASE_URL) as router:
        route = router.post(SEND).mock(return_value=reply("send_success", ref0=outbound.client_ref, ref1="x"))
        [receipt] = adapter().send_many([outbound])
    [sent] = json.loads(route.calls.last.request.content)["messages"]
    assert (
        sent["kakaoOptions"]["pfId"] == PFID and sent["kakaoOptions"]["templateId"] == outbound.template_code
    )
    assert receipt.accepted


@pytest.mark.django_db
def test_polling_follows_pages_and_keeps_its_cursor_when_they_run_out(monkeypatch):
    """MSG-6: a poll follows Solapi's ``nextKey``; when more changed than its page limit holds, the cursor
    is kept, so the next poll reads the window again instead of skipping what did not fit."""
    from django.core.cache import cache

    from messaging.providers import solapi

    first = recording("results_list", ref0="101", ref1="102", ref2="107")["response"]["body"]
    first["nextKey"] = "M4V-NEXT"
    second = {
        "limit": 500,
        "nextKey": None,
        "messageList": {
            "M4V-LAST": {
                **first["messageList"]["M4V20261110140000SMSREC00000001"],
                "messageId": "M4V-LAST",
                "customFields": {"ref": "108"},
            }
        },
    }
    pages = [httpx.Response(200, json=first), httpx.Response(200, json=second)]
    cache.delete(CURSOR_KEY)
    with respx.mock(base_url=BASE_URL) as router:
        route = router.get(LIST).mock(side_effect=pages)
        reports = adapter().fetch_results(NOW)
    assert route.calls[1].request.url.params["startKey"] == "M4V-NEXT"
    assert [r.provider_message_id for r in reports][-1] == "M4V-LAST" and len(reports) == 3
    cursor = cache.get(CURSOR_KEY)
    monkeypatch.setattr(solapi, "POLL_PAGES", 1)
    with respx.mock(base_url=BASE_URL) as router:
        router.get(LIST).mock(return_value=httpx.Response(200, json=first))
        assert len(adapter().fetch_results(NOW + dt.timedelta(hours=1))) == 2
    assert cache.get(CURSOR_KEY) == cursor


def test_a_result_is_read_whatever_else_the_message_carries():
    """MSG-6: a final result is read from its message id, status and our reference; options Solapi adds
    to a message (here an unexpected Kakao option) do not make it unreadable."""
    from messaging.providers.solapi import report_from

    item = {
        "messageId": "M4V-1",
        "statusCode": "3104",
        "statusMessage": "결번",
        "customFields": {"ref": "101"},
        "kakaoOptions": {"pfId": 7, "buttons": "not a list", "disableSms": "maybe"},
    }
    report = report_from(item, NOW)
    assert report is not None and (
        report.provider_message_id,
        report.delivered,
        report.reason,
        report.at,
    ) == (
        "M4V-1",
        False,
        "결번",
        NOW,
    )
    assert report_from({**item, "statusCode": "2000"}, NOW) is None
    assert report_from({**item, "customFields": None}, NOW) is None
