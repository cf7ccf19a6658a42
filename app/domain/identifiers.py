"""French identifiers: NIR, SIRET and phone numbers, checked and normalized.

Each validate_* function returns the normalized value or raises
InvalidIdentifier with a French message meant for the user.
"""
import re

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret as stdnum_siret

from app.domain.errors import InvalidIdentifier

__all__ = [
    "InvalidIdentifier",
    "validate_nir",
    "format_nir",
    "validate_siret",
    "validate_french_phone",
    "format_french_phone",
]

# Separators people type inside numbers; removed before checking.
_SEPARATORS = re.compile(r"[\s.\-/]")

# NIR layout (INSEE, "numéro d'inscription au répertoire", 13 chars + 2-digit key):
#   sex(1) year(2) month(2) département(2) commune(3) order(3) key(2).
# Sex: 1 man, 2 woman; 3/4 (foreign-born, provisional) and 7/8 (temporary
# numbers, NIA) are accepted since such people do apply.
_NIR_SEXES = "123478"
# Month: 01–12; INSEE also issues 20–42 and 50–99 when the birth month is
# unknown (incomplete civil status), so those are valid too.
_NIR_PATTERN = re.compile(r"^[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{8}$")
# Corsica: the key is computed with 2A replaced by 19 and 2B by 18 (INSEE rule).
_CORSICA = {"2A": "19", "2B": "18"}


def _nir_month_ok(month):
    value = int(month)
    return 1 <= value <= 12 or 20 <= value <= 42 or 50 <= value <= 99


def nir_key(first_13):
    """The 2-digit key of a NIR: 97 − (number mod 97), per INSEE."""
    department = first_13[5:7]
    digits = first_13[:5] + _CORSICA.get(department, department) + first_13[7:13]
    return "%02d" % (97 - int(digits) % 97)


def validate_nir(value):
    """Normalize (no spaces, upper case) and check a NIR; return its 15 characters."""
    nir = _SEPARATORS.sub("", str(value or "")).upper()
    if len(nir) != 15:
        raise InvalidIdentifier("Le NIR doit compter 15 caractères (13 chiffres et une clé de 2 chiffres).")
    if not _NIR_PATTERN.match(nir):
        raise InvalidIdentifier(
            "Le NIR ne doit contenir que des chiffres (ou 2A / 2B pour un département de Corse)."
        )
    if nir[0] not in _NIR_SEXES:
        raise InvalidIdentifier("Le premier chiffre du NIR doit être 1 (homme) ou 2 (femme).")
    if not _nir_month_ok(nir[3:5]):
        raise InvalidIdentifier("Le mois de naissance du NIR (4e et 5e chiffres) n'est pas valide.")
    if nir_key(nir[:13]) != nir[13:]:
        raise InvalidIdentifier("La clé du NIR ne correspond pas : vérifiez le numéro.")
    return nir


def format_nir(nir):
    """Group a NIR for display: "1 85 05 78 006 084 91". Leaves anything else unchanged."""
    compact = _SEPARATORS.sub("", str(nir or "")).upper()
    if len(compact) != 15:
        return nir
    parts = (compact[0], compact[1:3], compact[3:5], compact[5:7], compact[7:10], compact[10:13], compact[13:])
    return " ".join(parts)


def validate_siret(value):
    """Normalize and check a SIRET (14 digits); return the 14 digits.

    Key: Luhn over the 14 digits (INSEE); La Poste establishments
    (SIREN 356 000 000) use a digit sum multiple of 5 instead, which
    python-stdnum handles.
    """
    siret = _SEPARATORS.sub("", str(value or ""))
    if len(siret) != 14 or not siret.isdigit():
        raise InvalidIdentifier("Le SIRET doit compter 14 chiffres.")
    try:
        return stdnum_siret.validate(siret)
    except StdnumError:
        raise InvalidIdentifier("Ce SIRET n'est pas valide (clé de contrôle incorrecte).") from None


# French numbering plan (ARCEP): 10 digits, leading 0, second digit 1–9.
# +33 / 0033 international forms are turned into the national form.
_PHONE_PATTERN = re.compile(r"^0[1-9][0-9]{8}$")


def validate_french_phone(value):
    """Normalize and check a French phone number; return it as 10 digits ("0612345678")."""
    phone = re.sub(r"[\s.\-()/]", "", str(value or ""))
    if phone.startswith("+33"):
        phone = "0" + phone[3:]
    elif phone.startswith("0033"):
        phone = "0" + phone[4:]
    # "+33 (0)6…" is a common way of writing it: drop the extra 0.
    if phone.startswith("00") and len(phone) == 11:
        phone = phone[1:]
    if not _PHONE_PATTERN.match(phone):
        raise InvalidIdentifier(
            "Saisissez un numéro de téléphone français à 10 chiffres (ex. 06 12 34 56 78) "
            "ou au format international +33."
        )
    return phone


def format_french_phone(phone):
    """Group a normalized phone number by pairs for display: "06 12 34 56 78"."""
    compact = str(phone or "")
    if not _PHONE_PATTERN.match(compact):
        return phone
    return " ".join(compact[i:i + 2] for i in range(0, 10, 2))
