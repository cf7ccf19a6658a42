"""ROME job appellations for job descriptions (DOMAIN §10), and searching them.

The list lives in app/data/rome_appellations.csv (columns: code, appellation,
sector): job titles written for Parcours, each filed under the code of its
ROME family (Répertoire opérationnel des métiers et des emplois, France
Travail), e.g. F1703 "Maçonnerie", K2204 "Nettoyage de locaux". The sector
is a plain label grouping the trades typical of IAE hiring.

Search ignores accents, case and punctuation: "macon" finds "Maçon / Maçonne",
"agent entretien" finds "Agent / Agente d'entretien de locaux".
"""
import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = [
    "Appellation", "ROME_CODE_PATTERN", "load_appellations", "search_appellations",
    "get_appellation", "appellations_for_code", "normalize",
]

# A ROME code: a domain letter then 4 digits (A1203, F1703, K2204...).
ROME_CODE_PATTERN = re.compile(r"^[A-N][0-9]{4}$")

DATA_PACKAGE, DATA_FILE = "app.data", "rome_appellations.csv"
COLUMNS = ("code", "appellation", "sector")

# Words too common to narrow a search ("agent d'entretien" = "agent entretien").
_STOP_WORDS = frozenset({
    "a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "ou", "sur",
})
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class Appellation:
    code: str    # ROME code, e.g. "F1703"
    title: str   # the appellation, e.g. "Maçon / Maçonne"
    sector: str  # e.g. "Gros œuvre et travaux publics"

    @property
    def label(self):
        """As shown in a choice list: "Maçon / Maçonne (F1703)"."""
        return f"{self.title} ({self.code})"


def normalize(text):
    """Lower case, no accents, ligatures spelt out, punctuation as spaces, single-spaced."""
    text = unicodedata.normalize("NFKD", str(text or "")).casefold()
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = text.replace("œ", "oe").replace("æ", "ae")
    return _NOT_ALNUM.sub(" ", text).strip()


@lru_cache(maxsize=1)
def load_appellations():
    """Every appellation, in file order (a tuple; read once).

    Raises ValueError on a malformed row: the file ships with the code and a
    bad row is a bug to fix, not data to skip.
    """
    text = resources.files(DATA_PACKAGE).joinpath(DATA_FILE).read_text(encoding="utf-8")
    reader = csv.DictReader(text.splitlines())
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ValueError(f"{DATA_FILE}: expected columns {COLUMNS}, got {reader.fieldnames}")
    appellations = []
    for line, row in enumerate(reader, start=2):
        code, title, sector = (str(row.get(column) or "").strip() for column in COLUMNS)
        if not ROME_CODE_PATTERN.match(code) or not title or not sector:
            raise ValueError(f"{DATA_FILE}, line {line}: malformed row {row!r}")
        appellations.append(Appellation(code, title, sector))
    return tuple(appellations)


@lru_cache(maxsize=1)
def _index():
    """(appellation, normalized title, its words) for each appellation."""
    return tuple(
        (appellation, normalize(appellation.title), tuple(normalize(appellation.title).split()))
        for appellation in load_appellations()
    )


def _word_match(token, words):
    """How well a query word matches the title's words: 0 whole word, 1 start of a word,
    2 inside a word, None not at all."""
    best = None
    for word in words:
        if word == token:
            return 0
        if word.startswith(token):
            best = 1
        elif best is None and token in word:
            best = 2
    return best


def search_appellations(query, limit=20):
    """Appellations whose title contains every word of `query`, best first.

    Words match anywhere in the title and in any order, ignoring accents, case
    and punctuation; small words (de, d', la, en...) are ignored unless the
    query has nothing else. A query that is a ROME code ("f1703") lists that
    family in file order. limit=None returns every match.

    Ranking: titles starting with the query, then titles where the query
    appears from the start of a word, then the rest; within each group whole
    words beat word starts, which beat matches inside a word; then shorter
    titles, then alphabetical order.
    """
    if limit is not None and limit <= 0:
        return []
    phrase = normalize(query)
    if not phrase:
        return []
    if ROME_CODE_PATTERN.match(phrase.upper()):
        found = appellations_for_code(phrase.upper())
        return found[:limit] if limit is not None else found
    tokens = phrase.split()
    significant = [token for token in tokens if token not in _STOP_WORDS] or tokens
    ranked = []
    for appellation, title, words in _index():
        scores = [_word_match(token, words) for token in significant]
        if None in scores:
            continue
        if title.startswith(phrase):
            place = 0
        elif f" {phrase}" in f" {title}":
            place = 1
        else:
            place = 2
        ranked.append(((place, sum(scores), len(title), title), appellation))
    ranked.sort(key=lambda item: item[0])
    found = [appellation for _, appellation in ranked]
    return found[:limit] if limit is not None else found


def appellations_for_code(code):
    """Every appellation filed under this ROME code, in file order."""
    code = str(code or "").strip().upper()
    return [appellation for appellation in load_appellations() if appellation.code == code]


def get_appellation(code, title):
    """The appellation with this ROME code and title (accents and case ignored), or None."""
    code = str(code or "").strip().upper()
    wanted = normalize(title)
    for appellation, normalized_title, _ in _index():
        if appellation.code == code and normalized_title == wanted:
            return appellation
    return None
