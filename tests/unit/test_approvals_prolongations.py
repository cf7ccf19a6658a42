"""Prolongation of a PASS IAE (app/domain/approvals/prolongations.py, DOMAIN §9): pure, no Flask."""
from datetime import date, timedelta

import pytest

from app.domain.approvals import (
    CUMULATIVE_CAP_DAYS,
    DENY_PROPOSED_ACTIONS,
    DENY_REASONS,
    MAX_DAYS_EACH,
    PROLONGATION_REASONS,
    PROLONGATION_REQUEST_STATES,
    PassFacts,
    ProlongationFacts,
    ReasonOption,
    SuspensionFacts,
    available_reasons,
    check_denial,
    check_prolongation,
    check_prolongation_grant,
    effective_end,
    max_prolongation_days,
    max_prolongation_end,
    needs_prescriber_decision,
    pass_status,
    prolongation_blocker,
    prolongation_reasons_for,
    prolongation_start,
    prolongation_window,
    used_days,
)
from app.domain.errors import DomainRuleError

PASS_START = date(2025, 9, 1)
END = date(2027, 8, 31)          # pass_end(PASS_START)
TODAY = date(2027, 6, 1)
D = timedelta(days=1)


def days(n):
    return timedelta(days=n)


def pass_facts(prolongations=(), suspensions=(), start=PASS_START):
    return PassFacts("999990000123", start, suspensions=suspensions, prolongations=prolongations)


def used(reason, total, start=date(2027, 9, 1)):
    """Prolongations of `reason` totalling `total` days, end to end from `start`."""
    return (ProlongationFacts(start, start + days(total - 1), reason),)


def check(reason, end, facts=None, kind="AI", today=TODAY, pending=False):
    return check_prolongation(facts or pass_facts(), reason, end, kind, today, pending)


def refused(*args, **kwargs):
    with pytest.raises(DomainRuleError) as excinfo:
        check(*args, **kwargs)
    return str(excinfo.value)


# Vocabulary -------------------------------------------------------------------


def test_reasons_maxima_caps_and_deciders():
    assert PROLONGATION_REASONS == {
        "SENIOR_CDI": "CDI Inclusion conclu avec une personne de 57 ans et plus",
        "COMPLETE_TRAINING": "Fin d'une formation",
        "RQTH": "Reconnaissance de la qualité de travailleur handicapé",
        "SENIOR": "50 ans et plus",
        "PARTICULAR_DIFFICULTIES": "Difficultés particulièrement importantes",
    }
    assert MAX_DAYS_EACH == {"SENIOR_CDI": 3650, "COMPLETE_TRAINING": 365, "RQTH": 365, "SENIOR": 365,
                             "PARTICULAR_DIFFICULTIES": 365}
    assert CUMULATIVE_CAP_DAYS == {"RQTH": 1095, "SENIOR": 1825, "PARTICULAR_DIFFICULTIES": 1095}
    assert [r for r in PROLONGATION_REASONS if needs_prescriber_decision(r)] == [
        "RQTH", "SENIOR", "PARTICULAR_DIFFICULTIES",
    ]
    assert PROLONGATION_REQUEST_STATES == {"pending": "À traiter", "granted": "Acceptée", "denied": "Refusée"}


@pytest.mark.parametrize("kind", ["AI", "ACI"])
def test_particular_difficulties_for_ai_and_aci(kind):
    assert "PARTICULAR_DIFFICULTIES" in prolongation_reasons_for(kind)


@pytest.mark.parametrize("kind", ["EI", "ETTI", "EITI"])
def test_particular_difficulties_not_for_other_siae(kind):
    assert list(prolongation_reasons_for(kind)) == ["SENIOR_CDI", "COMPLETE_TRAINING", "RQTH", "SENIOR"]
    assert refused("PARTICULAR_DIFFICULTIES", date(2027, 10, 1), kind=kind) == (
        "Le motif « Difficultés particulièrement importantes » est réservé aux structures de type AI et ACI."
    )


@pytest.mark.parametrize("kind", ["GEIQ", "EA", "EATT", "OPCS", None])
def test_only_an_siae_prolongs(kind):
    assert prolongation_reasons_for(kind) == {}
    assert available_reasons(pass_facts(), kind, TODAY) == []
    assert refused("SENIOR", date(2027, 10, 1), kind=kind) == (
        "Seule une SIAE (AI, ACI, EI, ETTI, EITI) peut prolonger un PASS IAE."
    )


def test_unknown_reason():
    assert refused("HEALTH_CONTEXT", date(2027, 10, 1)) == "Choisissez un motif de prolongation dans la liste."


# Placement: no gap, no overlap, the end moves by exactly N days -------------------------------


def test_start_is_the_day_after_the_current_end():
    assert prolongation_start(pass_facts()) == date(2027, 9, 1)
    p = check("SENIOR", date(2027, 9, 1))
    assert p == ProlongationFacts(date(2027, 9, 1), date(2027, 9, 1), "SENIOR")


@pytest.mark.parametrize("n", [1, 2, 30, 182, 365])
def test_a_prolongation_of_n_days_moves_the_pass_end_by_exactly_n_days(n):
    before = pass_facts()
    p = check("RQTH", prolongation_start(before) + days(n - 1), facts=before)
    assert p.days == n
    after = pass_facts(prolongations=(p,))
    assert effective_end(after) == effective_end(before) + days(n)
    assert effective_end(after) == p.end                      # no gap
    assert p.start == effective_end(before) + D               # no overlap
    assert prolongation_start(after) == p.end + D             # the next one follows on


def test_the_pass_stays_valid_across_the_junction():
    p = check("SENIOR", date(2027, 9, 30))
    after = pass_facts(prolongations=(p,))
    assert [pass_status(after, day) for day in (END, END + D, p.end, p.end + D)] == [
        "valid", "valid", "valid", "expired",
    ]


def test_a_suspension_inside_the_pass_then_a_prolongation():
    s = SuspensionFacts(date(2026, 3, 1), date(2026, 3, 10), "CONTRACT_BROKEN")  # +10 days
    facts = pass_facts(suspensions=(s,))
    assert prolongation_start(facts) == date(2027, 9, 11)
    p = check("SENIOR", date(2027, 9, 20), facts=facts)
    assert effective_end(pass_facts(suspensions=(s,), prolongations=(p,))) == date(2027, 9, 20)


# Duration limits -----------------------------------------------------------------


def test_at_least_one_day():
    assert refused("SENIOR", END) == (
        "La prolongation commence le 01/09/2027, lendemain de la fin actuelle du PASS IAE, et dure au moins "
        "1 jour : date de fin au plus tôt le 01/09/2027."
    )
    assert refused("SENIOR", None) == "La date de fin de la prolongation est obligatoire."


@pytest.mark.parametrize("reason", ["COMPLETE_TRAINING", "RQTH", "SENIOR", "PARTICULAR_DIFFICULTIES"])
def test_365_days_each(reason):
    start = date(2027, 9, 1)
    last = start + days(364)
    assert last == date(2028, 8, 30)      # 2028 is a leap year: 365 days, not one calendar year
    assert check(reason, last).days == 365
    assert refused(reason, last + D) == (
        f"Une prolongation pour le motif « {PROLONGATION_REASONS[reason]} » dure au plus 365 jours : date de "
        "fin au plus tard le 30/08/2028."
    )


def test_senior_cdi_ten_years_are_3650_days():
    start = date(2027, 9, 1)
    assert check("SENIOR_CDI", start + days(3649)).days == 3650
    # 10 calendar years would end 31/08/2037 (3653 days, three 29/02 inside): 3650 days end 3 days earlier.
    assert "dure au plus 3650 jours : date de fin au plus tard le 28/08/2037" in refused(
        "SENIOR_CDI", start + days(3650)
    )


# Cumulative caps ------------------------------------------------------------------


def today_for(facts):
    return effective_end(facts) - days(30)


@pytest.mark.parametrize("reason, cap", [("RQTH", 1095), ("SENIOR", 1825), ("PARTICULAR_DIFFICULTIES", 1095)])
def test_cap_edge_one_day_left(reason, cap):
    facts = pass_facts(prolongations=used(reason, cap - 1))
    assert used_days(facts, reason) == cap - 1
    assert max_prolongation_days(facts, reason) == 1
    start = prolongation_start(facts)
    assert check(reason, start, facts=facts, today=today_for(facts)).days == 1
    message = refused(reason, start + D, facts=facts, today=today_for(facts))
    assert f"durent au plus {cap} jours au total ; {cap - 1} jours sont déjà accordés, il en reste 1" in message
    assert f"date de fin au plus tard le {start:%d/%m/%Y}" in message


@pytest.mark.parametrize("reason, cap", [("RQTH", 1095), ("SENIOR", 1825), ("PARTICULAR_DIFFICULTIES", 1095)])
def test_cap_reached(reason, cap):
    facts = pass_facts(prolongations=used(reason, cap))
    assert max_prolongation_days(facts, reason) == 0
    assert max_prolongation_end(facts, reason) is None
    assert refused(reason, prolongation_start(facts), facts=facts, today=today_for(facts)) == (
        f"La durée cumulée des prolongations pour le motif « {PROLONGATION_REASONS[reason]} » a atteint son "
        f"maximum de {cap} jours pour ce PASS IAE."
    )


def test_cap_cuts_the_maximum_of_one_prolongation():
    facts = pass_facts(prolongations=used("RQTH", 1000))
    assert max_prolongation_days(facts, "RQTH") == 95
    assert max_prolongation_end(facts, "RQTH") == prolongation_start(facts) + days(94)
    facts = pass_facts(prolongations=used("RQTH", 730))
    assert max_prolongation_days(facts, "RQTH") == 365


def test_caps_are_per_reason():
    facts = pass_facts(prolongations=used("RQTH", 1095))
    assert max_prolongation_days(facts, "RQTH") == 0
    assert max_prolongation_days(facts, "SENIOR") == 365
    assert max_prolongation_days(facts, "PARTICULAR_DIFFICULTIES") == 365
    assert check("SENIOR", prolongation_start(facts) + days(364), facts=facts, today=today_for(facts)).days == 365


def test_cap_counts_every_prolongation_of_the_reason():
    first = ProlongationFacts(date(2027, 9, 1), date(2028, 8, 30), "SENIOR")     # 365
    second = ProlongationFacts(date(2028, 8, 31), date(2029, 8, 30), "SENIOR")   # 365
    other = ProlongationFacts(date(2029, 8, 31), date(2029, 9, 9), "COMPLETE_TRAINING")  # 10
    facts = pass_facts(prolongations=(first, second, other))
    assert used_days(facts, "SENIOR") == 730
    assert used_days(facts, "COMPLETE_TRAINING") == 10


@pytest.mark.parametrize("reason", ["SENIOR_CDI", "COMPLETE_TRAINING"])
def test_no_cap_for_the_direct_reasons(reason):
    facts = pass_facts(prolongations=used(reason, 5000))
    assert max_prolongation_days(facts, reason) == MAX_DAYS_EACH[reason]


# Window and blockers ----------------------------------------------------------------


def test_window_from_12_months_before_to_6_months_after_the_end():
    assert prolongation_window(pass_facts()) == (date(2026, 8, 31), date(2028, 2, 29))
    assert refused("SENIOR", date(2027, 10, 1), today=date(2026, 8, 30)) == (
        "Ce PASS IAE se termine le 31/08/2027 : il est trop tôt pour le prolonger, ce sera possible à partir "
        "du 31/08/2026 (12 mois avant sa fin)."
    )
    assert check("SENIOR", date(2027, 10, 1), today=date(2026, 8, 31)).days == 31
    assert check("SENIOR", date(2027, 10, 1), today=date(2028, 2, 29)).days == 31
    assert refused("SENIOR", date(2027, 10, 1), today=date(2028, 3, 1)) == (
        "Ce PASS IAE a pris fin le 31/08/2027 : il ne pouvait être prolongé que jusqu'au 29/02/2028 "
        "(6 mois après sa fin)."
    )


def test_window_month_ends_clamp():
    # End 29/02/2028: 12 months before is 28/02/2027; 6 months after is 29/08/2028.
    facts = PassFacts(None, date(2026, 3, 2))
    assert effective_end(facts) == date(2028, 2, 29)
    assert prolongation_window(facts) == (date(2027, 2, 28), date(2028, 8, 29))
    # End 31/03/2027 → 30/09/2027 at the latest.
    facts = PassFacts(None, date(2025, 4, 1))
    assert prolongation_window(facts) == (date(2026, 3, 31), date(2027, 9, 30))


def test_an_expired_pass_in_the_window_is_prolonged_from_the_day_after_its_end():
    p = check("SENIOR", date(2027, 12, 31), today=date(2027, 12, 1))
    assert p.start == date(2027, 9, 1)


def test_not_while_suspended_today():
    s = SuspensionFacts(date(2027, 5, 20), date(2027, 6, 1), "CONTRACT_BROKEN")
    facts = pass_facts(suspensions=(s,))
    assert refused("SENIOR", date(2027, 10, 1), facts=facts) == (
        "Ce PASS IAE est suspendu jusqu'au 01/06/2027 : il ne peut pas être prolongé pendant une suspension "
        "(possible à nouveau à partir du 02/06/2027)."
    )
    assert check("SENIOR", date(2027, 10, 1), facts=facts, today=date(2027, 6, 2)).start == date(2027, 9, 14)


def test_not_with_a_pending_request():
    assert refused("SENIOR", date(2027, 10, 1), pending=True) == (
        "Une demande de prolongation est déjà en attente de décision pour ce PASS IAE : une seule demande peut "
        "être en cours à la fois."
    )


def test_not_before_the_pass_starts():
    facts = pass_facts(start=TODAY + D)
    assert prolongation_blocker(facts, TODAY) == (
        "Ce PASS IAE n'a pas encore démarré (début le 02/06/2027) : il ne peut pas encore être prolongé."
    )


# Reasons offered by a form -----------------------------------------------------------


def test_available_reasons_for_an_aci():
    options = available_reasons(pass_facts(), "ACI", TODAY)
    assert [o.code for o in options] == list(PROLONGATION_REASONS)
    assert all(o.enabled and o.disabled_reason is None for o in options)
    by_code = {o.code: o for o in options}
    assert by_code["SENIOR_CDI"].max_end == date(2027, 9, 1) + days(3649)
    assert by_code["RQTH"].max_end == date(2028, 8, 30)
    code, label, enabled, why, max_end = options[1]     # a plain tuple for templates
    assert (code, label, enabled, why) == ("COMPLETE_TRAINING", "Fin d'une formation", True, None)
    assert isinstance(options[0], ReasonOption)


def test_available_reasons_disable_the_capped_one_with_a_reason():
    facts = pass_facts(prolongations=used("RQTH", 1095))
    options = {o.code: o for o in available_reasons(facts, "EI", today_for(facts))}
    assert list(options) == ["SENIOR_CDI", "COMPLETE_TRAINING", "RQTH", "SENIOR"]
    assert options["RQTH"] == ReasonOption(
        "RQTH",
        "Reconnaissance de la qualité de travailleur handicapé",
        False,
        "La durée cumulée des prolongations pour le motif « Reconnaissance de la qualité de travailleur "
        "handicapé » a atteint son maximum de 1095 jours pour ce PASS IAE.",
        None,
    )
    assert options["SENIOR"].enabled


def test_available_reasons_all_disabled_outside_the_window():
    options = available_reasons(pass_facts(), "AI", date(2026, 8, 30))
    assert len(options) == 5
    assert not any(o.enabled for o in options)
    assert {o.disabled_reason for o in options} == {prolongation_blocker(pass_facts(), date(2026, 8, 30))}


def test_available_reasons_all_disabled_with_a_pending_request():
    options = available_reasons(pass_facts(), "AI", TODAY, has_pending_request=True)
    assert not any(o.enabled for o in options)


# Granting a request ------------------------------------------------------------------


def test_grant_keeps_the_request_when_nothing_moved():
    requested = check("RQTH", date(2027, 11, 30))
    assert check_prolongation_grant(pass_facts(), requested) == requested


def test_grant_after_the_end_moved_keeps_the_length_and_follows_the_new_end():
    requested = check("RQTH", date(2027, 11, 30))               # 91 days from 01/09/2027
    s = SuspensionFacts(date(2027, 6, 10), date(2027, 6, 19), "CONTRACT_BROKEN")  # +10 days meanwhile
    granted = check_prolongation_grant(pass_facts(suspensions=(s,)), requested)
    assert granted == ProlongationFacts(date(2027, 9, 11), date(2027, 12, 10), "RQTH")
    assert granted.days == requested.days == 91


def test_grant_checks_the_cap_again():
    facts = pass_facts(prolongations=used("SENIOR", 1800))
    requested = ProlongationFacts(prolongation_start(facts), prolongation_start(facts) + days(29), "SENIOR")
    with pytest.raises(DomainRuleError, match="il en reste 25"):
        check_prolongation_grant(facts, requested)


# Denial ----------------------------------------------------------------------------


def test_deny_labels():
    assert DENY_REASONS == {
        "IAE": "L'IAE ne correspond plus aux besoins / à la situation de la personne",
        "SIAE": "La typologie de SIAE ne correspond plus aux besoins / à la situation de la personne",
        "DURATION": "La durée de prolongation demandée n'est pas adaptée à la situation du candidat",
        "REASON": "Le motif de prolongation demandé n'est pas adapté à la situation du candidat",
    }
    assert list(DENY_PROPOSED_ACTIONS) == ["EXIT_IAE", "SOCIAL_PARTNER", "OTHER"]


def test_deny_for_iae_needs_proposed_actions():
    assert check_denial("IAE", "Projet hors IAE", ["EXIT_IAE", "OTHER", "EXIT_IAE"]) == ("EXIT_IAE", "OTHER")
    with pytest.raises(DomainRuleError) as excinfo:
        check_denial("IAE", "Projet hors IAE", [])
    assert str(excinfo.value) == (
        "Pour le motif « L'IAE ne correspond plus aux besoins / à la situation de la personne », indiquez au "
        "moins une action envisagée pour la personne."
    )
    with pytest.raises(DomainRuleError, match="actions envisagées dans la liste"):
        check_denial("IAE", "Projet hors IAE", ["NOPE"])


@pytest.mark.parametrize("reason", ["SIAE", "DURATION", "REASON"])
def test_other_deny_reasons_take_no_action(reason):
    assert check_denial(reason, "Durée trop longue", ["EXIT_IAE"]) == ()
    assert check_denial(reason, "Durée trop longue") == ()


def test_deny_needs_a_reason_and_an_explanation():
    with pytest.raises(DomainRuleError, match="motif de refus dans la liste"):
        check_denial("OTHER", "x")
    with pytest.raises(DomainRuleError, match="Expliquez le motif du refus"):
        check_denial("DURATION", "   ")
