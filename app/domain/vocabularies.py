"""The domain's fixed vocabularies, with the French labels users see (DOMAIN §1, §2, §4)."""
import functools

# Company kinds subject to the PASS IAE (DOMAIN §1).
SIAE_KINDS = ("AI", "ACI", "EI", "ETTI", "EITI")

COMPANY_KINDS = {
    "AI": "Association intermédiaire",
    "ACI": "Atelier chantier d'insertion",
    "EI": "Entreprise d'insertion",
    "ETTI": "Entreprise de travail temporaire d'insertion",
    "EITI": "Entreprise d'insertion par le travail indépendant",
    "GEIQ": "Groupement d'employeurs pour l'insertion et la qualification",
    "EA": "Entreprise adaptée",
    "EATT": "Entreprise adaptée de travail temporaire",
    "OPCS": "Organisation porteuse de clauses sociales",
}

PRESCRIBER_KINDS = {
    "FT": "France Travail",
    "ML": "Mission locale",
    "CAP_EMPLOI": "Cap emploi",
    "CAF": "Caisse d'allocations familiales",
    "MSA": "Mutualité sociale agricole",
    "DEPT": "Service social du conseil départemental",
    "ASE": "Aide sociale à l'enfance",
    "CCAS": "Centre communal ou intercommunal d'action sociale",
    "PLIE": "Plan local pour l'insertion et l'emploi",
    "CHRS": "Centre d'hébergement et de réinsertion sociale",
    "CADA": "Centre d'accueil de demandeurs d'asile",
    "HUDA": "Hébergement d'urgence pour demandeurs d'asile",
    "SPIP": "Service pénitentiaire d'insertion et de probation",
    "PJJ": "Protection judiciaire de la jeunesse",
    "CIDFF": "Centre d'information sur les droits des femmes et des familles",
    "PREVENTION": "Service ou club de prévention spécialisée",
    "AFPA": "Agence nationale pour la formation professionnelle des adultes",
    "PIJ_BIJ": "Point ou bureau information jeunesse",
    "CAVA": "Centre d'adaptation à la vie active",
    "OACAS": "Organisme d'accueil communautaire et d'activités solidaires",
    "CSAPA": "Centre de soins, d'accompagnement et de prévention en addictologie",
    "CAARUD": "Centre d'accueil et d'accompagnement à la réduction des risques des usagers de drogues",
    "EPIDE": "Établissement pour l'insertion dans l'emploi",
    "E2C": "École de la deuxième chance",
    "HABILITE_PREFET": "Organisme habilité par le préfet",
    "OTHER": "Autre",
}

INSTITUTION_KINDS = {
    "DDETS": "Direction départementale de l'emploi, du travail et des solidarités",
    "DREETS": "Direction régionale de l'économie, de l'emploi, du travail et des solidarités",
    "INSPECTION": "Inspection du travail",
}

AUTHORIZATION_STATUSES = {
    "not_set": "En attente de validation",
    "validated": "Habilitation validée",
    "refused": "Habilitation refusée",
    "not_required": "Habilitation non requise",
}

# Application states and their labels as shown (DOMAIN §4).
APPLICATION_STATES = {
    "new": "Nouvelle candidature",
    "processing": "À l'étude",
    "postponed": "En attente",
    "pool": "Vivier",
    "prior_to_hire": "Action préalable à l'embauche",
    "accepted": "Acceptée",
    "refused": "Déclinée",
    "cancelled": "Embauche annulée",
    "obsolete": "Embauché ailleurs",
}
PENDING_APPLICATION_STATES = ("new", "processing", "postponed")

# Decisions an employer takes on an application (DOMAIN §4); the diagram says
# which ones each state offers.
APPLICATION_DECISIONS = {
    "study": "Mettre à l'étude",
    "postpone": "Mettre en attente (liste d'attente)",
    "pool": "Ajouter au vivier",
    "refuse": "Décliner la candidature",
    "accept": "Accepter et déclarer l'embauche",
    "transfer": "Transférer vers une autre de mes structures",
}

REFUSAL_REASONS = {
    "did_not_come": "Candidat non joignable",
    "did_not_come_to_interview": "Candidat ne s'étant pas présenté à l'entretien",
    "hired_elsewhere": "Candidat indisponible : en emploi",
    "training": "Candidat indisponible : en formation",
    "non_eligible": "Candidat non éligible",
    "not_mobile": "Candidat non mobile",
    "not_interested": "Candidat non intéressé",
    "lacking_skills": "Le candidat n'a pas les compétences requises pour le poste",
    "incompatible": "Un des freins à l'emploi du candidat est incompatible avec le poste proposé",
    "prevent_objectives": "L'embauche du candidat empêche la réalisation des objectifs du dialogue de gestion",
    "no_position": "Pas de recrutement en cours",
    "duplicate": "Candidature en doublon",
    "other": "Autre",
    "auto": "Refus automatique",
}
# Reasons an employer may not choose: `auto` is the system's (DOMAIN §4).
SYSTEM_ONLY_REFUSAL_REASONS = ("auto",)
# Reasons that make no sense for a GEIQ, which does not check IAE eligibility (DOMAIN §4).
NOT_FOR_GEIQ_REFUSAL_REASONS = ("non_eligible", "prevent_objectives")


def refusal_reasons_for(company_kind):
    """The refusal reasons an employer of this kind may pick, in display order."""
    excluded = set(SYSTEM_ONLY_REFUSAL_REASONS)
    if company_kind == "GEIQ":
        excluded |= set(NOT_FOR_GEIQ_REFUSAL_REASONS)
    return {code: label for code, label in REFUSAL_REASONS.items() if code not in excluded}


# The roles a lane of a diagram may name, with the label users see.
ROLES = {
    "employer": "Employeur",
    "prescriber": "Prescripteur",
    "authorized_prescriber": "Prescripteur habilité",
    "job_seeker": "Candidat",
    "support": "Support",
}

SENDER_KINDS = {
    "prescriber": "Prescripteur",
    "job_seeker": "Candidat",
    "employer": "Employeur",
}

# Contract types of a job description (DOMAIN §10).
JOB_CONTRACT_TYPES = {
    "CDDI": "CDD d'insertion (CDDI)",
    "CDD": "CDD",
    "CDI": "CDI",
    "CDI_INCLUSION": "CDI inclusion",
    "FIXED_TERM_TREMPLIN": "CDD Tremplin",
    "TEMPORARY": "Mission d'intérim",
    "APPRENTICESHIP": "Contrat d'apprentissage",
    "PROFESSIONAL_TRAINING": "Contrat de professionnalisation",
    "OTHER": "Autre type de contrat",
}

HIRE_CONTRACT_TYPES = {
    "APPRENTICESHIP": "Contrat d'apprentissage",
    "PROFESSIONAL_TRAINING": "Contrat de professionnalisation",
    "OTHER": "Autre type de contrat",
}

# Why a job seeker is registered without a NIR (DOMAIN §3 step 1: "NIR or the reason it is missing").
NIR_MISSING_REASONS = {
    "temporary_number": "La personne a un numéro provisoire ou temporaire (NIA, NTT)",
    "no_nir": "La personne n'a pas de numéro de sécurité sociale",
    "not_known": "Je ne connais pas son numéro de sécurité sociale pour le moment",
}

# Identity and contact fields a form may ask about a job seeker (DOMAIN §13). They are written to
# the person's record; the case's event log keeps only that they were given (PERSONAL_VALUE_LOGGED).
PERSONAL_FIELDS = frozenset({"nir", "birth_date", "birth_place", "birth_country", "address", "phone", "email",
                             "france_travail_id"})
PERSONAL_VALUE_LOGGED = "(donnée personnelle, sur la fiche du candidat)"

# Every vocabulary a form spec may draw its choices from, by name (see all_vocabularies).
VOCABULARIES = {
    "company_kinds": COMPANY_KINDS,
    "prescriber_kinds": PRESCRIBER_KINDS,
    "application_states": APPLICATION_STATES,
    "application_decisions": APPLICATION_DECISIONS,
    "refusal_reasons": {k: v for k, v in REFUSAL_REASONS.items() if k not in SYSTEM_ONLY_REFUSAL_REASONS},
    "hire_contract_types": HIRE_CONTRACT_TYPES,
    "job_contract_types": JOB_CONTRACT_TYPES,
    "company_kinds_siae": {k: COMPANY_KINDS[k] for k in SIAE_KINDS},
    "institution_kinds": INSTITUTION_KINDS,
    "nir_missing_reasons": NIR_MISSING_REASONS,
}


@functools.lru_cache(maxsize=1)
def all_vocabularies():
    """VOCABULARIES plus the eligibility ones (imported late: eligibility builds on this module)."""
    from app.domain.eligibility import ELIGIBILITY_VOCABULARIES
    return {**VOCABULARIES, **ELIGIBILITY_VOCABULARIES}
