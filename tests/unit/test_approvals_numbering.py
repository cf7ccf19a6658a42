"""PASS IAE numbers (app/domain/approvals/numbering.py, DOMAIN §7.1): pure, no Flask."""
import pytest

from app.domain.approvals import (
    format_pass_number,
    pass_number_from_sequence,
    sequence_from_pass_number,
    validate_pass_number,
)
from app.domain.errors import DomainRuleError, InvalidIdentifier


def test_format_groups_five_two_five():
    assert format_pass_number("999990000123") == "99999 00 00123"
    assert format_pass_number("999999999999") == "99999 99 99999"


def test_format_accepts_an_already_formatted_number():
    assert format_pass_number("99999 00 00123") == "99999 00 00123"
    assert format_pass_number("99999-00-00123") == "99999 00 00123"


@pytest.mark.parametrize(
    "sequence, number",
    [(1, "999990000001"), (123, "999990000123"), (1234567, "999991234567"), (9_999_999, "999999999999")],
)
def test_number_from_sequence_is_zero_padded_to_seven_digits(sequence, number):
    assert pass_number_from_sequence(sequence) == number
    assert sequence_from_pass_number(number) == sequence
    assert validate_pass_number(number) == number


def test_sequence_beyond_seven_digits_is_refused_in_french():
    with pytest.raises(DomainRuleError, match="numérotation des PASS IAE est épuisée"):
        pass_number_from_sequence(10_000_000)


@pytest.mark.parametrize("bad", [0, -1])
def test_sequence_starts_at_one(bad):
    with pytest.raises(ValueError):
        pass_number_from_sequence(bad)


@pytest.mark.parametrize("bad", ["12", 1.0, True, None])
def test_sequence_must_be_an_int(bad):
    with pytest.raises(TypeError):
        pass_number_from_sequence(bad)


@pytest.mark.parametrize("bad", ["", None, "99999000012", "9999900001234", "99999000012a", "99999 00 0012",
                                 "９９９９９００００１２３"])
def test_wrong_length_or_non_digits_is_refused(bad):
    with pytest.raises(InvalidIdentifier) as excinfo:
        validate_pass_number(bad)
    assert str(excinfo.value) == "Le numéro de PASS IAE doit compter 12 chiffres (par exemple 99999 00 00123)."


def test_wrong_prefix_is_refused():
    with pytest.raises(InvalidIdentifier) as excinfo:
        validate_pass_number("123450000123")
    assert str(excinfo.value) == "Le numéro de PASS IAE doit commencer par 99999."
    with pytest.raises(DomainRuleError):
        format_pass_number("999980000123")
