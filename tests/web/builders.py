"""Data builders for the web tests: organisations, people, applications.

Everything goes through the real models, the real engine and the shipped BPMN
(app.services.cases.open_application). Builders open their own app context and
return ids, so that each request of the test client runs as in production.

    scene = build_scene(app)
    case_id = send_application(app, scene)
    login(client, scene.email("employer"))
"""
from dataclasses import dataclass, field
from datetime import date

from app.engine import processes
from app.extensions import db
from app.models import Case, JobSeeker, Membership, Notification, Organisation, Task, User
from app.services import cases

PASSWORD = "Mot-de-passe-de-test-1"
MESSAGE = "Bonjour, je vous recommande Nadia : motivée, disponible dès lundi."

ORGANISATIONS = {
    # key: (category, kind, name, siret)
    "jardins": ("company", "ACI", "Les Jardins de la Vilaine", "81234567800011"),
    "recyclerie": ("company", "EI", "La Recyclerie Rennaise", "81234567800029"),
    "geiq": ("company", "GEIQ", "GEIQ Bâtiment Bretagne", "81234567800037"),
    "ft": ("prescriber", "FT", "France Travail Rennes", None),
    "ml": ("prescriber", "ML", "Mission locale de Brest", None),
}

PEOPLE = {
    # key: (email, first name, last name, extra attributes, memberships)
    "employer": ("emma.ployeur@jardins.test", "Emma", "Ployeur", {}, ["jardins", "recyclerie"]),
    "colleague": ("karim.collegue@jardins.test", "Karim", "Collègue", {}, ["jardins"]),
    "other_employer": ("olivier.dehors@geiq.test", "Olivier", "Dehors", {}, ["geiq"]),
    "prescriber": ("paula.rescrit@ft.test", "Paula", "Rescrit", {}, ["ft"]),
    "other_prescriber": ("marc.ailleurs@ml.test", "Marc", "Ailleurs", {}, ["ml"]),
    "seeker": ("nadia.haddad@exemple.test", "Nadia", "Haddad", {"kind": "job_seeker"}, []),
    "other_seeker": ("leo.martin@exemple.test", "Léo", "Martin", {"kind": "job_seeker"}, []),
    "support": ("sam.support@parcours.test", "Sam", "Support", {"kind": "staff", "is_support": True}, []),
    "inactive": ("ines.partie@jardins.test", "Inès", "Partie", {"is_active": False}, ["jardins"]),
}


@dataclass
class Scene:
    users: dict = field(default_factory=dict)
    orgs: dict = field(default_factory=dict)
    seekers: dict = field(default_factory=dict)

    def email(self, key):
        return PEOPLE[key][0]

    def name(self, key):
        _email, first, last, _extra, _orgs = PEOPLE[key]
        return f"{first} {last}"


def build_scene(app):
    """Companies jardins (ACI), recyclerie (EI), geiq; prescribers ft, ml; the people of PEOPLE;
    job seekers "nadia" (account: seeker) and "leo" (account: other_seeker)."""
    with app.app_context():
        processes.sync_process_files(app.config["BPMN_DIR"])
        scene = Scene()
        for key, (category, kind, name, siret) in ORGANISATIONS.items():
            org = Organisation(category=category, kind=kind, name=name, siret=siret, department="35",
                               city="Rennes",
                               authorization_status="validated" if category == "prescriber" else "not_set")
            db.session.add(org)
            db.session.flush()
            scene.orgs[key] = org.id
        for key, (email, first, last, extra, memberships) in PEOPLE.items():
            user = User(email=email, first_name=first, last_name=last, **extra)
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.flush()
            scene.users[key] = user.id
            for position, org_key in enumerate(memberships):
                db.session.add(Membership(user_id=user.id, organisation_id=scene.orgs[org_key],
                                          is_admin=position == 0))
        for key, user_key, birth in (("nadia", "seeker", date(1990, 3, 14)), ("leo", "other_seeker", None)):
            email, first, last, _extra, _orgs = PEOPLE[user_key]
            seeker = JobSeeker(first_name=first, last_name=last, email=email, phone="0611223344",
                               birth_date=birth, city="Rennes", postcode="35000",
                               user_id=scene.users[user_key])
            db.session.add(seeker)
            db.session.flush()
            scene.seekers[key] = seeker.id
        db.session.commit()
        return scene


def send_application(app, scene, seeker="nadia", company="jardins", sender="prescriber", sender_org="ft",
                     message=MESSAGE):
    """Open an application case as `sender` acting for `sender_org`; returns the case id."""
    with app.app_context():
        actor = db.session.get(User, scene.users[sender])
        org = db.session.get(Organisation, scene.orgs[sender_org]) if sender_org else None
        case = cases.open_application(actor, org, scene.seekers[seeker], scene.orgs[company], message)
        db.session.commit()
        return case.id


def open_task_id(app, case_id, listed=None):
    """The id of the newest open task of a case or of a case it opened, or None."""
    with app.app_context():
        query = (Task.query.join(Case, Case.id == Task.case_id)
                 .filter(Task.state == "open", (Case.id == case_id) | (Case.parent_case_id == case_id)))
        if listed is not None:
            query = query.filter(Task.listed.is_(listed))
        task = query.order_by(Task.id.desc()).first()
        return task.id if task else None


def case_state(app, case_id):
    """(stage, stage_label, status) of a case."""
    with app.app_context():
        case = db.session.get(Case, case_id)
        return case.stage, case.stage_label, case.status


def child_case_id(app, case_id):
    with app.app_context():
        child = Case.query.filter_by(parent_case_id=case_id).order_by(Case.id.desc()).first()
        return child.id if child else None


def notifications_of(app, scene, user_key):
    """Subjects and bodies of a user's notifications, oldest first."""
    with app.app_context():
        rows = (Notification.query.filter_by(recipient_id=scene.users[user_key])
                .order_by(Notification.id).all())
        return [(n.subject, n.body) for n in rows]


def claim_as(app, scene, task_id, user_key):
    from app.services import tasks
    with app.app_context():
        tasks.claim(task_id, db.session.get(User, scene.users[user_key]))


def login(client, email, password=PASSWORD, follow_redirects=False):
    return client.post("/login", data={"email": email, "password": password},
                       follow_redirects=follow_redirects)


def logout(client):
    return client.post("/logout")


def text(response):
    """The response body as text, HTML entities for apostrophes turned back into characters."""
    return (response.get_data(as_text=True).replace("&#39;", "'").replace("&#34;", '"')
            .replace("&amp;", "&").replace("&quot;", '"'))
