"""A small, realistic world for engine and web tests: organisations, people, applications.

Everything goes through the real models, the real engine and the shipped BPMN.
Use `make_world()` inside an app context; `send_application(world, ...)` starts one.
"""
from dataclasses import dataclass, field

from app.demo import nir_for, siret_for
from app.engine import processes
from app.extensions import db
from app.models import Case, JobSeeker, Membership, Organisation, Task, User
from app.services import cases

PASSWORD = "mot-de-passe-test"


@dataclass
class World:
    users: dict = field(default_factory=dict)
    orgs: dict = field(default_factory=dict)
    seekers: dict = field(default_factory=dict)

    def user(self, key):
        return db.session.get(User, self.users[key])

    def org(self, key):
        return db.session.get(Organisation, self.orgs[key])

    def seeker(self, key):
        return db.session.get(JobSeeker, self.seekers[key])


def _user(email, first, last, **flags):
    user = User(email=email, first_name=first, last_name=last, **flags)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.flush()
    return user


def make_world(bpmn_dir):
    """Companies ACI "jardins" and EI "recyclerie" (same admin), GEIQ "geiq", prescriber "ft"
    (authorized), people: employer (both companies), colleague (jardins), outsider (geiq),
    prescriber (ft), seeker_user (job seeker with an account), support."""
    processes.sync_process_files(bpmn_dir)
    world = World()
    specs = {"jardins": ("company", "ACI", "Les Jardins"), "recyclerie": ("company", "EI", "La Recyclerie"),
             "geiq": ("company", "GEIQ", "GEIQ Bâtiment"), "ft": ("prescriber", "FT", "France Travail Test")}
    for index, (key, (category, kind, name)) in enumerate(specs.items()):
        org = Organisation(category=category, kind=kind, name=name, department="35",
                           siret=siret_for(12_000_000_000 + index) if category == "company" else None,
                           authorization_status="validated" if category == "prescriber" else "not_set")
        db.session.add(org)
        db.session.flush()
        world.orgs[key] = org.id
    people = {"employer": ("employeur@test.fr", "Emma", "Ployeur", {}),
              "colleague": ("collegue@test.fr", "Karim", "Collègue", {}),
              "outsider": ("autre@test.fr", "Olivier", "Dehors", {}),
              "prescriber": ("prescripteur@test.fr", "Paula", "Rescrit", {}),
              "seeker_user": ("candidat@test.fr", "Nadia", "Haddad", {"kind": "job_seeker"}),
              "support": ("support@test.fr", "Sam", "Support", {"is_support": True})}
    for key, (email, first, last, flags) in people.items():
        world.users[key] = _user(email, first, last, **flags).id
    for user_key, org_key, admin in [("employer", "jardins", True), ("employer", "recyclerie", True),
                                     ("colleague", "jardins", False), ("outsider", "geiq", True),
                                     ("prescriber", "ft", True)]:
        db.session.add(Membership(user_id=world.users[user_key], organisation_id=world.orgs[org_key],
                                  is_admin=admin))
    from datetime import date
    for order, (key, first, last) in enumerate([("jean", "Jean", "Dupont"), ("aicha", "Aïcha", "Traoré")]):
        seeker = JobSeeker(first_name=first, last_name=last, email=f"{key}@exemple.fr",
                           nir=nir_for(1, date(1985, 5, 12), "35", order), birth_date=date(1985, 5, 12))
        db.session.add(seeker)
        db.session.flush()
        world.seekers[key] = seeker.id
    nadia = JobSeeker(first_name="Nadia", last_name="Haddad", email="candidat@test.fr",
                      user_id=world.users["seeker_user"])
    db.session.add(nadia)
    db.session.flush()
    world.seekers["nadia"] = nadia.id
    db.session.commit()
    return world


def send_application(world, seeker="jean", company="jardins", sender="prescriber", sender_org="ft",
                     message="Je vous recommande cette personne, disponible dès maintenant."):
    case = cases.open_application(world.user(sender), world.org(sender_org) if sender_org else None,
                                  world.seekers[seeker], world.orgs[company], message)
    db.session.commit()
    return case


def open_task(case):
    """The single open task of a case or of the case it opened (accepting opens a hire)."""
    return (Task.query.join(Case).filter(Task.state == "open",
                                         (Case.id == case.id) | (Case.parent_case_id == case.id))
            .order_by(Task.id.desc()).first())
