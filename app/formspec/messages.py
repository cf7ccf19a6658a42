"""The French messages forms show, in one place so HTML and API say the same thing."""

REQUIRED = "Ce champ est obligatoire."
INVALID_DATE = "Saisissez une date valide (jj/mm/aaaa)."
INVALID_ISO_DATE = "Saisissez une date valide au format AAAA-MM-JJ (ex. 2026-11-22)."
INVALID_NUMBER = "Saisissez un nombre (ex. 35 ou 17,5)."
INVALID_CHOICE = "Choisissez une valeur dans la liste."
INVALID_CHOICES = "Choisissez uniquement des valeurs de la liste."
INVALID_EMAIL = "Saisissez une adresse e-mail valide (ex. nom@domaine.fr)."
NOT_PDF = "Le fichier doit être un document PDF."
UNKNOWN_FIELD = "Ce champ n'existe pas dans ce formulaire."
NOT_AN_OBJECT = "Les données doivent être un objet JSON (champ : valeur)."
EXPECTED_TEXT = "Indiquez un texte."
EXPECTED_BOOL = "Indiquez true ou false."
EXPECTED_LIST = "Indiquez une liste de codes."
EXPECTED_NUMBER = "Indiquez un nombre."
FILE_NOT_IN_JSON = "Un fichier s'envoie en multipart/form-data, pas en JSON."
CSRF = "Votre session a expiré ou le formulaire a été envoyé deux fois : rechargez la page et recommencez."
SELECT_PLACEHOLDER = "Sélectionner une option"


def max_length(limit):
    return f"Saisissez au plus {limit} caractères."


def number_range(low, high):
    if low is not None and high is not None:
        return f"Saisissez un nombre entre {_n(low)} et {_n(high)}."
    if low is not None:
        return f"Saisissez un nombre supérieur ou égal à {_n(low)}."
    return f"Saisissez un nombre inférieur ou égal à {_n(high)}."


def file_too_big(limit_mb):
    return f"Le fichier ne doit pas dépasser {_n(limit_mb)} Mo."


def _n(number):
    """French display of a number: 17,5 rather than 17.5."""
    return str(number).replace(".", ",")


def type_hint(field_spec):
    """The format hint shown under a field of this type, or ""."""
    kind = field_spec.type
    if kind == "date":
        return "Format attendu : jj/mm/aaaa."
    if kind == "nir":
        return "15 caractères : 13 chiffres et une clé de 2 chiffres."
    if kind == "siret":
        return "14 chiffres."
    if kind == "phone":
        return "Exemple : 06 12 34 56 78."
    if kind == "email":
        return "Format attendu : nom@domaine.fr."
    if kind == "file":
        return f"Format PDF, {_n(field_spec.max_size_mb)} Mo maximum."
    if kind == "number" and (field_spec.min is not None or field_spec.max is not None):
        return number_range(field_spec.min, field_spec.max).replace("Saisissez un nombre", "Un nombre")
    return ""
