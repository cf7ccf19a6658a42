"""Demo data for `make run`: organisations, people and applications at every stage.

Every application is created and moved by the real process (the shipped BPMN run
by the engine), exactly as users would, so the demo shows real tasks, timelines
and notifications. Idempotent: a second run changes nothing.
"""
from datetime import date, timedelta

from app.engine import processes, runtime
from app.extensions import db
from app.models import Case, Event, JobDescription, JobSeeker, Membership, Organisation, Task, User
from app.models.base import utcnow
from app.services import cases

DEMO_PASSWORD = "parcours-demo"
MARKER_EMAIL = "employeur@demo.parcours.fr"

# email, first name, last name, role description (README lists them)
ACCOUNTS = [
    ("employeur@demo.parcours.fr", "Émilie", "Garnier", "Employeuse (admin) : ACI Les Jardins de Rennes et EI Rennes Recyclerie"),
    ("collegue@demo.parcours.fr", "Karim", "Benali", "Employeur (membre) : ACI Les Jardins de Rennes"),
    ("prescripteur@demo.parcours.fr", "Sophie", "Lemoine", "Prescriptrice habilitée : France Travail Rennes"),
    ("orienteur@demo.parcours.fr", "Lucas", "Moreau", "Orienteur (non habilité) : CCAS de Marseille"),
    ("candidat@demo.parcours.fr", "Nadia", "Haddad", "Candidate avec un compte"),
    ("support@demo.parcours.fr", "Paul", "Rivière", "Équipe support de la plateforme"),
    ("proprietaire@demo.parcours.fr", "Claire", "Fontaine", "Propriétaire des processus (diagrammes BPMN)"),
    ("ddets@demo.parcours.fr", "Marc", "Lefèvre", "DDETS d'Ille-et-Vilaine (supervision)"),
]

# name, kind, département, city, postcode
COMPANIES = [
    ("Les Jardins de Rennes", "ACI", "35", "Rennes", "35000"),
    ("Rennes Recyclerie", "EI", "35", "Rennes", "35200"),
    ("Bretagne Intérim Solidaire", "ETTI", "35", "Rennes", "35000"),
    ("Association Coup de Main 35", "AI", "35", "Saint-Malo", "35400"),
    ("Vélos de Vilaine", "EITI", "35", "Redon", "35600"),
    ("GEIQ BTP Bretagne", "GEIQ", "35", "Rennes", "35000"),
    ("Atelier Adapté de l'Ouest", "EA", "35", "Vitré", "35500"),
    ("Ressourcerie de Saint-Denis", "ACI", "93", "Saint-Denis", "93200"),
    ("Bâtir Ensemble 93", "EI", "93", "Montreuil", "93100"),
    ("Intérim Insertion Seine-Saint-Denis", "ETTI", "93", "Bobigny", "93000"),
    ("Entraide Services 93", "AI", "93", "Aubervilliers", "93300"),
    ("Cuisine Solidaire Marseille", "ACI", "13", "Marseille", "13003"),
    ("Logistique Provence Insertion", "EI", "13", "Marseille", "13014"),
    ("Services Plus Provence", "AI", "13", "Aix-en-Provence", "13100"),
]

# name, kind, authorization status, département, city
PRESCRIBERS = [
    ("France Travail Rennes", "FT", "validated", "35", "Rennes"),
    ("Mission locale de Saint-Denis", "ML", "validated", "93", "Saint-Denis"),
    ("CCAS de Marseille", "CCAS", "not_set", "13", "Marseille"),
    ("Association Le Relais", "OTHER", "not_required", "35", "Rennes"),
]

# first name, last name, birth date, sex digit, département of birth
JOB_SEEKERS = [
    ("Jean", "Dupont", date(1985, 5, 12), 1, "35"),
    ("Aïcha", "Traoré", date(1992, 3, 2), 2, "93"),
    ("Kevin", "Le Goff", date(2001, 11, 23), 1, "29"),
    ("Marie", "Lambert", date(1968, 7, 30), 2, "13"),
    ("Thomas", "Nguyen", date(1979, 1, 15), 1, "75"),
    ("Fatou", "Diallo", date(1996, 9, 8), 2, "93"),
    ("Pierre", "Martin", date(1963, 4, 19), 1, "35"),
    ("Inès", "Bouzid", date(2003, 6, 5), 2, "13"),
    ("Julien", "Robert", date(1988, 12, 1), 1, "56"),
    ("Chloé", "Petit", date(1990, 2, 27), 2, "35"),
    ("Mohamed", "Cherif", date(1975, 10, 10), 1, "93"),
]


def siret_for(seed):
    """A valid SIRET (Luhn key) built from a seed number, for demo companies only."""
    body = f"{seed:013d}"
    for last in range(10):
        candidate = body + str(last)
        total = 0
        for index, digit in enumerate(reversed(candidate)):
            value = int(digit) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError("a Luhn key always exists")


def nir_for(sex, birth, department, order):
    """A well-formed NIR whose key is right (INSEE rule: 97 − number mod 97)."""
    body = f"{sex}{birth.year % 100:02d}{birth.month:02d}{department}{100 + order:03d}{order + 1:03d}"
    return body + f"{97 - int(body) % 97:02d}"


def seed(bpmn_dir):
    """Create the demo once; returns False when it already exists."""
    if User.query.filter_by(email=MARKER_EMAIL).first() is not None:
        return False
    processes.sync_process_files(bpmn_dir)
    users = _create_users()
    orgs = _create_organisations()
    _create_memberships(users, orgs)
    seekers = _create_job_seekers(users)
    db.session.commit()
    _create_applications(users, orgs, seekers)
    _publish_job_descriptions()
    _send_through_prescriptions()
    _request_authorizations()
    _support_examples()
    _pass_examples()
    return True


def _create_users():
    users = {}
    for email, first, last, _ in ACCOUNTS:
        user = User(email=email, first_name=first, last_name=last,
                    kind="job_seeker" if email.startswith("candidat") else "professional",
                    is_support=email.startswith("support"), is_process_owner=email.startswith("proprietaire"))
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        users[email.split("@")[0]] = user
    db.session.flush()
    return users


def _create_organisations():
    orgs = {}
    for index, (name, kind, dept, city, postcode) in enumerate(COMPANIES):
        org = Organisation(category="company", kind=kind, name=name, department=dept, city=city,
                           postcode=postcode, siret=siret_for(35_000_000_000 + index * 1_000_003),
                           address=f"{10 + index} rue de la République")
        if kind in ("ACI", "EI"):
            org.spontaneous_applications_open_until = date.today() + timedelta(days=90)
        db.session.add(org)
        orgs[name] = org
    for name, kind, status, dept, city in PRESCRIBERS:
        org = Organisation(category="prescriber", kind=kind, name=name, department=dept, city=city,
                           authorization_status=status)
        db.session.add(org)
        orgs[name] = org
    orgs["DDETS 35"] = Organisation(category="institution", kind="DDETS", name="DDETS d'Ille-et-Vilaine",
                                    department="35", city="Rennes")
    db.session.add(orgs["DDETS 35"])
    db.session.flush()
    return orgs


def _create_memberships(users, orgs):
    links = [("employeur", "Les Jardins de Rennes", True), ("employeur", "Rennes Recyclerie", True),
             ("collegue", "Les Jardins de Rennes", False), ("prescripteur", "France Travail Rennes", True),
             ("orienteur", "CCAS de Marseille", True), ("ddets", "DDETS 35", True)]
    for user_key, org_name, is_admin in links:
        db.session.add(Membership(user_id=users[user_key].id, organisation_id=orgs[org_name].id, is_admin=is_admin))


def _create_job_seekers(users):
    seekers = []
    for order, (first, last, birth, sex, dept) in enumerate(JOB_SEEKERS):
        seeker = JobSeeker(first_name=first, last_name=last, birth_date=birth, nir=nir_for(sex, birth, dept, order),
                           email=f"{first.lower()}.{last.lower().replace(' ', '')}@exemple.fr".replace("ï", "i")
                           .replace("è", "e").replace("é", "e"),
                           phone=f"06{order:02d}12{order:02d}34", city="Rennes", department="35")
        db.session.add(seeker)
        seekers.append(seeker)
    nadia = users["candidat"]
    seekers.append(JobSeeker(first_name=nadia.first_name, last_name=nadia.last_name, birth_date=date(1994, 8, 14),
                             email=nadia.email, user_id=nadia.id, city="Rennes", department="35",
                             nir=nir_for(2, date(1994, 8, 14), "35", 40)))
    db.session.add(seekers[-1])
    db.session.flush()
    return seekers


def _send(actor, sender_org, seeker, company, message):
    case = cases.open_application(actor, sender_org, seeker.id, company.id, message)
    db.session.commit()
    return case


def _act(case, actor, data):
    # The open task of the case, or of the case it just opened (accepting opens the hire).
    task = (Task.query.join(Case).filter(Task.state == "open",
                                         (Case.id == case.id) | (Case.parent_case_id == case.id))
            .order_by(Task.id.desc()).first())
    runtime.complete_task(task, data, actor)
    db.session.commit()


def _declare_hire(application, actor, answers):
    """Answer each step of the hire the application opened until it is declared (bpmn/hire.bpmn)."""
    for _ in range(4):
        task = (Task.query.join(Case).filter(Task.state == "open", Task.listed.is_(True),
                                             Case.parent_case_id == application.id).order_by(Task.id).first())
        if task is None:
            return
        runtime.complete_task(task, answers, actor)
        db.session.commit()


def _create_applications(users, orgs, seekers):
    employer, prescriber = users["employeur"], users["prescripteur"]
    ft, ccas = orgs["France Travail Rennes"], orgs["CCAS de Marseille"]
    jardins, recyclerie = orgs["Les Jardins de Rennes"], orgs["Rennes Recyclerie"]
    hello = "Bonjour, je vous adresse la candidature de {name}, motivé(e) et disponible rapidement. " \
            "Son parcours correspond au poste. Bien cordialement."

    def send(seeker, company, org=ft, actor=prescriber):
        return _send(actor, org, seeker, company, hello.format(name=seeker.full_name))

    # New applications waiting in the employer's inbox.
    send(seekers[0], jardins)
    send(seekers[1], jardins)
    send(seekers[2], jardins, org=ccas, actor=users["orienteur"])
    _send(users["candidat"], None, seekers[-1], jardins, "Bonjour, je souhaite rejoindre votre équipe de maraîchage.")
    # Under study, on a waiting list, in the pool.
    _act(send(seekers[3], jardins), employer, {"decision": "study"})
    postponed = send(seekers[4], jardins)
    _act(postponed, employer, {"decision": "postpone", "answer_to_job_seeker":
                                "Nous reviendrons vers vous dès qu'un poste se libère en janvier."})
    _act(send(seekers[5], jardins), employer, {"decision": "pool"})
    # Refused, with a reason shared and a private comment for the prescriber.
    _act(send(seekers[6], jardins), employer, {
        "decision": "refuse", "refusal_reason": "no_position", "share_reason_with_job_seeker": True,
        "answer_to_job_seeker": "Nous n'avons pas de poste ouvert pour le moment, merci de votre intérêt.",
        "private_comment": "Profil intéressant, à recontacter au printemps.", "refusal_reason_details": ""})
    # Accepted and hired: the hire makes the person's other pending application obsolete.
    elsewhere = send(seekers[7], recyclerie)
    hired = send(seekers[7], jardins)
    _act(hired, employer, {"decision": "accept"})
    _declare_hire(hired, employer, {
        "hiring_start_at": (date.today() + timedelta(days=7)).isoformat(), "hiring_end_at": None,
        "hired_job_description": "other", "hired_job": "Ouvrière maraîchère",
        "answer_to_job_seeker": "Bienvenue dans l'équipe !",
        # What the hire may ask before (missing data) and after (the SIAE's own eligibility criteria).
        "birth_place": "Rennes", "address": "12 rue de Brest", "postcode": "35000", "city": "Rennes",
        "france_travail_not_registered": True, "nir_missing_reason": "not_known",
        "criteria_level_1": ["RSA"], "administrative_criteria": ["RSA"], "proofs_kept": True})
    # Transferred from the ACI to the EI of the same employer.
    _act(send(seekers[8], jardins), employer, {"decision": "transfer", "transfer_to": str(recyclerie.id)})
    # Left unanswered for 60 days: refused automatically by the diagram's timer.
    late = send(seekers[9], jardins)
    runtime.wake_case(late, utcnow() + timedelta(days=61))
    db.session.commit()
    # Accepted, hire form still to fill in.
    _act(send(seekers[10], jardins), employer, {"decision": "accept"})
    return elsewhere, Case.query.count()


def _request_authorizations():
    """Prescribers still waiting for their authorization have a case in support's inbox,
    opened as when their admin registered them (app/services/organisations.py)."""
    from app.services.organisations import start_authorization_case

    for org in Organisation.query.filter_by(category="prescriber", authorization_status="not_set"):
        title = f"Habilitation : {org.name}"
        if Case.query.filter_by(process_key="authorization", title=title).first() is not None:
            continue
        admin = (User.query.join(Membership, Membership.user_id == User.id)
                 .filter(Membership.organisation_id == org.id, Membership.is_admin.is_(True))
                 .order_by(Membership.id).first())
        start_authorization_case(org, admin)
        db.session.commit()


# company name -> job descriptions: (ROME code, appellation, custom name, contract, hours, positions,
# CV required, state) where state is "open", "closed", or "stale" (open, untouched for 95 days: the
# clock's daily job closes it and warns the company's members, DOMAIN §10).
DEMO_JOBS = {
    "Les Jardins de Rennes": [
        ("A1414", "Ouvrier maraîcher / Ouvrière maraîchère", "Ouvrier maraîcher bio", "CDDI", 26, 4, False, "open"),
        ("A1203", "Jardinier / Jardinière d'espaces verts", "", "CDDI", 26, 2, False, "stale"),
        ("A1414", "Horticulteur / Horticultrice", "", "CDDI", 26, 1, False, "closed"),
    ],
    "Rennes Recyclerie": [
        ("K2304", "Valoriste", "", "CDDI", 35, 2, False, "open"),
        ("K2304", "Agent polyvalent / Agente polyvalente de ressourcerie", "Agent de ressourcerie (vente et tri)",
         "CDDI", 30, 1, True, "open"),
        ("N1103", "Magasinier / Magasinière", "", "CDDI", 35, 1, False, "closed"),
    ],
    "Bretagne Intérim Solidaire": [
        ("N1105", "Manutentionnaire", "", "TEMPORARY", 35, 5, False, "open"),
        ("F1703", "Aide-maçon / Aide-maçonne", "", "TEMPORARY", 35, 3, False, "open"),
    ],
    "Association Coup de Main 35": [
        ("K2204", "Agent / Agente d'entretien de locaux", "", "CDDI", 20, 3, False, "open"),
    ],
    "Vélos de Vilaine": [
        ("N4104", "Livreur / Livreuse à vélo", "Livreur à vélo cargo en centre-ville", "OTHER", 24, 2, False, "open"),
    ],
    "GEIQ BTP Bretagne": [
        ("F1703", "Maçon / Maçonne", "", "PROFESSIONAL_TRAINING", 35, 4, True, "open"),
    ],
    "Atelier Adapté de l'Ouest": [
        ("H3302", "Agent / Agente de conditionnement", "", "CDI", 35, 3, False, "open"),
        ("K2201", "Agent / Agente de blanchisserie", "", "CDD", 28, 1, False, "closed"),
    ],
    "Ressourcerie de Saint-Denis": [
        ("K2304", "Trieur / Trieuse de textiles", "", "CDDI", 26, 3, False, "open"),
    ],
    "Bâtir Ensemble 93": [
        ("F1703", "Maçon / Maçonne en rénovation", "", "CDDI", 35, 2, True, "open"),
        ("I1203", "Ouvrier / Ouvrière de petits travaux de rénovation", "", "CDDI", 35, 2, False, "open"),
    ],
    "Intérim Insertion Seine-Saint-Denis": [
        ("N1103", "Préparateur / Préparatrice de commandes", "", "TEMPORARY", 35, 6, False, "open"),
    ],
    "Entraide Services 93": [
        ("K2204", "Agent / Agente de nettoyage de bureaux", "", "CDDI", 15, 2, False, "open"),
    ],
    "Cuisine Solidaire Marseille": [
        ("G1602", "Cuisinier / Cuisinière en restaurant d'insertion", "", "CDDI", 26, 2, False, "open"),
        ("G1605", "Plongeur / Plongeuse", "", "CDDI", 20, 1, False, "open"),
        ("G1602", "Commis / Commise de cuisine", "", "CDDI", 26, 1, False, "closed"),
    ],
    "Logistique Provence Insertion": [
        ("N1103", "Préparateur / Préparatrice de commandes", "", "CDDI", 35, 4, False, "open"),
        ("N4105", "Chauffeur-livreur / Chauffeuse-livreuse", "", "CDDI", 35, 1, True, "open"),
    ],
    "Services Plus Provence": [
        ("K2204", "Agent / Agente de propreté", "", "CDDI", 20, 2, False, "open"),
    ],
}
DEMO_JOB_DESCRIPTION = ("Vous rejoignez une équipe de {positions} à {city}, encadrée par un encadrant technique. "
                        "Un accompagnement socio-professionnel est proposé pendant tout le contrat.")
# One company has stopped receiving applications; an AI also takes spontaneous applications.
DEMO_BLOCKED_COMPANY = "Intérim Insertion Seine-Saint-Denis"
DEMO_SPONTANEOUS_COMPANIES = ("Association Coup de Main 35", "Services Plus Provence")


def _publish_job_descriptions():
    """The demo companies' job descriptions (DOMAIN §10); a company that has some is left as it is."""
    from app.domain import places, rome
    from app.models import JobDescription
    from app.services.directory import SPONTANEOUS_DAYS, today_paris

    for name, jobs in DEMO_JOBS.items():
        company = Organisation.query.filter_by(category="company", name=name).first()
        if company is None or JobDescription.query.filter_by(company_id=company.id).first() is not None:
            continue
        for code, title, custom_name, contract, hours, positions, cv_required, state in jobs:
            if rome.get_appellation(code, title) is None:
                raise ValueError(f"demo job {title!r} ({code}) is not in the shipped ROME list")
            changed = utcnow() - timedelta(days=95 if state == "stale" else 3)
            db.session.add(JobDescription(
                company_id=company.id, rome_code=code, appellation=title, custom_name=custom_name,
                description=DEMO_JOB_DESCRIPTION.format(positions="1 personne" if positions == 1
                                                        else f"{positions} personnes", city=company.city),
                contract_type=contract, city=company.city, postcode=company.postcode,
                department=places.department_for_postcode(company.postcode) or company.department,
                hours_per_week=hours, open_positions=positions, cv_required=cv_required,
                is_active=state != "closed", created_at=changed, updated_at=changed))
        if name == DEMO_BLOCKED_COMPANY:
            company.block_job_applications = True
        if name in DEMO_SPONTANEOUS_COMPANIES:
            company.spontaneous_applications_open_until = today_paris() + timedelta(days=SPONTANEOUS_DAYS)
    db.session.commit()


def _send_through_prescriptions():
    """Applications sent as people send them now, through bpmn/prescription.bpmn: a prescriber
    who validates eligibility and applies to two companies, a prescription left at its message,
    a job seeker applying alone, and a direct hire declared by an SIAE (auto-prescription)."""
    from app.domain.eligibility import SOCIO_PROFESSIONAL_GRID
    from app.services import prescription
    from app.services import tasks as task_service

    if Case.query.filter_by(process_key="prescription").first() is not None:
        return
    users = {u.email.split("@")[0]: u for u in User.query.filter(User.email.like("%@demo.parcours.fr"))}
    orgs = {o.name: o for o in Organisation.query}
    ft, jardins, recyclerie = orgs["France Travail Rennes"], orgs["Les Jardins de Rennes"], orgs["Rennes Recyclerie"]
    interim = orgs["Bretagne Intérim Solidaire"]
    sophie, emilie = users["prescripteur"], users["employeur"]

    def step(case, actor, **data):
        task = Task.query.filter_by(case_id=case.id, state="open").order_by(Task.id.desc()).first()
        task_service.complete(task.id, actor, json_data=data)

    def first_job(company):
        return JobDescription.query.filter_by(company_id=company.id, is_active=True).order_by(JobDescription.id).first()

    # France Travail registers Camille, validates her eligibility, applies to two SIAE.
    job = first_job(jardins)
    case = prescription.start(sophie, ft, jardins.id, [job.id] if job else [])
    step(case, sophie, first_name="Camille", last_name="Leroy", birth_date="1989-10-17", email="camille.leroy@exemple.fr",
         phone="0611223344", address="4 allée des Tilleuls", postcode="35200", city="Rennes",
         nir=nir_for(2, date(1989, 10, 17), "35", 60))
    step(case, sophie, criteria_level_1=["RSA"], criteria_level_2=["PI"],
         support_needs=["mobility_licence", "family_childcare"],
         **{f"grid_{d.code}": level for d, level in zip(SOCIO_PROFESSIONAL_GRID, "23242334")})
    step(case, sophie, add_more="yes", more_targets=[f"company-{recyclerie.id}"],
         message="Bonjour, je vous présente Camille, mère isolée au RSA, qui souhaite reprendre une activité "
                 "en extérieur. Une solution de garde est trouvée ; le permis est en cours. Disponible dès lundi.")
    # Another prescription, left at its message: it waits in Sophie's tasks.
    job = first_job(interim)
    case = prescription.start(sophie, ft, interim.id, [job.id] if job else [])
    step(case, sophie, email="thomas.nguyen@exemple.fr", use_existing=True)
    step(case, sophie, **{f"grid_{d.code}": "3" for d in SOCIO_PROFESSIONAL_GRID})
    # Nadia applies alone to the recyclerie.
    case = prescription.start(users["candidat"], None, recyclerie.id)
    step(case, users["candidat"], add_more="no",
         message="Bonjour, j'aime réparer et trier les objets : je serais heureuse de rejoindre votre équipe.")
    # Les Jardins hire Julien, who came by himself: eligibility from administrative criteria, then the hire.
    case = prescription.start(emilie, jardins, jardins.id, direct_hire=True)
    step(case, emilie, email="julien.robert@exemple.fr", use_existing=True)
    step(case, emilie, criteria_level_2=["CAP_BEP", "DELD", "PM"], proofs_kept=True)


def _support_examples():
    """What support and supervisors find in the demo: an application blocked by a failed automatic
    step (a transfer to a company its author does not belong to), a case suspended by support
    and a task support reassigned, each with its reason (app/services/support.py)."""
    from app.jobs import retries
    from app.services import support

    if Event.query.filter(Event.kind.in_(("case_suspended", "task_reassigned"))).first() is not None:
        return
    users = {u.email.split("@")[0]: u for u in User.query.filter(User.email.like("%@demo.parcours.fr"))}
    orgs = {o.name: o for o in Organisation.query}
    jardins, ft = orgs["Les Jardins de Rennes"], orgs["France Travail Rennes"]
    staff, employer = users["support"], users["employeur"]

    def new_application(last_name):
        seeker = JobSeeker.query.filter_by(last_name=last_name).first()
        return _send(users["prescripteur"], ft, seeker, jardins,
                     f"Bonjour, je vous adresse la candidature de {seeker.full_name}, disponible rapidement.")

    # The transfer fails at once: no automatic retry is planned, support sees it on /incidents.
    blocked = new_application("Martin")
    task = Task.query.filter_by(case_id=blocked.id, state="open").first()
    with retries.handled_by_caller():
        runtime.complete_task(task, {"decision": "transfer", "transfer_to": str(orgs["Bâtir Ensemble 93"].id)},
                              employer)
    db.session.commit()
    suspended = new_application("Traoré")
    support.suspend(suspended.id, staff, "L'employeur signale un doublon avec une candidature reçue sur papier : "
                                         "vérification en cours.")
    reassigned = new_application("Dupont")
    task = Task.query.filter_by(case_id=reassigned.id, state="open").first()
    support.reassign(task.id, staff, "Émilie est en congés cette semaine : Karim reprend les nouvelles candidatures.",
                     assignee_id=users["collegue"].id)


def _pass_examples():
    """PASS IAE to look at in the demo (/pass as the employer, /mon-pass as Nadia): a valid one
    (Nadia, at Les Jardins), a suspended one (Chloé Petit, at Rennes Recyclerie), an expired one
    (Thomas Nguyen) and one ending soon whose prolongation waits for France Travail Rennes (Marie
    Lambert, at Les Jardins: /prolongations/demandes as the prescriber). Issued directly on the
    rows, as a hire would; the suspension and the request go through their real services, so their
    cases and tasks exist. Skipped for anyone who already has a PASS: a second run changes nothing."""
    from app.services import approvals
    from app.services.job_seekers import today_paris

    today = today_paris()
    orgs = {o.name: o for o in Organisation.query.filter_by(category="company")}
    employer = User.query.filter_by(email=MARKER_EMAIL).first()
    examples = [("candidat@demo.parcours.fr", "Les Jardins de Rennes", 120, None, None),
                ("chloe.petit@exemple.fr", "Rennes Recyclerie", 300, None, _suspend_example),
                ("thomas.nguyen@exemple.fr", "Les Jardins de Rennes", 800, 80, None),
                ("marie.lambert@exemple.fr", "Les Jardins de Rennes", 640, None, _prolongation_request_example)]
    for email, company_name, days_ago, ended_days_ago, then in examples:
        seeker = JobSeeker.query.filter_by(email=email).first()
        company = orgs.get(company_name)
        if seeker is None or company is None or employer is None or approvals.passes_of(seeker.id):
            continue
        start = today - timedelta(days=days_ago)
        approval = approvals.issue_pass(seeker, start, actor=employer)
        approvals.attach_hire(approval, company, None, start,
                              today - timedelta(days=ended_days_ago) if ended_days_ago else None)
        db.session.commit()
        if then is not None:
            then(approval, company, employer, today)


def _suspend_example(approval, company, employer, today):
    """Suspended 20 days ago for 3 months: the PASS page offers to edit, end or delete it."""
    from app.services import suspensions

    values = {"reason": "CONTRACT_SUSPENDED", "start_at": today - timedelta(days=20),
              "end_at": today + timedelta(days=70), "end_unknown": False,
              "explanation": "Arrêt maladie de longue durée."}
    suspensions.start(approval.id, approval.lock_version, employer, company, values, today)
    db.session.commit()


def _prolongation_request_example(approval, company, employer, today):
    """A request for 6 more months (50 years and over) that France Travail Rennes has to decide."""
    from app.services import prolongations

    prescriber = User.query.filter_by(email="prescripteur@demo.parcours.fr").first()
    organisation = Organisation.query.filter_by(name="France Travail Rennes").first()
    if prescriber is None or organisation is None:
        return
    data = {"reason": "SENIOR", "end_on": approval.end_on + timedelta(days=182),
            "explanation": "Madame Lambert a 58 ans : six mois de plus pour finir sa formation de cariste "
                           "et préparer son embauche au dépôt de Cesson-Sévigné.",
            "prescriber_email": prescriber.email}
    prolongations.declare(employer, company, approval.id, data, approval.lock_version,
                          prescriber={"prescriber_organisation_id": organisation.id,
                                      "contact_phone": "02 99 00 12 34"}, today=today)
