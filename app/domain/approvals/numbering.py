"""PASS IAE numbers (DOMAIN §7.1): "99999" + a 7-digit sequence, shown as "99999 00 00123".

Pure formatting and checking only: the next sequence value is taken under a
database lock elsewhere, so two hires never get the same number.
"""
import re

from app.domain.errors import DomainRuleError, InvalidIdentifier

# DOMAIN §7.1: 12 characters, the platform's prefix then a 7-digit sequence.
PASS_NUMBER_PREFIX = "99999"
SEQUENCE_DIGITS = 7
PASS_NUMBER_LENGTH = len(PASS_NUMBER_PREFIX) + SEQUENCE_DIGITS
MAX_SEQUENCE = 10**SEQUENCE_DIGITS - 1

# Separators people paste inside a number ("99999 00 00123", "99999-00-00123").
_SEPARATORS = re.compile(r"[\s.\-]")


def pass_number_from_sequence(sequence):
    """The PASS number for a sequence value: 123 → "999990000123".

    Sequences start at 1; 0 is refused so that "999990000000" never exists.
    """
    if isinstance(sequence, bool) or not isinstance(sequence, int):
        raise TypeError(f"sequence must be an int, not {type(sequence).__name__}")
    if sequence < 1:
        raise ValueError(f"sequence must be at least 1, got {sequence}")
    if sequence > MAX_SEQUENCE:
        raise DomainRuleError(
            f"La numérotation des PASS IAE est épuisée : le numéro de séquence {sequence} "
            f"dépasse {MAX_SEQUENCE} ({SEQUENCE_DIGITS} chiffres)."
        )
    return f"{PASS_NUMBER_PREFIX}{sequence:0{SEQUENCE_DIGITS}d}"


def validate_pass_number(value):
    """Normalize (separators removed) and check a PASS number; return its 12 digits."""
    number = _SEPARATORS.sub("", str(value or ""))
    if len(number) != PASS_NUMBER_LENGTH or not number.isascii() or not number.isdigit():
        raise InvalidIdentifier(
            f"Le numéro de PASS IAE doit compter {PASS_NUMBER_LENGTH} chiffres "
            "(par exemple 99999 00 00123)."
        )
    if not number.startswith(PASS_NUMBER_PREFIX):
        raise InvalidIdentifier(f"Le numéro de PASS IAE doit commencer par {PASS_NUMBER_PREFIX}.")
    return number


def sequence_from_pass_number(value):
    """The sequence value inside a PASS number: "99999 00 00123" → 123."""
    return int(validate_pass_number(value)[len(PASS_NUMBER_PREFIX):])


def format_pass_number(value):
    """The number as shown to users, 5-2-5 digits: "999990000123" → "99999 00 00123"."""
    number = validate_pass_number(value)
    return f"{number[:5]} {number[5:7]} {number[7:]}"
