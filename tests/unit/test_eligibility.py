"""IAE eligibility rules (app/domain/eligibility.py, DOMAIN §6): pure, no Flask."""
from dataclasses import replace
from datetime import date, timedelta

import pytest

from app.domain.eligibility import (
    ADMINISTRATIVE_CRITERIA,
    CRITERIA,
    ELIGIBILITY_VOCABULARIES,
    EMPLOYER,
    GRID_LEVELS,
    MIN_LEVEL_2_CRITERIA,
    PRESCRIBER,
    SOCIO_PROFESSIONAL_GRID,
    SUPPORT_NEED_THEMES,
    SUPPORT_NEEDS,
    DiagnosisFacts,
    age_consistency,
    age_on,
    check_criteria_selection,
    check_socio_professional,
    check_support_needs,
    diagnosis_expiry,
    eligibility_needed,
    is_diagnosis_valid,
    meets_counting_rule,
    new_diagnosis,
    socio_professional_problems,
    usable_diagnoses,
    visible_to_prescriber,
)
from app.domain.errors import DomainRuleError
from app.domain.vocabularies import COMPANY_KINDS, SIAE_KINDS

LEVEL_2_CODES = ["CAP_BEP", "ASE", "TH", "PI", "QPV", "PM"]  # no exclusive pair among them
NON_SIAE_KINDS = [kind for kind in COMPANY_KINDS if kind not in SIAE_KINDS]


def refused(*args, **kwargs):
    with pytest.raises(DomainRuleError) as excinfo:
        check_criteria_selection(*args, **kwargs)
    return str(excinfo.value)


# --- the criteria themselves (DOMAIN §6.1) ---------------------------------

def test_criteria_codes_levels_and_labels():
    assert [c.code for c in ADMINISTRATIVE_CRITERIA if c.level == 1] == ["RSA", "ASS", "AAH", "DETLD"]
    assert [c.code for c in ADMINISTRATIVE_CRITERIA if c.level == 2] == [
        "CAP_BEP", "SENIOR", "JEUNE", "ASE", "DELD", "TH", "PI", "PSH_PR", "REF_DA", "ZRR", "QPV",
        "DETENTION_MJ", "FLE", "PM",
    ]
    assert CRITERIA["DETLD"].label == "Demandeur d'emploi de très longue durée (+24 mois)"
    assert CRITERIA["PSH_PR"].label == "Personne sans hébergement ou hébergée ou ayant un parcours de rue"
    assert CRITERIA["FLE"].label == "Maîtrise de la langue française inférieure au niveau A1"


def test_counting_rule_thresholds_by_kind():
    assert MIN_LEVEL_2_CRITERIA == {"AI": 2, "ETTI": 2, "ACI": 3, "EI": 3, "EITI": 3}
    assert set(MIN_LEVEL_2_CRITERIA) == set(SIAE_KINDS)


# --- check_criteria_selection ----------------------------------------------

@pytest.mark.parametrize("kind", SIAE_KINDS)
def test_one_level_1_criterion_is_enough_for_every_siae(kind):
    check_criteria_selection(["RSA"], kind)


@pytest.mark.parametrize("kind", SIAE_KINDS)
def test_exactly_n_level_2_criteria_is_enough(kind):
    needed = MIN_LEVEL_2_CRITERIA[kind]
    check_criteria_selection(LEVEL_2_CODES[:needed], kind)
    assert meets_counting_rule(LEVEL_2_CODES[:needed], kind)


@pytest.mark.parametrize("kind, message", [
    ("AI", "Pour une association intermédiaire (AI), il faut au moins 1 critère de niveau 1 "
           "ou 2 critères de niveau 2 (1 coché)."),
    ("ETTI", "Pour une entreprise de travail temporaire d'insertion (ETTI), il faut au moins "
             "1 critère de niveau 1 ou 2 critères de niveau 2 (1 coché)."),
    ("ACI", "Pour un atelier chantier d'insertion (ACI), il faut au moins 1 critère de niveau 1 "
            "ou 3 critères de niveau 2 (2 cochés)."),
    ("EI", "Pour une entreprise d'insertion (EI), il faut au moins 1 critère de niveau 1 "
           "ou 3 critères de niveau 2 (2 cochés)."),
    ("EITI", "Pour une entreprise d'insertion par le travail indépendant (EITI), il faut au moins "
             "1 critère de niveau 1 ou 3 critères de niveau 2 (2 cochés)."),
])
def test_n_minus_one_level_2_criteria_is_refused_naming_n_and_the_kind(kind, message):
    selection = LEVEL_2_CODES[:MIN_LEVEL_2_CRITERIA[kind] - 1]
    assert not meets_counting_rule(selection, kind)
    assert refused(selection, kind) == message


@pytest.mark.parametrize("codes, ticked", [([], "aucun coché"), (["TH"], "1 coché")])
def test_counting_message_says_how_many_were_ticked(codes, ticked):
    assert refused(codes, "EI").endswith(f"3 critères de niveau 2 ({ticked}).")


def test_none_counts_as_no_criteria():
    assert "aucun coché" in refused(None, "ACI")


def test_repeated_codes_count_once():
    assert "(2 cochés)" in refused(["TH", "TH", "PI", "PI", "PI"], "EI")


def test_the_2021_rule_of_three_no_longer_binds_ai_and_etti():
    check_criteria_selection(["TH", "PI"], "AI")
    check_criteria_selection(["TH", "PI"], "ETTI")
    with pytest.raises(DomainRuleError):
        check_criteria_selection(["TH", "PI"], "ACI")


@pytest.mark.parametrize("kind", SIAE_KINDS)
def test_prescriber_diagnosis_has_no_minimum(kind):
    check_criteria_selection([], kind, author=PRESCRIBER)
    check_criteria_selection(None, kind, author="prescriber")
    check_criteria_selection(["TH"], kind, author=PRESCRIBER)


@pytest.mark.parametrize("kind", NON_SIAE_KINDS + [None])
def test_no_counting_rule_outside_siae(kind):
    check_criteria_selection([], kind)
    assert meets_counting_rule([], kind)


def test_senior_and_jeune_together_are_refused():
    assert refused(["SENIOR", "JEUNE", "RSA"], "EI") == (
        "Les critères « Senior (+50 ans) » et « Jeune (-26 ans) » ne peuvent pas être cochés ensemble."
    )


def test_detld_and_deld_together_are_refused():
    assert refused(["DELD", "DETLD"], "AI") == (
        "Les critères « Demandeur d'emploi de très longue durée (+24 mois) » et "
        "« Demandeur d'emploi de longue durée (12-24 mois) » ne peuvent pas être cochés ensemble."
    )


def test_exclusive_pairs_bind_prescribers_too():
    with pytest.raises(DomainRuleError, match="ne peuvent pas être cochés ensemble"):
        check_criteria_selection(["SENIOR", "JEUNE"], "EI", author=PRESCRIBER)


def test_unknown_code_is_refused():
    assert refused(["RSA", "XYZ"], "EI") == "Critère administratif inconnu : « XYZ »."
    assert refused(["foo", "RSA", "bar"], "EI", author=PRESCRIBER) == (
        "Critères administratifs inconnus : « foo », « bar »."
    )


def test_unknown_code_is_reported_before_other_problems():
    assert "inconnu" in refused(["SENIOR", "JEUNE", "nope"], "EI")


def test_bad_author_and_string_selection_are_programming_errors():
    with pytest.raises(ValueError, match="author"):
        check_criteria_selection(["RSA"], "EI", author="job_seeker")
    with pytest.raises(TypeError):
        check_criteria_selection("RSA", "EI")


# --- age-based checks --------------------------------------------------------

def test_age_on_counts_completed_years():
    assert age_on(date(1976, 5, 10), date(2026, 5, 9)) == 49
    assert age_on(date(1976, 5, 10), date(2026, 5, 10)) == 50


def test_age_on_for_a_29_february_birthday():
    assert age_on(date(2000, 2, 29), date(2026, 2, 28)) == 25
    assert age_on(date(2000, 2, 29), date(2026, 3, 1)) == 26
    assert age_on(date(2000, 2, 29), date(2028, 2, 29)) == 28


def test_senior_needs_50_on_the_day():
    codes = ["SENIOR"]
    assert age_consistency(codes, date(1976, 5, 10), date(2026, 5, 10)) == []
    assert age_consistency(codes, date(1976, 5, 10), date(2026, 5, 9)) == [
        "Le critère « Senior (+50 ans) » suppose au moins 50 ans : la personne a 49 ans au 09/05/2026."
    ]


def test_jeune_needs_under_26():
    codes = ["JEUNE"]
    assert age_consistency(codes, date(2000, 5, 10), date(2026, 5, 9)) == []
    assert age_consistency(codes, date(2000, 5, 10), date(2026, 5, 10)) == [
        "Le critère « Jeune (-26 ans) » suppose moins de 26 ans : la personne a 26 ans au 10/05/2026."
    ]


def test_age_consistency_without_birth_date_or_age_criteria():
    assert age_consistency(["SENIOR", "JEUNE"], None, date(2026, 1, 1)) == []
    assert age_consistency(["RSA", "TH"], date(2010, 1, 1), date(2026, 1, 1)) == []


def test_age_consistency_reports_both_criteria():
    warnings = age_consistency(["SENIOR", "JEUNE"], date(1990, 1, 1), date(2026, 1, 1))
    assert len(warnings) == 2


# --- diagnosis expiry --------------------------------------------------------

@pytest.mark.parametrize("created, last_valid_day", [
    (date(2026, 1, 15), date(2026, 7, 14)),
    (date(2026, 3, 1), date(2026, 8, 31)),    # 1st of the month → end of the 6th month
    (date(2026, 7, 1), date(2026, 12, 31)),
    (date(2026, 8, 1), date(2027, 1, 31)),    # across the year end
    (date(2026, 8, 28), date(2027, 2, 27)),
    (date(2026, 8, 29), date(2027, 2, 28)),   # no 29/02/2027: whole of February
    (date(2026, 8, 30), date(2027, 2, 28)),
    (date(2026, 8, 31), date(2027, 2, 28)),
    (date(2027, 8, 29), date(2028, 2, 28)),   # 29/02/2028 exists: the day before it
    (date(2027, 8, 30), date(2028, 2, 29)),   # leap year: through 29/02
    (date(2027, 8, 31), date(2028, 2, 29)),
    (date(2026, 12, 31), date(2027, 6, 30)),  # no 31/06: whole of June
    (date(2026, 10, 31), date(2027, 4, 30)),
    (date(2028, 2, 29), date(2028, 8, 28)),   # created on a leap day
    (date(2027, 2, 28), date(2027, 8, 27)),
])
def test_prescriber_diagnosis_lasts_six_calendar_months(created, last_valid_day):
    assert diagnosis_expiry(PRESCRIBER, created) == last_valid_day


def test_prescriber_expiry_never_goes_backwards():
    day, previous = date(2026, 1, 1), None
    while day < date(2029, 1, 1):
        expiry = diagnosis_expiry(PRESCRIBER, day)
        assert previous is None or expiry >= previous
        assert 181 <= (expiry - day).days + 1 <= 184  # six months, counting both ends
        previous, day = expiry, day + timedelta(days=1)


@pytest.mark.parametrize("created", [date(2026, 1, 1), date(2026, 12, 15), date(2028, 2, 1)])
def test_employer_diagnosis_lasts_92_days_counting_the_first(created):
    last = diagnosis_expiry(EMPLOYER, created)
    assert (last - created).days + 1 == 92
    assert last == created + timedelta(days=91)


def test_employer_expiry_example():
    assert diagnosis_expiry(EMPLOYER, date(2026, 1, 1)) == date(2026, 4, 2)


def test_unknown_author_kind():
    with pytest.raises(ValueError):
        diagnosis_expiry("job_seeker", date(2026, 1, 1))
    with pytest.raises(ValueError):
        DiagnosisFacts("nobody", 1, "EI", date(2026, 1, 1), date(2026, 2, 1))


# --- is_diagnosis_valid ------------------------------------------------------

def employer_diag(created, org_id=10, **kwargs):
    return new_diagnosis(EMPLOYER, org_id, "EI", created, ["RSA"], **kwargs)


def prescriber_diag(created, org_id=1, **kwargs):
    return new_diagnosis(PRESCRIBER, org_id, "FT", created, **kwargs)


def test_employer_diagnosis_valid_on_day_92_not_93():
    diagnosis = employer_diag(date(2026, 1, 1))
    assert is_diagnosis_valid(diagnosis, date(2026, 1, 1))           # day 1
    assert is_diagnosis_valid(diagnosis, date(2026, 4, 2))           # day 92
    assert not is_diagnosis_valid(diagnosis, date(2026, 4, 3))       # day 93


def test_prescriber_diagnosis_valid_through_its_last_day():
    diagnosis = prescriber_diag(date(2026, 8, 31))
    assert diagnosis.expires_on == date(2027, 2, 28)
    assert is_diagnosis_valid(diagnosis, date(2027, 2, 28))
    assert not is_diagnosis_valid(diagnosis, date(2027, 3, 1))


def test_not_valid_before_it_was_made():
    diagnosis = prescriber_diag(date(2026, 6, 1))
    assert not is_diagnosis_valid(diagnosis, date(2026, 5, 31))
    assert not is_diagnosis_valid(diagnosis, date(2026, 5, 31), attached_pass_end=date(2028, 1, 1))


def test_attached_pass_keeps_the_diagnosis_valid_until_the_pass_ends():
    diagnosis = employer_diag(date(2026, 1, 1))
    pass_end = date(2027, 12, 31)
    assert is_diagnosis_valid(diagnosis, date(2027, 6, 1), attached_pass_end=pass_end)
    assert is_diagnosis_valid(diagnosis, pass_end, attached_pass_end=pass_end)
    assert not is_diagnosis_valid(diagnosis, pass_end + timedelta(days=1), attached_pass_end=pass_end)


def test_attached_pass_end_can_come_with_the_facts():
    diagnosis = employer_diag(date(2026, 1, 1), ref=7)
    attached = replace(diagnosis, attached_pass_end=date(2027, 12, 31))
    assert is_diagnosis_valid(attached, date(2027, 6, 1))
    assert not is_diagnosis_valid(diagnosis, date(2027, 6, 1))


def test_a_pass_ending_before_the_diagnosis_does_not_shorten_it():
    diagnosis = prescriber_diag(date(2026, 1, 15))
    assert is_diagnosis_valid(diagnosis, date(2026, 7, 14), attached_pass_end=date(2026, 3, 1))


def test_facts_normalize_criteria_and_ignore_ref_in_equality():
    first = new_diagnosis(EMPLOYER, 10, "EI", date(2026, 1, 1), ["RSA", "RSA", "TH"], ref=1)
    second = new_diagnosis(EMPLOYER, 10, "EI", date(2026, 1, 1), ("RSA", "TH"), ref=2)
    assert first.criteria == ("RSA", "TH")
    assert first == second


# --- usable diagnoses and visibility ----------------------------------------

TODAY = date(2026, 6, 1)


def test_usable_diagnoses_prescribers_first_then_newest_first():
    old_prescriber = prescriber_diag(date(2026, 1, 10), ref="p-old")
    new_prescriber = prescriber_diag(date(2026, 5, 1), org_id=2, ref="p-new")
    own_old = employer_diag(date(2026, 4, 1), ref="e-old")
    own_new = employer_diag(date(2026, 5, 20), ref="e-new")
    found = usable_diagnoses([own_old, old_prescriber, own_new, new_prescriber], 10, TODAY)
    assert [d.ref for d in found] == ["p-new", "p-old", "e-new", "e-old"]


def test_usable_diagnoses_never_include_another_employers():
    other = employer_diag(date(2026, 5, 20), org_id=99)
    mine = employer_diag(date(2026, 5, 1), org_id=10)
    assert usable_diagnoses([other, mine], 10, TODAY) == [mine]
    assert usable_diagnoses([other], 10, TODAY) == []
    assert usable_diagnoses([mine], None, TODAY) == []


def test_usable_diagnoses_skip_expired_ones():
    expired_prescriber = prescriber_diag(date(2025, 11, 30))  # valid through 29/05/2026
    expired_employer = employer_diag(date(2026, 2, 28))       # valid through 30/05/2026
    valid_employer = employer_diag(date(2026, 3, 2))          # valid through 01/06/2026
    found = usable_diagnoses([expired_prescriber, expired_employer, valid_employer], 10, TODAY)
    assert found == [valid_employer]


def test_usable_diagnoses_keep_those_held_by_a_pass():
    held = new_diagnosis(PRESCRIBER, 1, "FT", date(2025, 1, 1), ref="held")
    held = replace(held, attached_pass_end=date(2026, 12, 31))
    assert [d.ref for d in usable_diagnoses([held], 10, TODAY)] == ["held"]


def test_usable_diagnoses_same_day_keep_given_order():
    first, second = prescriber_diag(TODAY, ref="a"), prescriber_diag(TODAY, org_id=2, ref="b")
    assert [d.ref for d in usable_diagnoses([first, second], 10, TODAY)] == ["a", "b"]


def test_prescribers_never_see_employer_diagnoses():
    assert visible_to_prescriber(prescriber_diag(TODAY))
    assert not visible_to_prescriber(employer_diag(TODAY))


# --- eligibility_needed ------------------------------------------------------

@pytest.mark.parametrize("kind", SIAE_KINDS)
def test_siae_needs_eligibility_without_pass_or_diagnosis(kind):
    assert eligibility_needed(kind, False, [])
    assert not eligibility_needed(kind, True, [])
    assert not eligibility_needed(kind, False, [prescriber_diag(TODAY)])


@pytest.mark.parametrize("kind", NON_SIAE_KINDS)
def test_other_employers_never_need_eligibility(kind):
    assert not eligibility_needed(kind, False, [])


def test_eligibility_needed_from_usable_diagnoses_end_to_end():
    another_employers = employer_diag(date(2026, 5, 20), org_id=99)
    usable = usable_diagnoses([another_employers], 10, TODAY)
    assert eligibility_needed("ACI", False, usable)


# --- socio-professional grid (DOMAIN §6.3, seed 003 §2.2) -------------------

def complete_answers(level="2"):
    return {dimension.code: level for dimension in SOCIO_PROFESSIONAL_GRID}


def test_grid_has_eight_dimensions_of_four_levels():
    assert [d.label for d in SOCIO_PROFESSIONAL_GRID] == [
        "Maitrise de la langue française", "Capacité à occuper un poste de travail", "Logement",
        "Accès au droit", "Mobilité", "Ressources financières", "Justice", "Disponibilité",
    ]
    assert all(len(d.levels) == 4 for d in SOCIO_PROFESSIONAL_GRID)
    assert GRID_LEVELS == ("1", "2", "3", "4")


def test_grid_labels_from_the_seed():
    grid = {d.code: d for d in SOCIO_PROFESSIONAL_GRID}
    assert grid["housing"].choices() == {
        "1": "SDF",
        "2": "Hébergement collectif de type CHRS, CADA...",
        "3": "Hébergement hors structure sociale, logement insalubre, risque de perte de logement",
        "4": "Logement stable",
    }
    assert grid["french_language"].levels[0] == "Analphabète à illettré"
    assert grid["availability"].levels[-1] == "Immédiate et sans contraintes horaires"


def test_complete_grid_passes():
    check_socio_professional(complete_answers())
    check_socio_professional({code: int(level) for code, level in complete_answers("4").items()})
    assert socio_professional_problems(complete_answers("1")) == {}


def test_each_missing_dimension_gets_its_message():
    answers = complete_answers()
    del answers["housing"]
    answers["justice"] = ""
    with pytest.raises(DomainRuleError) as excinfo:
        check_socio_professional(answers)
    assert excinfo.value.problems == {
        "housing": "Indiquez la situation de la personne pour « Logement ».",
        "justice": "Indiquez la situation de la personne pour « Justice ».",
    }
    assert str(excinfo.value) == (
        "Indiquez la situation de la personne pour « Logement ». "
        "Indiquez la situation de la personne pour « Justice »."
    )


def test_empty_grid_lists_all_eight():
    assert len(socio_professional_problems({})) == 8
    assert len(socio_professional_problems(None)) == 8


@pytest.mark.parametrize("bad", ["0", "5", "vulnérable", 7, True, 2.0])
def test_invalid_level_is_refused(bad):
    answers = complete_answers()
    answers["mobility"] = bad
    assert socio_professional_problems(answers) == {
        "mobility": "Situation invalide pour « Mobilité » : choisissez l'une des 4 situations proposées."
    }


def test_unknown_dimension_is_refused():
    answers = complete_answers()
    answers["hobbies"] = "3"
    with pytest.raises(DomainRuleError, match="Rubrique inconnue"):
        check_socio_professional(answers)


# --- support needs (seed 002) -------------------------------------------------

def test_support_needs_cover_the_eight_themes():
    assert [theme.label for theme in SUPPORT_NEED_THEMES] == [
        "Faire face à des difficultés administratives ou juridiques",
        "Faire face à des difficultés financières",
        "Se déplacer",
        "Se loger",
        "Se soigner",
        "Sortir de l'isolement",
        "Maîtriser les savoirs de base",
        "Surmonter des contraintes familiales",
    ]
    assert len(SUPPORT_NEEDS) == sum(len(theme.needs) for theme in SUPPORT_NEED_THEMES) == 31
    assert SUPPORT_NEEDS["housing_shelter"] == "Se mettre à l'abri"


def test_check_support_needs():
    check_support_needs([])
    check_support_needs(["housing_find", "skills_numeracy"])
    with pytest.raises(DomainRuleError, match="« nope »"):
        check_support_needs(["housing_find", "nope"])


# --- vocabularies for form specs ---------------------------------------------

def test_vocabularies_are_string_keyed_choice_lists():
    assert ELIGIBILITY_VOCABULARIES["administrative_criteria"]["RSA"] == "Bénéficiaire du RSA"
    assert list(ELIGIBILITY_VOCABULARIES["administrative_criteria_level_1"]) == ["RSA", "ASS", "AAH", "DETLD"]
    assert ELIGIBILITY_VOCABULARIES["socio_professional_housing"]["1"] == "SDF"
    for name, choices in ELIGIBILITY_VOCABULARIES.items():
        assert choices, name
        for code, label in choices.items():
            assert isinstance(code, str) and isinstance(label, str) and label, (name, code)
