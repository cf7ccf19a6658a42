"""Places: French postcodes and the département they belong to (DOMAIN §2, §10).

The département is derived from the postcode as La Poste assigns them: the first
two digits, except Corsica (20xxx: 200xx–201xx Corse-du-Sud "2A", 202xx–206xx
Haute-Corse "2B") and overseas, where the first three digits name it (971
Guadeloupe … 976 Mayotte, 975 Saint-Pierre-et-Miquelon, 98x collectivities).
Cedex and special codes follow the same rule.
"""
import re

__all__ = ["DEPARTMENTS", "department_for_postcode", "department_label", "normalize_department",
           "validate_postcode"]

DEPARTMENTS = {
    "01": "Ain", "02": "Aisne", "03": "Allier", "04": "Alpes-de-Haute-Provence", "05": "Hautes-Alpes",
    "06": "Alpes-Maritimes", "07": "Ardèche", "08": "Ardennes", "09": "Ariège", "10": "Aube",
    "11": "Aude", "12": "Aveyron", "13": "Bouches-du-Rhône", "14": "Calvados", "15": "Cantal",
    "16": "Charente", "17": "Charente-Maritime", "18": "Cher", "19": "Corrèze", "2A": "Corse-du-Sud",
    "2B": "Haute-Corse", "21": "Côte-d'Or", "22": "Côtes-d'Armor", "23": "Creuse", "24": "Dordogne",
    "25": "Doubs", "26": "Drôme", "27": "Eure", "28": "Eure-et-Loir", "29": "Finistère",
    "30": "Gard", "31": "Haute-Garonne", "32": "Gers", "33": "Gironde", "34": "Hérault",
    "35": "Ille-et-Vilaine", "36": "Indre", "37": "Indre-et-Loire", "38": "Isère", "39": "Jura",
    "40": "Landes", "41": "Loir-et-Cher", "42": "Loire", "43": "Haute-Loire", "44": "Loire-Atlantique",
    "45": "Loiret", "46": "Lot", "47": "Lot-et-Garonne", "48": "Lozère", "49": "Maine-et-Loire",
    "50": "Manche", "51": "Marne", "52": "Haute-Marne", "53": "Mayenne", "54": "Meurthe-et-Moselle",
    "55": "Meuse", "56": "Morbihan", "57": "Moselle", "58": "Nièvre", "59": "Nord",
    "60": "Oise", "61": "Orne", "62": "Pas-de-Calais", "63": "Puy-de-Dôme", "64": "Pyrénées-Atlantiques",
    "65": "Hautes-Pyrénées", "66": "Pyrénées-Orientales", "67": "Bas-Rhin", "68": "Haut-Rhin", "69": "Rhône",
    "70": "Haute-Saône", "71": "Saône-et-Loire", "72": "Sarthe", "73": "Savoie", "74": "Haute-Savoie",
    "75": "Paris", "76": "Seine-Maritime", "77": "Seine-et-Marne", "78": "Yvelines", "79": "Deux-Sèvres",
    "80": "Somme", "81": "Tarn", "82": "Tarn-et-Garonne", "83": "Var", "84": "Vaucluse",
    "85": "Vendée", "86": "Vienne", "87": "Haute-Vienne", "88": "Vosges", "89": "Yonne",
    "90": "Territoire de Belfort", "91": "Essonne", "92": "Hauts-de-Seine", "93": "Seine-Saint-Denis",
    "94": "Val-de-Marne", "95": "Val-d'Oise",
    "971": "Guadeloupe", "972": "Martinique", "973": "Guyane", "974": "La Réunion",
    "975": "Saint-Pierre-et-Miquelon", "976": "Mayotte", "977": "Saint-Barthélemy", "978": "Saint-Martin",
    "986": "Wallis-et-Futuna", "987": "Polynésie française", "988": "Nouvelle-Calédonie",
}

_POSTCODE = re.compile(r"^\d{5}$")
INVALID_POSTCODE = "Saisissez un code postal français de 5 chiffres (ex. 35000)."
UNKNOWN_POSTCODE = "Ce code postal ne correspond à aucun département : vérifiez-le (ex. 35000)."


def department_for_postcode(postcode):
    """The département code of a 5-digit postcode ("35000" → "35", "20090" → "2A",
    "97400" → "974"), or None when the postcode is malformed or names no département."""
    postcode = str(postcode or "").strip()
    if not _POSTCODE.match(postcode):
        return None
    if postcode.startswith("20"):
        code = "2A" if postcode[2] in "01" else "2B"
    elif postcode[:2] in ("97", "98"):
        code = postcode[:3]
    else:
        code = postcode[:2]
    return code if code in DEPARTMENTS else None


def validate_postcode(postcode):
    """The postcode without spaces ("35 000" → "35000"); ValueError with a French message if it
    is not 5 digits or names no département."""
    cleaned = re.sub(r"\s+", "", str(postcode or ""))
    if not _POSTCODE.match(cleaned):
        raise ValueError(INVALID_POSTCODE)
    if department_for_postcode(cleaned) is None:
        raise ValueError(UNKNOWN_POSTCODE)
    return cleaned


def normalize_department(value):
    """A département code as typed ("35", "2a", "974", "5" for "05") in its canonical form, or None."""
    code = str(value or "").strip().upper()
    if len(code) == 1 and code.isdigit():
        code = "0" + code
    return code if code in DEPARTMENTS else None


def department_label(code):
    """"35 — Ille-et-Vilaine"; the bare code when unknown."""
    name = DEPARTMENTS.get(code or "")
    return f"{code} — {name}" if name else (code or "")
