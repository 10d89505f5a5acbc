"""Korean particles that agree with the word before them (issue 15).

A message template cannot know whether the name or number put before its particle ends in a consonant,
so the Korean msgids write both forms: "계약 {number}은(는)", "{role}(으)로", "{name}을(를)". Once the
values are in, :func:`particles` picks the one a Korean reader expects — "계약 C-2026-0001은", "관리자로",
"홍길동을" — from the sound the text before it ends with:

- a Hangul syllable: its final consonant (받침); ㄹ counts as none for (으)로 ("서울로", not "서울으로");
- a number: how it is read ("1" 일, "3" 삼, "10" 십, "100" 백, "2026" … 육);
- a single Latin letter or an upper-case code ending in a letter: the letter's Korean name (L 엘, M 엠,
  N 엔, R 알 end in a consonant);
- closing quotes are looked through ("'베이직'은"), and a parenthetical is skipped: the particle agrees
  with the word before it ("홍길동(2026-01-01)은").

Anything else (a lower-case English word, an empty value) keeps both forms, which reads correctly, only
less smoothly. Applied where text reaches people: :class:`core.errors.DomainError` refusals, the messages
shown after an action (``core.messages``), notices as rendered, and the ``particles`` template filter.
"""

from __future__ import annotations

import re

_PAIRS = {
    "은(는)": ("은", "는"),
    "는(은)": ("은", "는"),
    "이(가)": ("이", "가"),
    "가(이)": ("이", "가"),
    "을(를)": ("을", "를"),
    "를(을)": ("을", "를"),
    "과(와)": ("과", "와"),
    "와(과)": ("과", "와"),
    "(이)라": ("이라", "라"),
}
_PATTERN = re.compile("|".join(re.escape(k) for k in [*_PAIRS, "(으)로"]))

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_RIEUL = 8  # index of ㄹ among the final consonants
#: Final consonant of each digit as read alone: 영(ㅇ) 일(ㄹ) 이 삼(ㅁ) 사 오 육(ㄱ) 칠(ㄹ) 팔(ㄹ) 구.
_DIGIT_FINAL = {
    "0": 21,
    "1": _RIEUL,
    "2": 0,
    "3": 16,
    "4": 0,
    "5": 0,
    "6": 1,
    "7": _RIEUL,
    "8": _RIEUL,
    "9": 0,
}
#: Trailing zeros of a number read as a unit: 십(ㅂ) 백(ㄱ) 천(ㄴ) 만(ㄴ).
_TENS_FINAL = {1: 17, 2: 1, 3: 4, 4: 4}
#: Latin letters whose Korean names end in a consonant: 엘, 엠, 엔, 알.
_LETTER_FINAL = {"L": _RIEUL, "M": 16, "N": 4, "R": _RIEUL}
_CLOSERS = "'\"’”」』》〉]"
_OPENERS = {")": "(", "）": "（"}


def _final(text: str) -> int | None:
    """The final consonant index (0 = none, 8 = ㄹ) of the sound ``text`` ends with; None if unknown."""
    end = len(text)
    while end and text[end - 1] in _CLOSERS:
        end -= 1
    if end and text[end - 1] in _OPENERS:
        opener, depth, i = _OPENERS[text[end - 1]], 0, end - 1
        while i >= 0:
            depth += text[i] == text[end - 1]
            depth -= text[i] == opener
            if depth == 0:
                break
            i -= 1
        if i > 0:
            return _final(text[:i])
        return None
    if not end:
        return None
    char = text[end - 1]
    if _HANGUL_FIRST <= ord(char) <= _HANGUL_LAST:
        return (ord(char) - _HANGUL_FIRST) % 28
    if char.isdigit() and char.isascii():
        digits = re.search(r"\d+$", text[:end])
        number = digits.group(0) if digits else char
        stripped = number.rstrip("0")
        zeros = len(number) - len(stripped)
        if zeros and stripped:
            return _TENS_FINAL[min(zeros, 4)]
        return _DIGIT_FINAL[char]
    if char.isascii() and char.isalpha():
        word = re.search(r"[A-Za-z]+$", text[:end])
        if word and (len(word.group(0)) == 1 or word.group(0).isupper()):
            return _LETTER_FINAL.get(char.upper(), 0)
    return None


def particles(text: str) -> str:
    """``text`` with each written-both-ways particle resolved where the sound before it is known."""
    if "(" not in text:
        return text

    def pick(match: re.Match[str]) -> str:
        final = _final(text[: match.start()])
        if final is None:
            return match.group(0)
        if match.group(0) == "(으)로":
            return "으로" if final not in (0, _RIEUL) else "로"
        with_final, without = _PAIRS[match.group(0)]
        return with_final if final else without

    return _PATTERN.sub(pick, text)
