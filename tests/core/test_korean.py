"""Issue 15: Korean particles written both ways in our messages agree with the value before them."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage import default_storage
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from core.errors import DomainError
from core.korean import particles


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("구성원 홍길동을(를) 추가했습니다.", "구성원 홍길동을 추가했습니다."),
        ("구성원 김하나을(를) 추가했습니다.", "구성원 김하나를 추가했습니다."),
        ("계약 C-2026-0001은(는) 해지되었습니다.", "계약 C-2026-0001은 해지되었습니다."),  # 일 → 은
        ("연도 2024이(가) 올바르지 않습니다.", "연도 2024가 올바르지 않습니다."),  # 사 → 가
        ("청구 10은(는)", "청구 10은"),  # 십
        ("청구 100을(를)", "청구 100을"),  # 백
        ("상태를 관리자(으)로 바꿨습니다.", "상태를 관리자로 바꿨습니다."),
        ("상태를 일반 구성원(으)로 바꿨습니다.", "상태를 일반 구성원으로 바꿨습니다."),
        ("서울(으)로", "서울로"),  # ㄹ takes 로
        ("요금제 '베이직'은(는) 신청할 수 없습니다.", "요금제 '베이직'은 신청할 수 없습니다."),
        ("요금제 '프로'은(는)", "요금제 '프로'는"),
        ("개통일(2026-01-01)은(는) 오늘 이전입니다.", "개통일(2026-01-01)은 오늘 이전입니다."),
        ("공지(점검 안내)을(를) 보냈습니다.", "공지(점검 안내)를 보냈습니다."),
        ("SMS(으)로 다시 보냈습니다.", "SMS로 다시 보냈습니다."),  # 에스
        ("URL이(가) 없습니다.", "URL이 없습니다."),  # 엘
        ("계정 hanbit-park은(는) 휴면입니다.", "계정 hanbit-park은(는) 휴면입니다."),  # unknown: both kept
        ("은(는) 앞에 아무것도 없음", "은(는) 앞에 아무것도 없음"),
        ("Refused: plan basic is not offered", "Refused: plan basic is not offered"),
        ("'베이직'와(과) '프로'", "'베이직'과 '프로'"),
    ],
)
def test_particles_agree_with_the_sound_before_them(text, expected):
    assert particles(text) == expected


def test_a_refusal_reads_with_the_right_particle():
    """Bad input gets a clear error (docs/architecture.md): the refusal reads as Korean, not as a form."""
    message = "요금제 '{plan}'은(는) 신청할 수 없습니다."
    error = DomainError("plan_unavailable", message, field="plan", plan="프로")
    with translation.override("ko"):
        assert error.plain_message == "요금제 '프로'는 신청할 수 없습니다."


def test_messages_after_an_action_and_the_template_filter():
    request = RequestFactory().get("/")
    request.session = {}
    request._messages = default_storage(request)
    request._messages.add(25, "구성원 {name}을(를) 추가했습니다.".format(name="김하나"))
    assert [m.message for m in get_messages(request)] == ["구성원 김하나를 추가했습니다."]
    rendered = Template("{% load termsops %}{% filter particles %}{{ n }}은(는) 끝{% endfilter %}").render(
        Context({"n": "박지민"})
    )
    assert rendered == "박지민은 끝"
