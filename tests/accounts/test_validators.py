import pytest

from accounts.validators import (
    business_number_check_digit,
    format_business_number,
    is_valid_business_number,
    normalize_business_number,
)
from tests.factories import make_business_number


@pytest.mark.parametrize(
    "number", ["1234567891", "2208162517", "123-45-67891", "220-81-62517", " 1234567891 "]
)
def test_valid_business_numbers(number):
    """ACC-2 (SPEC §12): 1234567891 and 2208162517 are valid; dashes and spaces are accepted."""
    assert is_valid_business_number(number)


@pytest.mark.parametrize("number", ["1234567890", "2208162518", "123456789", "12345678912", "12345a7891", ""])
def test_invalid_business_numbers(number):
    """ACC-2 (SPEC §12): 1234567890 is invalid; wrong lengths and non-digits are invalid."""
    assert not is_valid_business_number(number)


def test_normalize_and_format():
    """ACC-1/ACC-2: stored without dashes, displayed as 123-45-67891."""
    assert normalize_business_number("123-45-67891") == "1234567891"
    assert format_business_number("1234567891") == "123-45-67891"


def test_check_digit_and_factory_numbers():
    """ACC-2: the check-digit helper agrees with the validator, so factories produce valid numbers."""
    assert business_number_check_digit("123456789") == 1
    assert business_number_check_digit("220816251") == 7
    numbers = {make_business_number(n) for n in range(200)}
    assert len(numbers) == 200
    assert all(is_valid_business_number(n) for n in numbers)
