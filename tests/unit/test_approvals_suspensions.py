"""Suspension of a PASS IAE (app/domain/approvals/suspensions.py, DOMAIN §8): pure, no Flask."""
from datetime import date, timedelta

import pytest

from app.domain.approvals import (
    SUSPENSION_REASONS,
    PassFacts,
    SuspensionFacts,
    check_delete_suspension,
    check_edit_suspension,
    check_new_suspension,
    earliest_retroactive_start,
    effective_end,
    end_suspension_early,
    max_suspension_end,
    reasons_for,
    suspension_end_for_new_hire,
)
from app.domain.errors import DomainRuleError

TODAY = date(2026, 3, 20)
PASS_START = date(2025, 6, 1)
D = timedelta(days=1)


def pass_facts(start=PASS_START, suspensions=(), base_end=None):
    return PassFacts("999990000123", start, base_end=base_end, suspensions=suspensions)


def new(start, end=None, end_unknown=False, reason="CONTRACT_BROKEN", kind="EI", hire=PASS_START,
        today=TODAY, facts=None):
    return check_new_suspension(facts or pass_facts(), start, end, end_unknown, reason, kind, hire, today)


def refused(*args, **kwargs):
    with pytest.raises(DomainRuleError) as excinfo:
        new(*args, **kwargs)
    return str(excinfo.value)


# Reasons ------------------------------------------------------------------


def test_reason_labels_are_exact():
    assert SUSPENSION_REASONS == {
        "CONTRACT_SUSPENDED": "Contrat de travail suspendu depuis plus de 15 jours",
        "CONTRACT_BROKEN": "Contrat de travail rompu",
        "FINISHED_CONTRACT": "Contrat de travail terminé",
        "APPROVAL_BETWEEN_CTA_MEMBERS": "Situation faisant l'objet d'un accord entre les acteurs membres du CTA",
        "CONTRAT_PASSERELLE": "Bascule dans l'expérimentation contrat passerelle",
    }


@pytest.mark.parametrize("kind", ["ACI", "EI"])
def test_contrat_passerelle_for_aci_and_ei(kind):
    assert list(reasons_for(kind)) == list(SUSPENSION_REASONS)


@pytest.mark.parametrize("kind", ["AI", "ETTI", "EITI", None])
def test_no_contrat_passerelle_for_other_kinds(kind):
    assert list(reasons_for(kind)) == [
        "CONTRACT_SUSPENDED", "CONTRACT_BROKEN", "FINISHED_CONTRACT", "APPROVAL_BETWEEN_CTA_MEMBERS",
    ]


def test_reason_reserved_to_aci_and_ei_is_refused_elsewhere():
    assert refused(TODAY, TODAY, reason="CONTRAT_PASSERELLE", kind="AI") == (
        "Le motif « Bascule dans l'expérimentation contrat passerelle » est réservé aux structures de type "
        "ACI et EI."
    )
    assert new(TODAY, TODAY, reason="CONTRAT_PASSERELLE", kind="ACI").reason == "CONTRAT_PASSERELLE"


def test_unknown_reason_is_refused():
    assert refused(TODAY, TODAY, reason="SICKNESS") == "Choisissez un motif de suspension dans la liste."


# A valid suspension and its effect ----------------------------------------


def test_one_day_suspension_today_pushes_the_pass_end_by_one_day():
    suspension = new(TODAY, TODAY)
    assert suspension == SuspensionFacts(TODAY, TODAY, "CONTRACT_BROKEN")
    before = effective_end(pass_facts())
    assert effective_end(pass_facts(suspensions=(suspension,))) == before + D


def test_end_unknown_means_the_maximum_whatever_the_end_given():
    assert new(TODAY, end_unknown=True).end == date(2029, 3, 19)
    assert new(TODAY, date(2026, 4, 1), end_unknown=True).end == date(2029, 3, 19)


def test_end_is_required_unless_unknown():
    assert refused(TODAY) == (
        "La date de fin de la suspension est obligatoire ; si elle n'est pas connue, indiquez-le et la "
        "suspension durera le maximum, jusqu'au 19/03/2029."
    )


# PASS state ----------------------------------------------------------------


def test_a_pass_not_started_cannot_be_suspended():
    facts = pass_facts(start=TODAY + D)
    assert refused(TODAY, TODAY, facts=facts, hire=None) == (
        "Ce PASS IAE n'a pas encore démarré : il pourra être suspendu à partir du 21/03/2026."
    )


def test_an_expired_pass_cannot_be_suspended_from_the_day_after_its_end():
    facts = pass_facts(base_end=TODAY - D)
    assert refused(TODAY - D, TODAY - D, facts=facts) == (
        "Ce PASS IAE a expiré le 19/03/2026 : il ne peut plus être suspendu."
    )
    # On its last day it still can.
    assert new(TODAY - D, TODAY - D, facts=facts, today=TODAY - D).days == 1


def test_a_suspended_pass_cannot_be_suspended_again():
    ongoing = SuspensionFacts(date(2026, 3, 1), date(2026, 4, 30), "CONTRACT_BROKEN")
    assert refused(TODAY, TODAY, facts=pass_facts(suspensions=(ongoing,))) == (
        "Ce PASS IAE est déjà suspendu jusqu'au 30/04/2026 : modifiez la suspension en cours plutôt que "
        "d'en déclarer une nouvelle."
    )


# Start limits --------------------------------------------------------------


def test_start_not_in_the_future():
    assert refused(TODAY + D, TODAY + D) == (
        "La suspension ne peut pas commencer dans le futur : date de début au plus tard le 20/03/2026."
    )


def test_start_not_before_the_last_hire():
    hire = date(2026, 3, 12)
    assert refused(hire - D, TODAY, hire=hire) == (
        "La suspension ne peut pas commencer avant le 12/03/2026, date de la dernière embauche."
    )
    assert new(hire, TODAY, hire=hire).start == hire


def test_start_not_before_the_pass_start():
    assert refused(PASS_START - D, TODAY, hire=None) == (
        "La suspension ne peut pas commencer avant le 01/06/2025, date de début du PASS IAE."
    )
    assert new(PASS_START, TODAY, hire=None).start == PASS_START


def test_start_at_most_365_days_back():
    facts = pass_facts(start=date(2024, 6, 1))
    floor = earliest_retroactive_start(TODAY)
    assert floor == date(2025, 3, 20)
    message = refused(floor - D, TODAY, facts=facts, hire=None)
    assert message == (
        "La suspension ne peut pas commencer avant le 20/03/2025, soit 365 jours avant aujourd'hui "
        "(limite de rétroactivité)."
    )
    assert new(floor, TODAY, facts=facts, hire=None).start == floor


def test_365_days_back_across_a_leap_day():
    assert earliest_retroactive_start(date(2028, 3, 1)) == date(2027, 3, 2)
    assert earliest_retroactive_start(date(2027, 3, 1)) == date(2026, 3, 1)


def test_start_after_the_previous_suspension():
    previous = SuspensionFacts(date(2026, 1, 10), date(2026, 2, 10), "FINISHED_CONTRACT")
    facts = pass_facts(suspensions=(previous,))
    assert new(date(2026, 2, 11), TODAY, facts=facts).start == date(2026, 2, 11)
    # A gap before the previous suspension is not open either.
    assert refused(date(2026, 1, 2), date(2026, 1, 5), facts=facts) == (
        "La suspension ne peut pas commencer avant le 11/02/2026, lendemain de la fin de la suspension "
        "précédente."
    )


def test_the_binding_limit_is_the_one_reported():
    previous = SuspensionFacts(date(2026, 1, 10), date(2026, 2, 10), "FINISHED_CONTRACT")
    facts = pass_facts(suspensions=(previous,))
    # Last hire later than the previous suspension: the hire date is the limit.
    assert "avant le 01/03/2026, date de la dernière embauche" in refused(
        date(2026, 2, 20), TODAY, facts=facts, hire=date(2026, 3, 1)
    )
    # Last hire earlier: the previous suspension is the limit.
    assert "avant le 11/02/2026, lendemain" in refused(
        date(2026, 1, 5), date(2026, 1, 8), facts=facts, hire=date(2025, 9, 1)
    )


# Overlap ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, end",
    [
        (date(2026, 2, 10), TODAY),              # starts on the other's last day
        (date(2026, 1, 5), date(2026, 1, 10)),   # ends on the other's first day
        (date(2026, 1, 5), date(2026, 3, 1)),    # covers it
        (date(2026, 1, 15), date(2026, 1, 20)),  # inside it
    ],
)
def test_no_overlap_with_an_existing_suspension(start, end):
    previous = SuspensionFacts(date(2026, 1, 10), date(2026, 2, 10), "FINISHED_CONTRACT")
    assert refused(start, end, facts=pass_facts(suspensions=(previous,))) == (
        "La suspension chevauche la suspension du 10/01/2026 au 10/02/2026 : elle peut commencer au plus "
        "tôt le 11/02/2026."
    )


# End limits ----------------------------------------------------------------


def test_end_not_before_start():
    assert refused(TODAY, TODAY - D) == (
        "La suspension ne peut pas finir avant de commencer : date de fin au plus tôt le 20/03/2026."
    )


def test_end_at_most_36_months_minus_one_day():
    start = date(2026, 1, 31)
    assert max_suspension_end(start) == date(2029, 1, 30)
    assert new(start, date(2029, 1, 30)).end == date(2029, 1, 30)
    assert refused(start, date(2029, 1, 31)) == (
        "Une suspension dure au plus 36 mois : date de fin au plus tard le 30/01/2029."
    )


@pytest.mark.parametrize(
    "start, latest",
    [
        (date(2028, 2, 29), date(2031, 2, 28)),  # leap day: 36 full months, no day lost
        (date(2027, 2, 28), date(2030, 2, 27)),
        (date(2028, 2, 28), date(2031, 2, 27)),
        (date(2026, 3, 1), date(2029, 2, 28)),
        (date(2025, 3, 1), date(2028, 2, 29)),   # ends on a leap day
        (date(2026, 4, 30), date(2029, 4, 29)),
        (date(2026, 12, 31), date(2029, 12, 30)),
        (date(2026, 1, 1), date(2028, 12, 31)),
    ],
)
def test_36_months_at_month_ends_and_leap_years(start, latest):
    assert max_suspension_end(start) == latest


def test_36_months_from_a_leap_day_in_a_real_check():
    today = date(2028, 3, 1)
    facts = pass_facts(start=date(2027, 1, 1))
    assert new(date(2028, 2, 29), date(2031, 2, 28), facts=facts, today=today, hire=None).days == 1096
    assert "au plus tard le 28/02/2031" in refused(
        date(2028, 2, 29), date(2031, 3, 1), facts=facts, today=today, hire=None
    )


# Edit ------------------------------------------------------------------------


ONGOING = SuspensionFacts(date(2026, 3, 1), date(2026, 6, 30), "CONTRACT_BROKEN")


def edit(start, end=None, end_unknown=False, reason="CONTRACT_BROKEN", suspension=ONGOING, facts=None,
         hire=PASS_START, today=TODAY):
    facts = facts or pass_facts(suspensions=(suspension,))
    return check_edit_suspension(facts, suspension, start, end, end_unknown, reason, "EI", hire, today)


def edit_refused(*args, **kwargs):
    with pytest.raises(DomainRuleError) as excinfo:
        edit(*args, **kwargs)
    return str(excinfo.value)


def test_edit_dates_and_reason_of_the_ongoing_suspension():
    assert edit(ONGOING.start, date(2026, 4, 30)) == SuspensionFacts(date(2026, 3, 1), date(2026, 4, 30),
                                                                     "CONTRACT_BROKEN")
    assert edit(date(2026, 2, 15), date(2026, 6, 30), reason="FINISHED_CONTRACT").start == date(2026, 2, 15)
    assert edit(ONGOING.start, end_unknown=True).end == date(2029, 2, 28)


def test_edit_may_end_the_suspension_before_today():
    assert edit(ONGOING.start, date(2026, 3, 10)).end == date(2026, 3, 10)


def test_edit_keeps_the_start_and_end_limits():
    assert "date de fin au plus tard le 28/02/2029" in edit_refused(ONGOING.start, date(2029, 3, 1))
    assert "au plus tard le 20/03/2026" in edit_refused(TODAY + D, date(2026, 6, 30))
    assert "avant le 12/03/2026, date de la dernière embauche" in edit_refused(
        ONGOING.start, date(2026, 6, 30), hire=date(2026, 3, 12)
    )


def test_edit_cannot_overlap_the_previous_suspension():
    previous = SuspensionFacts(date(2026, 1, 10), date(2026, 2, 10), "FINISHED_CONTRACT")
    facts = pass_facts(suspensions=(previous, ONGOING))
    assert "chevauche la suspension du 10/01/2026 au 10/02/2026" in edit_refused(
        date(2026, 2, 10), date(2026, 6, 30), facts=facts
    )
    assert edit(date(2026, 2, 11), date(2026, 6, 30), facts=facts).start == date(2026, 2, 11)


def test_edit_of_an_old_suspension_may_keep_its_start_but_not_move_it_earlier():
    old = SuspensionFacts(date(2025, 3, 1), date(2026, 12, 31), "CONTRACT_BROKEN")
    facts = pass_facts(start=date(2024, 6, 1), suspensions=(old,))
    assert edit(old.start, date(2026, 6, 30), suspension=old, facts=facts, hire=None).end == date(2026, 6, 30)
    assert edit_refused(old.start - D, date(2026, 6, 30), suspension=old, facts=facts, hire=None) == (
        "La suspension ne peut pas commencer avant le 01/03/2025, date de début déclarée de la suspension "
        "(plus tôt, elle dépasserait la limite de rétroactivité de 365 jours)."
    )


def test_edit_start_must_stay_within_the_pass_without_this_suspension():
    # The PASS ended 30/12/2025; only this suspension keeps it running.
    suspension = SuspensionFacts(date(2025, 12, 1), date(2026, 6, 30), "CONTRACT_BROKEN")
    facts = pass_facts(start=date(2024, 1, 1), suspensions=(suspension,))
    assert effective_end(facts) > TODAY
    assert edit_refused(date(2026, 1, 15), date(2026, 6, 30), suspension=suspension, facts=facts, hire=None) == (
        "La suspension doit commencer pendant la validité du PASS IAE : au plus tard le 30/12/2025, date de "
        "fin du PASS IAE."
    )
    assert edit(date(2025, 12, 30), date(2026, 6, 30), suspension=suspension, facts=facts,
                hire=None).start == date(2025, 12, 30)


def test_only_an_ongoing_suspension_is_edited_or_deleted():
    past = SuspensionFacts(date(2026, 1, 10), date(2026, 2, 10), "FINISHED_CONTRACT")
    assert edit_refused(past.start, past.end, suspension=past) == (
        "Seule une suspension en cours peut être modifiée : celle-ci court du 10/01/2026 au 10/02/2026."
    )
    with pytest.raises(DomainRuleError, match="Seule une suspension en cours peut être supprimée"):
        check_delete_suspension(past, TODAY)
    check_delete_suspension(ONGOING, TODAY)
    check_delete_suspension(ONGOING, ONGOING.start)
    check_delete_suspension(ONGOING, ONGOING.end)


def test_edit_of_a_suspension_of_another_pass_is_a_programming_error():
    with pytest.raises(ValueError):
        edit(ONGOING.start, ONGOING.end, facts=pass_facts())


# End early -----------------------------------------------------------------


def test_end_early_ends_the_day_before_the_first_day_back():
    shortened = end_suspension_early(ONGOING, date(2026, 3, 21), TODAY)
    assert shortened == SuspensionFacts(date(2026, 3, 1), date(2026, 3, 20), "CONTRACT_BROKEN")
    # The PASS end is pulled back by the days removed (30/06 → 20/03: 102 days).
    before = effective_end(pass_facts(suspensions=(ONGOING,)))
    after = effective_end(pass_facts(suspensions=(shortened,)))
    assert before - after == timedelta(days=102)


def test_end_early_bounds():
    assert end_suspension_early(ONGOING, date(2026, 3, 2), TODAY).days == 1
    assert end_suspension_early(ONGOING, date(2026, 6, 30), TODAY).end == date(2026, 6, 29)
    assert end_suspension_early(ONGOING, date(2026, 4, 15), TODAY).end == date(2026, 4, 14)  # future day back
    with pytest.raises(DomainRuleError) as excinfo:
        end_suspension_early(ONGOING, date(2026, 3, 1), TODAY)
    assert str(excinfo.value) == (
        "La date de reprise doit être au plus tôt le 02/03/2026, lendemain du début de la suspension (pour "
        "annuler entièrement la suspension, supprimez-la)."
    )
    with pytest.raises(DomainRuleError) as excinfo:
        end_suspension_early(ONGOING, date(2026, 7, 1), TODAY)
    assert str(excinfo.value) == (
        "La date de reprise doit être au plus tard le 30/06/2026, date de fin prévue de la suspension."
    )


def test_end_early_only_while_ongoing():
    with pytest.raises(DomainRuleError, match="Seule une suspension en cours peut être écourtée"):
        end_suspension_early(ONGOING, date(2026, 3, 5), ONGOING.start - D)
    with pytest.raises(DomainRuleError, match="Seule une suspension en cours peut être écourtée"):
        end_suspension_early(ONGOING, date(2026, 3, 5), ONGOING.end + D)


# New hire --------------------------------------------------------------------


@pytest.mark.parametrize(
    "hire_start, expected_end",
    [
        (date(2026, 3, 21), date(2026, 3, 20)),
        (date(2026, 3, 2), date(2026, 3, 1)),    # a single day left
        (date(2026, 6, 30), date(2026, 6, 29)),  # hire on the last suspended day
    ],
)
def test_a_hire_during_the_suspension_ends_it_the_day_before(hire_start, expected_end):
    assert suspension_end_for_new_hire(ONGOING, hire_start) == SuspensionFacts(ONGOING.start, expected_end,
                                                                               ONGOING.reason)


def test_a_hire_after_the_suspension_leaves_it_alone():
    assert suspension_end_for_new_hire(ONGOING, date(2026, 7, 1)) is ONGOING


@pytest.mark.parametrize("hire_start", [date(2026, 3, 1), date(2026, 2, 20)])
def test_a_hire_on_or_before_its_first_day_removes_the_suspension(hire_start):
    assert suspension_end_for_new_hire(ONGOING, hire_start) is None


@pytest.mark.parametrize("reason", list(SUSPENSION_REASONS))
def test_every_current_reason_lets_a_hire_end_the_suspension(reason):
    suspension = SuspensionFacts(ONGOING.start, ONGOING.end, reason)
    assert suspension_end_for_new_hire(suspension, date(2026, 4, 1)).end == date(2026, 3, 31)


def test_a_reason_outside_the_list_blocks_the_hire():
    legacy = SuspensionFacts(ONGOING.start, ONGOING.end, "SICKNESS")
    with pytest.raises(DomainRuleError) as excinfo:
        suspension_end_for_new_hire(legacy, date(2026, 4, 1))
    assert str(excinfo.value) == (
        "Le PASS IAE est suspendu jusqu'au 30/06/2026 pour un motif qui ne permet pas une nouvelle embauche : "
        "l'embauche peut commencer au plus tôt le 01/07/2026."
    )
    assert suspension_end_for_new_hire(legacy, date(2026, 7, 1)) is legacy
