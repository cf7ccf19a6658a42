"""NIR, SIRET and phone numbers (app/domain/identifiers.py): pure, no Flask."""
import pytest
from stdnum.fr import nir as stdnum_nir

from app.domain.errors import DomainRuleError
from app.domain.identifiers import (
    InvalidIdentifier,
    format_french_phone,
    format_nir,
    nir_key,
    validate_french_phone,
    validate_nir,
    validate_siret,
)

VALID_NIRS = [
    "185057800608491",   # man born 05/1985 in Yvelines
    "269054958815780",   # woman born 05/1969 in Maine-et-Loire
    "185122B34567880",   # Haute-Corse: key computed with 2B → 18
    "291052A12345677",   # Corse-du-Sud: key computed with 2A → 19
    "790109912345627",   # temporary number (7), born abroad (99)
    "285509912345695",   # month 50: birth month unknown
]


@pytest.mark.parametrize("nir", VALID_NIRS)
def test_valid_nirs_agree_with_stdnum(nir):
    assert validate_nir(nir) == nir
    assert stdnum_nir.is_valid(nir)


def test_nir_is_normalized():
    assert validate_nir(" 1 85 05 78 006 084 91 ") == "185057800608491"
    assert validate_nir("1.85.05.78.006.084.91") == "185057800608491"
    assert validate_nir("185122b34567880") == "185122B34567880"


def test_nir_key_rule():
    # INSEE: key = 97 − (13 first digits mod 97)
    assert nir_key("1850578006084") == "%02d" % (97 - 1850578006084 % 97)
    assert nir_key("185122B345678") == "%02d" % (97 - 1851218345678 % 97)


@pytest.mark.parametrize("value, message", [
    ("", "Le NIR doit compter 15 caractères (13 chiffres et une clé de 2 chiffres)."),
    ("18505780060849", "Le NIR doit compter 15 caractères (13 chiffres et une clé de 2 chiffres)."),
    ("1850578006084911", "Le NIR doit compter 15 caractères (13 chiffres et une clé de 2 chiffres)."),
    ("18505780060849A", "Le NIR ne doit contenir que des chiffres (ou 2A / 2B pour un département de Corse)."),
    ("185052C00608491", "Le NIR ne doit contenir que des chiffres (ou 2A / 2B pour un département de Corse)."),
    ("585057800608491", "Le premier chiffre du NIR doit être 1 (homme) ou 2 (femme)."),
    ("185137800608491", "Le mois de naissance du NIR (4e et 5e chiffres) n'est pas valide."),
    ("185007800608491", "Le mois de naissance du NIR (4e et 5e chiffres) n'est pas valide."),
    ("185457800608491", "Le mois de naissance du NIR (4e et 5e chiffres) n'est pas valide."),
    ("185057800608436", "La clé du NIR ne correspond pas : vérifiez le numéro."),
    ("185122A34567880", "La clé du NIR ne correspond pas : vérifiez le numéro."),  # 2B's key with 2A
])
def test_invalid_nirs_have_french_messages(value, message):
    with pytest.raises(InvalidIdentifier) as excinfo:
        validate_nir(value)
    assert str(excinfo.value) == message


def test_invalid_identifier_is_a_value_error_and_a_domain_error():
    assert issubclass(InvalidIdentifier, ValueError)
    assert issubclass(InvalidIdentifier, DomainRuleError)


def test_format_nir():
    assert format_nir("185057800608491") == "1 85 05 78 006 084 91"
    assert format_nir("185122B34567880") == "1 85 12 2B 345 678 80"
    assert format_nir("123") == "123"
    assert format_nir(None) is None


# SIRETs computed for these tests: SIREN with its Luhn digit, then NIC 0001 and the SIRET's Luhn digit.
VALID_SIRETS = ["73282932000017", "55203253400018", "40483304800014"]


@pytest.mark.parametrize("siret", VALID_SIRETS)
def test_valid_sirets(siret):
    assert validate_siret(siret) == siret


def test_siret_is_normalized():
    assert validate_siret("732 829 320 00017") == "73282932000017"


def test_la_poste_sirets_use_their_own_rule():
    # SIREN 356 000 000: digit sum multiple of 5 instead of Luhn (handled by python-stdnum).
    assert validate_siret("35600000010000") == "35600000010000"
    assert validate_siret("35600000000048") == "35600000000048"  # head office: plain Luhn


@pytest.mark.parametrize("value", ["", "7328293200001", "732829320000171", "7328293200001A"])
def test_siret_length(value):
    with pytest.raises(InvalidIdentifier, match="^Le SIRET doit compter 14 chiffres.$"):
        validate_siret(value)


@pytest.mark.parametrize("value", ["73282932000018", "73282932100017", "35600000010001"])
def test_siret_key(value):
    with pytest.raises(InvalidIdentifier) as excinfo:
        validate_siret(value)
    assert str(excinfo.value) == "Ce SIRET n'est pas valide (clé de contrôle incorrecte)."


@pytest.mark.parametrize("value, expected", [
    ("0612345678", "0612345678"),
    ("06 12 34 56 78", "0612345678"),
    ("06.12.34.56.78", "0612345678"),
    ("06-12-34-56-78", "0612345678"),
    ("+33612345678", "0612345678"),
    ("+33 6 12 34 56 78", "0612345678"),
    ("+33 (0)6 12 34 56 78", "0612345678"),
    ("0033 1 23 45 67 89", "0123456789"),
    ("0262 12 34 56", "0262123456"),
])
def test_valid_phones(value, expected):
    assert validate_french_phone(value) == expected


@pytest.mark.parametrize("value", ["", "061234567", "06123456789", "0012345678", "+44612345678", "06123456ab", "612345678"])
def test_invalid_phones(value):
    with pytest.raises(InvalidIdentifier, match="numéro de téléphone français"):
        validate_french_phone(value)


def test_format_phone():
    assert format_french_phone("0612345678") == "06 12 34 56 78"
    assert format_french_phone("12") == "12"
