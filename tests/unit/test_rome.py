"""ROME appellations (app/domain/rome.py, app/data/rome_appellations.csv, DOMAIN §10)."""
import csv
from collections import Counter
from importlib import resources

import pytest

from app.domain.rome import (
    ROME_CODE_PATTERN,
    Appellation,
    appellations_for_code,
    get_appellation,
    load_appellations,
    normalize,
    search_appellations,
)


def titles(results):
    return [appellation.title for appellation in results]


# --- data integrity -----------------------------------------------------------

def raw_rows():
    text = resources.files("app.data").joinpath("rome_appellations.csv").read_text(encoding="utf-8")
    return list(csv.reader(text.splitlines()))


def test_file_has_the_three_columns_and_clean_cells():
    rows = raw_rows()
    assert rows[0] == ["code", "appellation", "sector"]
    for row in rows[1:]:
        assert len(row) == 3, row
        assert all(cell == cell.strip() and cell for cell in row), row


def test_at_least_300_appellations():
    assert len(load_appellations()) >= 300
    assert len(load_appellations()) == len(raw_rows()) - 1


def test_codes_are_a_letter_and_four_digits():
    for appellation in load_appellations():
        assert ROME_CODE_PATTERN.match(appellation.code), appellation


def test_code_and_appellation_pairs_are_unique():
    pairs = Counter((a.code, normalize(a.title)) for a in load_appellations())
    assert [pair for pair, count in pairs.items() if count > 1] == []


def test_sectors_typical_of_iae_hiring_are_covered():
    sectors = {a.sector for a in load_appellations()}
    assert len(sectors) >= 15
    codes = {a.code for a in load_appellations()}
    for code in ("A1203", "A1414", "F1703", "F1606", "K2204", "K2304", "N1103", "N1105",
                 "G1602", "G1605", "K1302", "K1304", "D1507", "H2402", "I1607", "M1601", "N4105"):
        assert code in codes, code


def test_loading_is_cached():
    assert load_appellations() is load_appellations()


# --- normalize ------------------------------------------------------------------

def test_normalize_removes_accents_case_ligatures_and_punctuation():
    assert normalize("Maçon / Maçonne") == "macon maconne"
    assert normalize("Agent / Agente d'entretien") == "agent agente d entretien"
    assert normalize("Manœuvre  du  BÂTIMENT") == "manoeuvre du batiment"
    assert normalize(None) == ""


# --- search ---------------------------------------------------------------------

def test_accent_and_case_insensitive():
    assert titles(search_appellations("macon"))[0] == "Maçon / Maçonne"
    assert titles(search_appellations("MAÇON"))[0] == "Maçon / Maçonne"
    assert "Électricien / Électricienne du bâtiment" in titles(search_appellations("electricien batiment"))


def test_words_match_anywhere_in_any_order():
    assert "Agent / Agente d'entretien de locaux" in titles(search_appellations("agent entretien"))
    assert "Agent / Agente d'entretien de locaux" in titles(search_appellations("entretien agent"))
    assert titles(search_appellations("locaux entretien")) == ["Agent / Agente d'entretien de locaux"]


def test_small_words_are_ignored():
    with_article = titles(search_appellations("agent d'entretien de locaux"))
    assert with_article == ["Agent / Agente d'entretien de locaux"]


def test_every_word_must_match():
    assert search_appellations("macon astronaute") == []
    assert search_appellations("zzzz") == []


def test_feminine_forms_are_found():
    assert "Cuisinier / Cuisinière" in titles(search_appellations("cuisiniere"))
    assert "Maçon / Maçonne" in titles(search_appellations("maconne"))


def test_titles_starting_with_the_query_come_first():
    results = titles(search_appellations("macon", limit=None))
    starting = [t for t in results if normalize(t).startswith("macon")]
    assert results[:len(starting)] == starting
    assert "Aide-maçon / Aide-maçonne" in results[len(starting):]


def test_phrase_at_a_word_start_beats_scattered_words():
    results = titles(search_appellations("aide macon", limit=None))
    assert results[0] == "Aide-maçon / Aide-maçonne"


def test_whole_word_beats_start_of_word_and_inside_word():
    def tier(title):
        normalized = normalize(title)
        if normalized.startswith("tri"):
            return 0  # the title starts with the query
        words = normalized.split()
        if "tri" in words:
            return 1  # a whole word
        if any(word.startswith("tri") for word in words):
            return 2  # the start of a word ("trieuse")
        return 3      # inside a word ("conductrice")

    tiers = [tier(title) for title in titles(search_appellations("tri", limit=None))]
    assert tiers == sorted(tiers)
    assert set(tiers) == {0, 1, 2, 3}


def test_shorter_titles_first_among_equals():
    results = titles(search_appellations("macon"))
    assert results[0] == "Maçon / Maçonne"
    assert len(results[1]) <= len(results[2])


def test_limit():
    assert len(search_appellations("agent", limit=5)) == 5
    assert len(search_appellations("agent")) == 20
    assert len(search_appellations("agent", limit=None)) > 20
    assert search_appellations("agent", limit=0) == []


def test_empty_query():
    assert search_appellations("") == []
    assert search_appellations("   ") == []
    assert search_appellations(None) == []
    assert search_appellations("' / -") == []


def test_a_rome_code_lists_its_family_in_file_order():
    results = search_appellations("f1703", limit=None)
    assert results == appellations_for_code("F1703")
    assert results[0].title == "Maçon / Maçonne"
    assert {a.code for a in results} == {"F1703"}


def test_results_are_appellations():
    result = search_appellations("plongeur")[0]
    assert isinstance(result, Appellation)
    assert result.code == "G1605"
    assert result.label == "Plongeur / Plongeuse (G1605)"


# --- get_appellation -------------------------------------------------------------

def test_get_appellation_by_code_and_title():
    found = get_appellation("K2204", "Agent / Agente d'entretien de locaux")
    assert found == Appellation("K2204", "Agent / Agente d'entretien de locaux", "Propreté et nettoyage")
    assert get_appellation("f1703", "maçon / MACONNE").title == "Maçon / Maçonne"


@pytest.mark.parametrize("code, title", [
    ("F1606", "Maçon / Maçonne"),   # right title, wrong code
    ("F1703", "Maçon"),             # partial title
    ("Z9999", "Maçon / Maçonne"),
    (None, None),
])
def test_get_appellation_none_when_absent(code, title):
    assert get_appellation(code, title) is None
