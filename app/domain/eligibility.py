"""IAE eligibility rules (DOMAIN §6): administrative criteria and the counting rule,
diagnoses and how long they stay valid, which diagnoses an SIAE may use, the
socio-professional grid a prescriber fills in, and support needs.

Pure functions over plain values: dates are passed in (never today's date read
here) and diagnoses are described by `DiagnosisFacts`, not ORM rows. Messages
meant for users are French; a broken rule raises DomainRuleError.

Validity periods are inclusive ranges of days, as for the PASS IAE (DOMAIN §7.1,
end = start + 729): `expires_on` is the *last day* a diagnosis is valid.
"""
import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from app.domain.errors import DomainRuleError
from app.domain.vocabularies import SIAE_KINDS

__all__ = [
    "ADMINISTRATIVE_CRITERIA", "CRITERIA", "CRITERIA_LABELS", "EXCLUSIVE_CRITERIA",
    "LEVEL_1", "LEVEL_2", "MIN_LEVEL_2_CRITERIA", "Criterion",
    "check_criteria_selection", "meets_counting_rule", "age_on", "age_consistency",
    "PRESCRIBER", "EMPLOYER", "DIAGNOSIS_AUTHOR_KINDS", "PRESCRIBER_VALIDITY_MONTHS",
    "EMPLOYER_VALIDITY_DAYS", "DiagnosisFacts", "new_diagnosis", "diagnosis_expiry",
    "is_diagnosis_valid", "usable_diagnoses", "visible_to_prescriber", "eligibility_needed",
    "GRID_LEVELS", "GridDimension", "SOCIO_PROFESSIONAL_GRID", "socio_professional_problems",
    "check_socio_professional", "GRID_DIMENSIONS", "GRID_SCALE_ENDS", "SupportTheme",
    "SUPPORT_NEED_THEMES", "SUPPORT_NEEDS", "SUPPORT_NEED_THEME_OF", "check_support_needs",
    "ELIGIBILITY_VOCABULARIES", "SENIOR_MIN_AGE", "JEUNE_AGE_LIMIT", "MIN_LEVEL_1_CRITERIA",
]


# --------------------------------------------------------------------------
# Administrative criteria (DOMAIN §6.1; arrêté du 1er septembre 2021, seed 003 note 3)

@dataclass(frozen=True)
class Criterion:
    code: str
    level: int
    label: str


LEVEL_1, LEVEL_2 = 1, 2

ADMINISTRATIVE_CRITERIA = (
    # Level 1 (DOMAIN §6.1).
    Criterion("RSA", LEVEL_1, "Bénéficiaire du RSA"),
    Criterion("ASS", LEVEL_1, "Allocataire ASS"),
    Criterion("AAH", LEVEL_1, "Allocataire AAH"),
    Criterion("DETLD", LEVEL_1, "Demandeur d'emploi de très longue durée (+24 mois)"),
    # Level 2 (DOMAIN §6.1).
    Criterion("CAP_BEP", LEVEL_2, "Niveau d'étude 3 (CAP, BEP) ou infra"),
    Criterion("SENIOR", LEVEL_2, "Senior (+50 ans)"),
    Criterion("JEUNE", LEVEL_2, "Jeune (-26 ans)"),
    Criterion("ASE", LEVEL_2, "Sortant de l'ASE"),
    Criterion("DELD", LEVEL_2, "Demandeur d'emploi de longue durée (12-24 mois)"),
    Criterion("TH", LEVEL_2, "Travailleur handicapé"),
    Criterion("PI", LEVEL_2, "Parent isolé"),
    Criterion("PSH_PR", LEVEL_2, "Personne sans hébergement ou hébergée ou ayant un parcours de rue"),
    Criterion("REF_DA", LEVEL_2,
              "Réfugié statutaire, protection temporaire, protection subsidiaire ou demandeur d'asile"),
    Criterion("ZRR", LEVEL_2, "Résident ZRR"),
    Criterion("QPV", LEVEL_2, "Résident QPV"),
    Criterion("DETENTION_MJ", LEVEL_2, "Sortant de détention ou personne placée sous main de justice"),
    Criterion("FLE", LEVEL_2, "Maîtrise de la langue française inférieure au niveau A1"),
    Criterion("PM", LEVEL_2, "Problème de mobilité"),
)
CRITERIA = {criterion.code: criterion for criterion in ADMINISTRATIVE_CRITERIA}
CRITERIA_LABELS = {criterion.code: criterion.label for criterion in ADMINISTRATIVE_CRITERIA}

# DOMAIN §6.1: a person cannot be both senior and young, nor both very long-term
# and long-term unemployed.
EXCLUSIVE_CRITERIA = (("SENIOR", "JEUNE"), ("DETLD", "DELD"))

# DOMAIN §6.1 counting rule for an employer (auto-prescription) diagnosis: at least
# 1 level-1 criterion, or at least N level-2 criteria. N = 2 for AI and ETTI, 3 for
# ACI, EI and EITI (the 2021 rule, seed 001, was 3 for every kind).
MIN_LEVEL_1_CRITERIA = 1
MIN_LEVEL_2_CRITERIA = {"AI": 2, "ETTI": 2, "ACI": 3, "EI": 3, "EITI": 3}

# How each SIAE kind is named inside a sentence ("Pour une entreprise d'insertion (EI), ...").
_KIND_IN_SENTENCE = {
    "AI": "une association intermédiaire",
    "ACI": "un atelier chantier d'insertion",
    "EI": "une entreprise d'insertion",
    "ETTI": "une entreprise de travail temporaire d'insertion",
    "EITI": "une entreprise d'insertion par le travail indépendant",
}

# Who writes a diagnosis (DOMAIN §6.2).
PRESCRIBER, EMPLOYER = "prescriber", "employer"
DIAGNOSIS_AUTHOR_KINDS = {PRESCRIBER: "Prescripteur habilité", EMPLOYER: "Employeur (SIAE)"}


def _check_author_kind(author_kind):
    if author_kind not in DIAGNOSIS_AUTHOR_KINDS:
        raise ValueError(f"unknown diagnosis author kind: {author_kind!r}")


def _quoted(codes):
    return ", ".join(f"« {code} »" for code in codes)


def _codes(codes):
    """The selection as a list without repeats, in the order given (None → empty)."""
    if codes is None:
        return []
    if isinstance(codes, str):
        raise TypeError("criteria must be a collection of codes, not a string")
    return list(dict.fromkeys(codes))


def _count_by_level(codes):
    levels = [CRITERIA[code].level for code in codes if code in CRITERIA]
    return levels.count(LEVEL_1), levels.count(LEVEL_2)


def meets_counting_rule(codes, company_kind):
    """True when the criteria satisfy the counting rule of this SIAE kind (DOMAIN §6.1).

    Kinds without a counting rule (GEIQ, EA, ... or unknown) always satisfy it.
    """
    needed = MIN_LEVEL_2_CRITERIA.get(company_kind)
    if needed is None:
        return True
    level_1, level_2 = _count_by_level(_codes(codes))
    return level_1 >= MIN_LEVEL_1_CRITERIA or level_2 >= needed


def _ticked(count):
    if count == 0:
        return "aucun coché"
    return f"{count} coché" if count == 1 else f"{count} cochés"


def check_criteria_selection(codes, company_kind, *, author=EMPLOYER):
    """Raise DomainRuleError unless these ticked criteria make an acceptable diagnosis.

    - every code is a known criterion (DOMAIN §6.1);
    - no mutually exclusive pair is ticked (DOMAIN §6.1);
    - an employer diagnosis of an SIAE meets the counting rule of its kind
      (DOMAIN §6.1); a prescriber diagnosis has no minimum (DOMAIN §3 step 3,
      seed 003 §2.2: the criteria are optional for an authorized prescriber).
    """
    _check_author_kind(author)
    selected = _codes(codes)
    unknown = [code for code in selected if code not in CRITERIA]
    if len(unknown) == 1:
        raise DomainRuleError(f"Critère administratif inconnu : {_quoted(unknown)}.")
    if unknown:
        raise DomainRuleError(f"Critères administratifs inconnus : {_quoted(unknown)}.")
    for first, second in EXCLUSIVE_CRITERIA:
        if first in selected and second in selected:
            raise DomainRuleError(
                f"Les critères « {CRITERIA_LABELS[first]} » et « {CRITERIA_LABELS[second]} » "
                "ne peuvent pas être cochés ensemble."
            )
    if author == EMPLOYER and company_kind in MIN_LEVEL_2_CRITERIA:
        if not meets_counting_rule(selected, company_kind):
            needed = MIN_LEVEL_2_CRITERIA[company_kind]
            _, level_2 = _count_by_level(selected)
            raise DomainRuleError(
                f"Pour {_KIND_IN_SENTENCE[company_kind]} ({company_kind}), il faut au moins "
                f"1 critère de niveau 1 ou {needed} critères de niveau 2 ({_ticked(level_2)})."
            )


# --------------------------------------------------------------------------
# Age and the age-based criteria (DOMAIN §6.1: "Senior (+50 ans)", "Jeune (-26 ans)")

SENIOR_MIN_AGE = 50   # DOMAIN §6.1: SENIOR means 50 or older.
JEUNE_AGE_LIMIT = 26  # DOMAIN §6.1: JEUNE means under 26.


def age_on(birth_date, on_date):
    """Age in completed years on `on_date`.

    Someone born on 29 February turns a year older on 1 March in common years.
    """
    before_birthday = (on_date.month, on_date.day) < (birth_date.month, birth_date.day)
    return on_date.year - birth_date.year - before_birthday


def _fr(day):
    return day.strftime("%d/%m/%Y")


def age_consistency(codes, birth_date, on_date):
    """French warnings when an age-based criterion contradicts the birth date.

    Returns [] when the birth date is unknown. Meant for forms (a warning, not
    a refusal): the employer keeps the proofs (DOMAIN §6.1).
    """
    if birth_date is None:
        return []
    selected = _codes(codes)
    age = age_on(birth_date, on_date)
    years = f"{age} an" if age in (0, 1) else f"{age} ans"
    warnings = []
    if "SENIOR" in selected and age < SENIOR_MIN_AGE:
        warnings.append(
            f"Le critère « {CRITERIA_LABELS['SENIOR']} » suppose au moins {SENIOR_MIN_AGE} ans : "
            f"la personne a {years} au {_fr(on_date)}."
        )
    if "JEUNE" in selected and age >= JEUNE_AGE_LIMIT:
        warnings.append(
            f"Le critère « {CRITERIA_LABELS['JEUNE']} » suppose moins de {JEUNE_AGE_LIMIT} ans : "
            f"la personne a {years} au {_fr(on_date)}."
        )
    return warnings


# --------------------------------------------------------------------------
# Diagnoses and their validity (DOMAIN §6.2)

PRESCRIBER_VALIDITY_MONTHS = 6  # DOMAIN §6.2: a prescriber diagnosis is valid 6 months.
EMPLOYER_VALIDITY_DAYS = 92     # DOMAIN §6.2 / §5 step 3: an employer diagnosis is valid 92 days.


def _months_later_exclusive_end(start, months):
    """The last day of the period of `months` calendar months that begins on `start`.

    The period runs up to the day before the same day-of-month `months` later
    (15/01 + 6 months → through 14/07). When that day does not exist in the
    target month (31/08 → "31/02"), the period covers the whole target month
    (→ through 28/02, or 29/02 in a leap year): never shorter, and a later start
    never ends earlier.
    """
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    if start.day > last_day:
        return date(year, month, last_day)
    return date(year, month, start.day) - timedelta(days=1)


def diagnosis_expiry(author_kind, created_on):
    """The last day (inclusive) a diagnosis created on `created_on` is valid.

    Prescriber: 6 calendar months counting the creation day (DOMAIN §6.2), e.g.
    created 15/01/2026 → valid through 14/07/2026; created 31/08/2026 → through
    28/02/2027. Employer: 92 days counting the creation day (DOMAIN §6.2), i.e.
    created_on + 91: created 01/01/2026 → valid through 02/04/2026.
    """
    _check_author_kind(author_kind)
    if author_kind == PRESCRIBER:
        return _months_later_exclusive_end(created_on, PRESCRIBER_VALIDITY_MONTHS)
    return created_on + timedelta(days=EMPLOYER_VALIDITY_DAYS - 1)


@dataclass(frozen=True)
class DiagnosisFacts:
    """What the rules need to know about an eligibility diagnosis (DOMAIN §6.2).

    author_org_kind is the company kind (employer) or prescriber kind.
    expires_on is the last valid day. attached_pass_end is the end date of the
    PASS IAE the diagnosis is attached to, if any; ref is the caller's own
    handle (a row id), never read by the rules.
    """
    author_kind: str
    author_org_id: object
    author_org_kind: str
    created_on: date
    expires_on: date
    criteria: tuple = ()
    attached_pass_end: date | None = None
    ref: object = field(default=None, compare=False)

    def __post_init__(self):
        _check_author_kind(self.author_kind)
        object.__setattr__(self, "criteria", tuple(_codes(self.criteria)))


def new_diagnosis(author_kind, author_org_id, author_org_kind, created_on, criteria=(), *, ref=None):
    """A DiagnosisFacts created on `created_on`, with its expiry computed (DOMAIN §6.2)."""
    return DiagnosisFacts(
        author_kind=author_kind,
        author_org_id=author_org_id,
        author_org_kind=author_org_kind,
        created_on=created_on,
        expires_on=diagnosis_expiry(author_kind, created_on),
        criteria=criteria,
        ref=ref,
    )


def is_diagnosis_valid(diagnosis, on_date, attached_pass_end=None):
    """Whether the diagnosis is valid on `on_date` (both ends inclusive).

    Valid from its creation day through `expires_on`; a diagnosis attached to a
    PASS IAE stays valid as long as that PASS, i.e. through the PASS end date
    (DOMAIN §6.2). `attached_pass_end` overrides the one in the facts.
    """
    if on_date < diagnosis.created_on:
        return False
    if on_date <= diagnosis.expires_on:
        return True
    pass_end = attached_pass_end if attached_pass_end is not None else diagnosis.attached_pass_end
    return pass_end is not None and on_date <= pass_end


def usable_diagnoses(diagnoses, for_company_id, on_date):
    """The diagnoses an SIAE may rely on for a hire on `on_date` (DOMAIN §6.2, §5 step 3).

    Valid prescriber diagnoses and this company's own valid employer diagnoses,
    never another employer's; prescribers' first, then newest first (by creation
    date; equal dates keep the order given).
    """
    def usable(diagnosis):
        if not is_diagnosis_valid(diagnosis, on_date):
            return False
        if diagnosis.author_kind == PRESCRIBER:
            return True
        return for_company_id is not None and diagnosis.author_org_id == for_company_id

    found = [diagnosis for diagnosis in diagnoses if usable(diagnosis)]
    found.sort(key=lambda d: (d.author_kind != PRESCRIBER, -d.created_on.toordinal()))
    return found


def visible_to_prescriber(diagnosis):
    """Prescribers never see employer diagnoses (DOMAIN §6.2)."""
    return diagnosis.author_kind == PRESCRIBER


def eligibility_needed(company_kind, has_valid_pass, usable):
    """Whether a hire by this company must first validate eligibility (DOMAIN §5 step 3).

    Only SIAE kinds check eligibility (GEIQ, EA, EATT, OPCS never); a valid PASS
    IAE counts as eligibility (DOMAIN §6.2), and so does any usable diagnosis.
    """
    if company_kind not in SIAE_KINDS:
        return False
    return not has_valid_pass and not usable


# --------------------------------------------------------------------------
# Socio-professional diagnosis grid (DOMAIN §6.3; seed 003 §2.2)

# Four steps from "Vulnérable" (1) to "Disponible" (4), as in the grid's header (seed 003 §2.2).
GRID_LEVELS = ("1", "2", "3", "4")
GRID_SCALE_ENDS = {"1": "Vulnérable", "4": "Disponible"}


@dataclass(frozen=True)
class GridDimension:
    code: str
    label: str
    levels: tuple  # four labels, level "1" (vulnérable) first

    def choices(self):
        """{level: label}, vulnérable first, for a form's radio buttons."""
        return dict(zip(GRID_LEVELS, self.levels))


# Labels as printed in seed 003 §2.2, except "covoitreur", an obvious typo for
# "covoitureur". The justice row repeats "Aucun suivi en cours" on steps 3 and 4
# in the source; kept as is.
SOCIO_PROFESSIONAL_GRID = (
    GridDimension("french_language", "Maitrise de la langue française", (
        "Analphabète à illettré",
        "Relève d'une formation FLE et/ou savoirs de base",
        "Laborieuse à limitée",
        "Bonne à parfaite",
    )),
    GridDimension("work_capacity", "Capacité à occuper un poste de travail", (
        "Est dans l'incapacité immédiate d'occuper un poste de travail",
        "A besoin d'un accompagnement avant de pouvoir occuper un poste de travail",
        "Peut occuper un poste de travail dans des conditions aménagées",
        "Peut occuper un poste de travail dans des conditions ordinaires",
    )),
    GridDimension("housing", "Logement", (
        "SDF",
        "Hébergement collectif de type CHRS, CADA...",
        "Hébergement hors structure sociale, logement insalubre, risque de perte de logement",
        "Logement stable",
    )),
    GridDimension("access_to_rights", "Accès au droit", (
        "Ne connaît pas ses droits, en situation de non recours",
        "Renoncement ou en rupture ou difficulté de renouvellement de droits",
        "Connait ses droits et démarches en cours",
        "Bénéficie des droits afférents à sa situation",
    )),
    GridDimension("mobility", "Mobilité", (
        "Ne sait pas se rendre seul à son lieu de travail",
        "Sait organiser son covoiturage et/ou possède un véhicule mais problème de mise en règle "
        "(assurance, contrôle technique...)",
        "Sait utiliser les transports en commun et/ou possède un véhicule 2 roues",
        "Possède un véhicule et permis de conduire conformes et covoitureur possible",
    )),
    GridDimension("financial_resources", "Ressources financières", (
        "Situation de surendettement sans dépôt de dossier et/ou sans ressources",
        "Surendettement avec dossier déposé et suivi",
        "Besoins primaires assurés au jour le jour et/ou mesure de protection type curatelle",
        "Sait gérer son budget, avec capacité de financer par exemple un permis de conduire",
    )),
    GridDimension("justice", "Justice", (
        "Exécution de peine en cours",
        "Suivi SPIP/PJJ après exécution de peine",
        "Aucun suivi en cours",
        "Aucun suivi en cours",
    )),
    GridDimension("availability", "Disponibilité", (
        "Faible voire difficile (garde d'enfant, ascendant, famille)",
        "A organiser",
        "Immédiate avec des contraintes horaires",
        "Immédiate et sans contraintes horaires",
    )),
)
GRID_DIMENSIONS = {dimension.code: dimension for dimension in SOCIO_PROFESSIONAL_GRID}


def _grid_level(value):
    """"1".."4" from a str or int answer; None when not a level."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, str) and value.strip() in GRID_LEVELS:
        return value.strip()
    return None


def socio_professional_problems(answers):
    """{dimension code: French message} for each missing, invalid or unknown answer.

    `answers` maps dimension codes to a level "1" (vulnérable) to "4"
    (disponible); ints are accepted. All eight dimensions are required
    (DOMAIN §6.3, seed 003 §2.2). Empty dict when the grid is complete.
    """
    answers = answers or {}
    problems = {}
    for dimension in SOCIO_PROFESSIONAL_GRID:
        value = answers.get(dimension.code)
        if value is None or (isinstance(value, str) and not value.strip()):
            problems[dimension.code] = f"Indiquez la situation de la personne pour « {dimension.label} »."
        elif _grid_level(value) is None:
            problems[dimension.code] = (
                f"Situation invalide pour « {dimension.label} » : choisissez l'une des "
                f"{len(GRID_LEVELS)} situations proposées."
            )
    for code in answers:
        if code not in GRID_DIMENSIONS:
            problems[code] = f"Rubrique inconnue dans le diagnostic socioprofessionnel : « {code} »."
    return problems


def check_socio_professional(answers):
    """Raise DomainRuleError unless all eight dimensions have a valid level (DOMAIN §6.3).

    The message lists one sentence per problem; the exception's `problems`
    attribute gives them by dimension code, for a form to show beside each field.
    """
    problems = socio_professional_problems(answers)
    if problems:
        error = DomainRuleError(" ".join(problems.values()))
        error.problems = problems
        raise error


# --------------------------------------------------------------------------
# Support needs by theme (DOMAIN §6.3; seed 002, "Besoins d'accompagnement")

@dataclass(frozen=True)
class SupportTheme:
    code: str
    label: str
    needs: tuple  # (code, label) pairs


# Wording from seed 002, with "Pôle emploi" renamed France Travail (2024),
# capital letters accented and "médecin/centre de soins" spelt out.
SUPPORT_NEED_THEMES = (
    SupportTheme("admin_legal", "Faire face à des difficultés administratives ou juridiques", (
        ("admin_discrimination", "Connaître les voies de recours face à une discrimination"),
        ("admin_judicial", "Prendre en compte une problématique judiciaire"),
        ("admin_paperwork", "Régler un problème administratif ou juridique"),
    )),
    SupportTheme("finances", "Faire face à des difficultés financières", (
        ("finances_free_services", "Accéder à des services gratuits"),
        ("finances_aid", "Bénéficier d'aides financières (hors celles de France Travail)"),
        ("finances_budget", "Être aidé pour gérer son budget"),
        ("finances_debt", "Faire face à un endettement"),
        ("finances_food", "Obtenir une aide alimentaire"),
    )),
    SupportTheme("mobility", "Se déplacer", (
        ("mobility_vehicle", "Disposer d'un véhicule en état de marche"),
        ("mobility_review", "Faire le point sur sa mobilité"),
        ("mobility_licence", "Passer son permis de conduire"),
        ("mobility_transport", "Trouver une solution de transport"),
    )),
    SupportTheme("housing", "Se loger", (
        ("housing_keep", "Se maintenir dans son logement"),
        ("housing_shelter", "Se mettre à l'abri"),
        ("housing_find", "Trouver un logement"),
    )),
    SupportTheme("health", "Se soigner", (
        ("health_checkup", "Faire un bilan de santé"),
        ("health_insurance", "Obtenir une couverture sociale"),
        ("health_doctor", "Rencontrer un médecin ou un centre de soins"),
        ("health_psychologist", "Rencontrer un psychologue"),
    )),
    SupportTheme("isolation", "Sortir de l'isolement", (
        ("isolation_digital", "Accéder aux ressources Internet et téléphonie mobile"),
        ("isolation_social_ties", "Créer des liens sociaux, rompre avec l'isolement"),
        ("isolation_activities", "Participer à des activités sociales et culturelles"),
    )),
    SupportTheme("basic_skills", "Maîtriser les savoirs de base", (
        ("skills_literacy", "Sortir d'une situation d'illettrisme, d'analphabétisme"),
        ("skills_french", "Suivre une formation Français Langue Étrangère"),
        ("skills_numeracy", "Savoir compter"),
    )),
    SupportTheme("family", "Surmonter des contraintes familiales", (
        ("family_bereavement", "Être accompagné dans la perte d'un proche"),
        ("family_parenting", "Être aidé dans la parentalité et la prévention"),
        ("family_education", "Faire face à des difficultés éducatives"),
        ("family_dependent", "Faire face à la prise en charge d'une personne dépendante"),
        ("family_childcare", "Faire garder son enfant"),
        ("family_conflict", "Se faire aider en cas de conflit familial et / ou séparation"),
    )),
)
SUPPORT_NEEDS = {code: label for theme in SUPPORT_NEED_THEMES for code, label in theme.needs}
SUPPORT_NEED_THEME_OF = {code: theme.code for theme in SUPPORT_NEED_THEMES for code, _ in theme.needs}


def check_support_needs(codes):
    """Raise DomainRuleError if a support need is unknown (seed 002). None ticked is fine."""
    unknown = [code for code in _codes(codes) if code not in SUPPORT_NEEDS]
    if len(unknown) == 1:
        raise DomainRuleError(f"Besoin d'accompagnement inconnu : {_quoted(unknown)}.")
    if unknown:
        raise DomainRuleError(f"Besoins d'accompagnement inconnus : {_quoted(unknown)}.")


# --------------------------------------------------------------------------
# Choice lists for form specs, to merge into vocabularies.VOCABULARIES by name.

ELIGIBILITY_VOCABULARIES = {
    "administrative_criteria": dict(CRITERIA_LABELS),
    "administrative_criteria_level_1": {c.code: c.label for c in ADMINISTRATIVE_CRITERIA if c.level == 1},
    "administrative_criteria_level_2": {c.code: c.label for c in ADMINISTRATIVE_CRITERIA if c.level == 2},
    "diagnosis_author_kinds": dict(DIAGNOSIS_AUTHOR_KINDS),
    "support_need_themes": {theme.code: theme.label for theme in SUPPORT_NEED_THEMES},
    "support_needs": dict(SUPPORT_NEEDS),
    **{f"socio_professional_{dimension.code}": dimension.choices() for dimension in SOCIO_PROFESSIONAL_GRID},
}
