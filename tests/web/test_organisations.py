"""Organisations: members, invitations, admins, registering an organisation, and support's
authorization inbox (HTML views and the API), on SQLite and PostgreSQL."""
import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import AuditEntry, Case, Event, Invitation, Membership, Notification, Organisation, Task, User
from app.models.base import utcnow
from app.services import organisations as organisations_service
from tests.web.builders import PASSWORD, PEOPLE, build_scene, claim_as, login, logout, send_application, text

NEW_EMAIL = "lucie.nouvelle@jardins.fr"
NEW_ACCOUNT = {"first_name": "Lucie", "last_name": "Nouvelle", "password": "une phrase assez longue",
               "password_confirmation": "une phrase assez longue", "accept": "y"}
PRESCRIBER_ORG = {"category": "prescriber", "prescriber_kind": "ML", "name": "Mission locale du Pays de Morlaix",
                  "city": "Morlaix", "department": "29"}
COMPANY_ORG = {"category": "company", "company_kind": "EI", "name": "Brest Bois Insertion", "siret": "73282932000074",
               "address": "3 quai de la Douane", "postcode": "29200", "city": "Brest", "department": "29"}


@pytest.fixture
def scene(app):
    """The web builders' scene, with Emma the only admin of Les Jardins (Karim a plain member)."""
    scene = build_scene(app)
    with app.app_context():
        # Addresses typed into forms must pass the email check, which refuses the reserved .test domain.
        for key, user_id in scene.users.items():
            db.session.get(User, user_id).email = email(key)
        Membership.query.filter_by(user_id=scene.users["colleague"], organisation_id=scene.orgs["jardins"]).one() \
            .is_admin = False
        db.session.commit()
    return scene


def email(key):
    return PEOPLE[key][0].replace(".test", ".fr")


def act_for(client, org_id):
    response = client.post("/organisation", data={"organisation_id": org_id})
    assert response.status_code == 302


def as_employer_of_jardins(client, scene):
    """Emma: sole admin of Les Jardins (and of La Recyclerie), acting for Les Jardins."""
    login(client, email("employer"))
    act_for(client, scene.orgs["jardins"])


def invite(client, email=NEW_EMAIL):
    return client.post("/organisation/membres/inviter", data={"email": email})


def invitation_link(app, email=NEW_EMAIL):
    """The path of the newest invitation link mailed to `email`."""
    with app.app_context():
        row = (Notification.query.filter_by(recipient_email=email, template="organisation_invitation")
               .order_by(Notification.id.desc()).first())
        return re.search(r"https?://[^/\s]+(/invitations/[\w-]+)", row.body).group(1)


def membership_id(app, scene, user_key, org_key):
    with app.app_context():
        return Membership.query.filter_by(user_id=scene.users[user_key],
                                          organisation_id=scene.orgs[org_key]).one().id


def membership_of(app, user_id, org_id):
    with app.app_context():
        row = Membership.query.filter_by(user_id=user_id, organisation_id=org_id).first()
        return (row.id, row.is_active, row.is_admin) if row else None


def audit_actions(app):
    with app.app_context():
        return [entry.action for entry in AuditEntry.query.order_by(AuditEntry.id)]


# --- the members page ---------------------------------------------------------------------------

def test_members_page_lists_active_members_admins_and_pending_invitations(app, client, scene):
    as_employer_of_jardins(client, scene)
    invite(client)
    page = client.get("/organisation/membres")
    assert page.status_code == 200
    html = text(page)
    assert "<h1 class=\"fr-mb-1w\">Les Jardins de la Vilaine (ACI)</h1>" in html
    assert "Membres de Les Jardins de la Vilaine : 2" in html  # Inès's account is deactivated
    assert "Emma Ployeur" in html and "Karim Collègue" in html and "Inès Partie" not in html
    assert html.count(">Administrateur</span>") == 1
    assert "Invitations en attente : 1" in html and NEW_EMAIL in html
    assert "Nommer administrateur" in html and "Retirer de l'organisation" in html
    # The organisation's own admin is its only one: no button would let it go without any.
    assert "Seul administrateur" in html
    assert "Mon organisation" in text(client.get("/"))


def test_a_member_sees_the_list_and_may_invite_but_not_manage(app, client, scene):
    login(client, email("colleague"))
    html = text(client.get("/organisation/membres"))
    assert "Emma Ployeur" in html and "Administrateurs : Emma Ployeur." in html
    assert "Retirer de l'organisation" not in html and "Nommer administrateur" not in html
    assert "Envoyer l'invitation" in html  # every member invites colleagues (seed 003, Fiche 6)
    assert invite(client).status_code == 302
    invitation_id = _invitation_id(app, NEW_EMAIL)
    employer_membership = membership_id(app, scene, "employer", "jardins")
    for response in (client.post(f"/organisation/membres/{employer_membership}/retirer"),
                     client.get(f"/organisation/membres/{employer_membership}/retirer"),
                     client.post(f"/organisation/membres/{employer_membership}/administrateur",
                                 data={"administrateur": "non"}),
                     client.post(f"/organisation/invitations/{invitation_id}/revoquer")):
        assert response.status_code == 403
        assert "Seuls les administrateurs de l'organisation peuvent faire cette action." in text(response)
    assert membership_of(app, scene.users["employer"], scene.orgs["jardins"])[1:] == (True, True)


def test_a_prescriber_organisation_shows_its_authorization(app, client, scene):
    with app.app_context():
        db.session.get(Organisation, scene.orgs["ft"]).authorization_status = "not_set"
        db.session.commit()
    login(client, email("prescriber"))
    assert "Habilitation en attente de validation par l'équipe support" in text(client.get("/organisation/membres"))
    with app.app_context():
        db.session.get(Organisation, scene.orgs["ft"]).authorization_status = "validated"
        db.session.commit()
    assert "Prescripteur habilité" in text(client.get("/organisation/membres"))


def test_without_an_organisation_the_page_offers_to_register_one(client, scene):
    login(client, email("support"))
    html = text(client.get("/organisation/membres"))
    assert "Vous n'agissez pour aucune organisation" in html


def _invitation_id(app, email):
    with app.app_context():
        return Invitation.query.filter_by(email=email).order_by(Invitation.id.desc()).first().id


# --- inviting ---------------------------------------------------------------------------------

def test_an_invitation_mails_a_link_valid_14_days_whose_token_is_only_stored_hashed(app, client, scene):
    as_employer_of_jardins(client, scene)
    response = invite(client, "  Lucie.Nouvelle@Jardins.fr ")
    assert response.status_code == 302
    assert "Invitation envoyée à lucie.nouvelle@jardins.fr" in text(client.get("/organisation/membres"))
    link = invitation_link(app)
    token = link.rsplit("/", 1)[1]
    with app.app_context():
        invitation = Invitation.query.one()
        assert invitation.email == NEW_EMAIL and invitation.organisation_id == scene.orgs["jardins"]
        assert invitation.token_hash == organisations_service.hash_token(token) != token
        assert timedelta(days=13, hours=23) < invitation.expires_at - utcnow() <= timedelta(days=14)
        mail = Notification.query.filter_by(template="organisation_invitation").one()
        assert mail.recipient_id is None and mail.case_id is None
        assert mail.subject == "Invitation à rejoindre une organisation"
        assert "Emma Ployeur vous invite à rejoindre Les Jardins de la Vilaine sur Parcours." in mail.body
    assert audit_actions(app) == ["member_invited"]


def test_inviting_again_replaces_the_pending_invitation(app, client, scene):
    as_employer_of_jardins(client, scene)
    invite(client)
    first = invitation_link(app)
    invite(client)
    assert "Elle remplace l'invitation précédente" in text(client.get("/organisation/membres"))
    assert first != invitation_link(app)
    logout(client)
    assert client.get(first).status_code == 410
    assert client.get(invitation_link(app)).status_code == 200


@pytest.mark.parametrize("email, message", [
    ("pas-une-adresse", "Saisissez une adresse e-mail valide (ex. nom@domaine.fr)."),
    ("", "Ce champ est obligatoire."),
    ("karim.collegue@jardins.fr", "Karim Collègue fait déjà partie de Les Jardins de la Vilaine."),
    ("nadia.haddad@exemple.fr", "Cette adresse ne peut pas être invitée"),  # a job seeker's account
    ("ines.partie@jardins.fr", "Cette adresse ne peut pas être invitée"),  # a deactivated account
])
def test_a_bad_invitation_is_refused_with_a_french_message(app, client, scene, email, message):
    as_employer_of_jardins(client, scene)
    response = invite(client, email)
    assert response.status_code == 422
    html = text(response)
    assert message in html and 'role="alert"' in html
    with app.app_context():
        assert Invitation.query.count() == 0 and Notification.query.count() == 0


def test_an_existing_account_is_invited_in_the_app_too(app, client, scene):
    as_employer_of_jardins(client, scene)
    invite(client, "marc.ailleurs@ml.fr")
    with app.app_context():
        mail = Notification.query.filter_by(template="organisation_invitation").one()
        assert mail.recipient_id == scene.users["other_prescriber"]


# --- the invitation link ------------------------------------------------------------------------

def test_an_invited_person_creates_an_account_and_lands_in_the_organisation_inbox(app, client, scene):
    as_employer_of_jardins(client, scene)
    invite(client)
    link = invitation_link(app)
    logout(client)

    page = client.get(link)
    assert page.status_code == 200
    html = text(page)
    assert "Rejoindre Les Jardins de la Vilaine" in html and "Emma Ployeur vous invite" in html
    assert NEW_EMAIL in html and 'type="password"' in html

    short = client.post(link, data=dict(NEW_ACCOUNT, password="court", password_confirmation="court"))
    assert short.status_code == 422
    assert "Choisissez un mot de passe d'au moins 12 caractères." in text(short)
    assert "court" not in re.findall(r'value="([^"]*)"', text(short))  # a password is never sent back
    mismatch = client.post(link, data=dict(NEW_ACCOUNT, password_confirmation="une autre phrase longue"))
    assert mismatch.status_code == 422
    assert "Les deux mots de passe ne sont pas identiques" in text(mismatch)
    unticked = client.post(link, data={k: v for k, v in NEW_ACCOUNT.items() if k != "accept"})
    assert unticked.status_code == 422
    with app.app_context():
        assert User.query.filter_by(email=NEW_EMAIL).first() is None

    joined = client.post(link, data=NEW_ACCOUNT)
    assert joined.status_code == 302 and joined.headers["Location"] == "/taches"
    inbox = text(client.get("/taches"))
    assert "Bienvenue Lucie : votre compte est créé et vous avez rejoint Les Jardins de la Vilaine." in inbox
    assert "Vous agissez pour <strong>Les Jardins de la Vilaine (ACI)</strong>" in inbox
    with app.app_context():
        user = User.query.filter_by(email=NEW_EMAIL).one()
        assert (user.full_name, user.kind) == ("Lucie Nouvelle", "professional")
        assert user.check_password("une phrase assez longue")
        invitation = Invitation.query.one()
        assert invitation.accepted_by_id == user.id and invitation.accepted_at is not None
        user_id = user.id
    assert membership_of(app, user_id, scene.orgs["jardins"])[1:] == (True, False)
    assert audit_actions(app) == ["member_invited", "member_joined"]

    # The link served once.
    logout(client)
    again = client.get(link)
    assert again.status_code == 410 and "Cette invitation a déjà été utilisée." in text(again)
    # And the new colleague may sign in with the chosen password.
    assert login(client, NEW_EMAIL, "une phrase assez longue").status_code == 302


def test_a_signed_in_person_joins_with_one_click(app, client, scene):
    as_employer_of_jardins(client, scene)
    invite(client, "marc.ailleurs@ml.fr")
    link = invitation_link(app, "marc.ailleurs@ml.fr")
    logout(client)
    # Not signed in, the account exists: sign in first, then come back.
    page = client.get(link)
    assert "Se connecter pour rejoindre Les Jardins de la Vilaine" in text(page)
    login(client, "marc.ailleurs@ml.fr")
    page = client.get(link)
    assert page.status_code == 200
    assert ">Rejoindre Les Jardins de la Vilaine</button>" in text(page)
    joined = client.post(link + "/rejoindre")
    assert joined.status_code == 302
    assert "Vous avez rejoint Les Jardins de la Vilaine." in text(client.get("/taches"))
    assert membership_of(app, scene.users["other_prescriber"], scene.orgs["jardins"])[1:] == (True, False)
    # Their first organisation is still theirs.
    assert membership_of(app, scene.users["other_prescriber"], scene.orgs["ml"])[1:] == (True, True)


def test_a_person_signed_in_with_another_address_is_told_why_they_cannot_join(app, client, scene):
    as_employer_of_jardins(client, scene)
    invite(client)
    link = invitation_link(app)
    logout(client)
    login(client, email("prescriber"))
    page = client.get(link)
    assert page.status_code == 403
    html = text(page)
    assert "Cette invitation est pour une autre adresse" in html
    assert "Vous êtes connecté(e) avec paula.rescrit@ft.fr" in html
    refused = client.post(link + "/rejoindre")
    assert refused.status_code == 403
    assert f"Cette invitation a été envoyée à {NEW_EMAIL}" in text(refused)
    assert membership_of(app, scene.users["prescriber"], scene.orgs["jardins"]) is None


def test_expired_revoked_and_unknown_links_say_so(app, client, scene):
    as_employer_of_jardins(client, scene)
    invite(client)
    link = invitation_link(app)
    invite(client, "autre.personne@jardins.fr")
    other_link = invitation_link(app, "autre.personne@jardins.fr")
    revoked = client.post(f"/organisation/invitations/{_invitation_id(app, 'autre.personne@jardins.fr')}/revoquer")
    assert revoked.status_code == 302
    assert "L'invitation de autre.personne@jardins.fr est révoquée" in text(client.get("/organisation/membres"))
    logout(client)
    with app.app_context():
        Invitation.query.filter_by(email=NEW_EMAIL).one().expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()

    expired = client.get(link)
    assert expired.status_code == 410 and "Cette invitation a expiré le" in text(expired)
    assert client.post(link, data=NEW_ACCOUNT).status_code == 410
    cancelled = client.get(other_link)
    assert cancelled.status_code == 410
    assert "Cette invitation a été annulée par un administrateur de Les Jardins de la Vilaine." in text(cancelled)
    unknown = client.get("/invitations/pas-un-vrai-jeton")
    assert unknown.status_code == 404 and "Ce lien d'invitation n'est pas valable" in text(unknown)
    with app.app_context():
        assert User.query.filter_by(email=NEW_EMAIL).first() is None


def test_a_revoked_or_used_invitation_cannot_be_revoked_again(app, client, scene):
    as_employer_of_jardins(client, scene)
    invite(client)
    invitation_id = _invitation_id(app, NEW_EMAIL)
    assert client.post(f"/organisation/invitations/{invitation_id}/revoquer").status_code == 302
    again = client.post(f"/organisation/invitations/{invitation_id}/revoquer")
    assert again.status_code == 409 and "Cette invitation est déjà révoquée." in text(again)
    assert client.post("/organisation/invitations/999999/revoquer").status_code == 404


# --- members and admins -----------------------------------------------------------------------------

def test_an_admin_removes_a_member_whose_tasks_go_back_to_colleagues(app, client, scene):
    case_id = send_application(app, scene)
    with app.app_context():
        task_id = Task.query.filter_by(case_id=case_id, state="open").one().id
    claim_as(app, scene, task_id, "colleague")
    colleague = membership_id(app, scene, "colleague", "jardins")
    as_employer_of_jardins(client, scene)

    confirm = client.get(f"/organisation/membres/{colleague}/retirer")
    assert confirm.status_code == 200
    assert "Retirer Karim Collègue de Les Jardins de la Vilaine ?" in text(confirm)
    removed = client.post(f"/organisation/membres/{colleague}/retirer")
    assert removed.status_code == 302
    assert "Karim Collègue ne fait plus partie de Les Jardins de la Vilaine." in text(client.get("/organisation/membres"))
    assert membership_of(app, scene.users["colleague"], scene.orgs["jardins"]) == (colleague, False, False)
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert task.assignee_id is None and task.state == "open"
        event = Event.query.filter_by(task_id=task_id, kind="task_unclaimed").one()
        assert event.summary.endswith("Karim Collègue a quitté Les Jardins de la Vilaine")
    assert audit_actions(app) == ["member_removed"]
    # Removing them again: they are no longer a member.
    assert client.post(f"/organisation/membres/{colleague}/retirer").status_code == 404

    # Karim no longer acts for the organisation.
    logout(client)
    login(client, email("colleague"))
    assert "Vous n'agissez pour aucune organisation" in text(client.get("/organisation/membres"))
    assert client.get(f"/taches/{task_id}").status_code == 403

    # Invited again, the same membership comes back (never deleted, never duplicated).
    logout(client)
    as_employer_of_jardins(client, scene)
    invite(client, email("colleague"))
    link = invitation_link(app, email("colleague"))
    logout(client)
    login(client, email("colleague"))
    client.post(link + "/rejoindre")
    assert membership_of(app, scene.users["colleague"], scene.orgs["jardins"]) == (colleague, True, False)


def test_an_organisation_never_loses_its_last_admin(app, client, scene):
    own = membership_id(app, scene, "employer", "jardins")
    colleague = membership_id(app, scene, "colleague", "jardins")
    as_employer_of_jardins(client, scene)

    leave = client.post(f"/organisation/membres/{own}/retirer")
    assert leave.status_code == 409
    assert "Vous êtes le seul administrateur de Les Jardins de la Vilaine" in text(leave)
    assert "nommez d'abord un autre administrateur" in text(client.get(f"/organisation/membres/{own}/retirer"))
    step_down = client.post(f"/organisation/membres/{own}/administrateur", data={"administrateur": "non"})
    assert step_down.status_code == 409
    assert "Les Jardins de la Vilaine doit garder au moins un administrateur" in text(step_down)
    assert membership_of(app, scene.users["employer"], scene.orgs["jardins"]) == (own, True, True)

    # With a second admin, Emma may step down, then leave.
    granted = client.post(f"/organisation/membres/{colleague}/administrateur", data={"administrateur": "oui"})
    assert granted.status_code == 302
    assert "Karim Collègue est maintenant administrateur" in text(client.get("/organisation/membres"))
    assert client.post(f"/organisation/membres/{own}/administrateur",
                       data={"administrateur": "non"}).status_code == 302
    assert membership_of(app, scene.users["employer"], scene.orgs["jardins"]) == (own, True, False)
    assert membership_of(app, scene.users["colleague"], scene.orgs["jardins"]) == (colleague, True, True)
    assert audit_actions(app) == ["admin_granted", "admin_revoked"]
    # No longer an admin: Emma cannot manage any more.
    denied = client.post(f"/organisation/membres/{colleague}/administrateur", data={"administrateur": "non"})
    assert denied.status_code == 403

    # Karim, now the only admin, cannot revoke his own rights either; he may let Emma go.
    logout(client)
    login(client, email("colleague"))
    assert client.post(f"/organisation/membres/{colleague}/administrateur",
                       data={"administrateur": "non"}).status_code == 409
    assert client.post(f"/organisation/membres/{own}/retirer").status_code == 302
    assert membership_of(app, scene.users["employer"], scene.orgs["jardins"]) == (own, False, False)


def test_an_admin_leaves_when_another_admin_remains(app, client, scene):
    colleague = membership_id(app, scene, "colleague", "jardins")
    own = membership_id(app, scene, "employer", "jardins")
    as_employer_of_jardins(client, scene)
    client.post(f"/organisation/membres/{colleague}/administrateur", data={"administrateur": "oui"})
    assert "Quitter Les Jardins de la Vilaine ?" in text(client.get(f"/organisation/membres/{own}/retirer"))
    left = client.post(f"/organisation/membres/{own}/retirer")
    assert left.status_code == 302 and left.headers["Location"] == "/taches"
    assert "Vous avez quitté Les Jardins de la Vilaine." in text(client.get("/taches"))
    # Emma now acts for her other organisation.
    assert "Les Jardins de la Vilaine" not in text(client.get("/organisation/membres")).split("<h1")[1][:80]


def test_members_of_another_organisation_are_out_of_reach(app, client, scene):
    outsider = membership_id(app, scene, "other_prescriber", "ml")
    as_employer_of_jardins(client, scene)
    for response in (client.get(f"/organisation/membres/{outsider}/retirer"),
                     client.post(f"/organisation/membres/{outsider}/retirer"),
                     client.post(f"/organisation/membres/{outsider}/administrateur", data={"administrateur": "oui"})):
        assert response.status_code == 403
        assert "Cette personne fait partie d'une autre organisation" in text(response)
    # An invitation of another organisation cannot be revoked either.
    logout(client)
    login(client, email("other_prescriber"))
    invite(client, "nouveau@ml.fr")
    logout(client)
    as_employer_of_jardins(client, scene)
    refused = client.post(f"/organisation/invitations/{_invitation_id(app, 'nouveau@ml.fr')}/revoquer")
    assert refused.status_code == 403 and "Cette invitation concerne une autre organisation." in text(refused)
    assert membership_of(app, scene.users["other_prescriber"], scene.orgs["ml"])[1:] == (True, True)
    assert client.post("/organisation/membres/999999/retirer").status_code == 404


def test_member_pages_need_to_be_signed_in(client, scene):
    for path in ("/organisation/membres", "/organisation/membres/1/retirer"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- registering an organisation ---------------------------------------------------------------------

def test_a_new_prescriber_waits_for_support_to_validate_its_authorization(app, client, scene):
    login(client, email("prescriber"))
    form = client.get("/organisations/nouvelle")
    assert form.status_code == 200 and "Inscrire votre organisation" in text(form)
    created = client.post("/organisations/nouvelle", data=PRESCRIBER_ORG)
    assert created.status_code == 302 and created.headers["Location"] == "/organisation/membres"
    html = text(client.get("/organisation/membres"))
    assert "Mission locale du Pays de Morlaix est inscrite : vous en êtes l'administrateur" in html
    assert "Habilitation en attente de validation par l'équipe support" in html
    with app.app_context():
        org = Organisation.query.filter_by(name="Mission locale du Pays de Morlaix").one()
        assert (org.category, org.kind, org.authorization_status, org.department, org.siret) == \
            ("prescriber", "ML", "not_set", "29", None)
        assert not org.is_authorized_prescriber
        membership = Membership.query.filter_by(organisation_id=org.id).one()
        assert (membership.user_id, membership.is_admin, membership.is_active) == (scene.users["prescriber"], True, True)
        case = Case.query.filter_by(process_key="authorization").one()
        assert case.title == "Habilitation : Mission locale du Pays de Morlaix" and case.stage == "to_check"
        assert case.summary["creator_email"] == email("prescriber")
        task = Task.query.filter_by(case_id=case.id, state="open").one()
        assert (task.role, task.organisation_id, task.assignee_id) == ("support", None, None)
        task_id = task.id
    assert "organisation_created" in audit_actions(app)
    # The creator follows the request; support does it.
    assert client.get(f"/taches/{task_id}").status_code == 200
    assert client.post(f"/taches/{task_id}", data={"decision": "validated"}).status_code == 403


def test_a_prescriber_of_kind_other_needs_no_authorization(app, client, scene):
    login(client, email("prescriber"))
    created = client.post("/organisations/nouvelle", data=dict(PRESCRIBER_ORG, prescriber_kind="OTHER",
                                                                name="Association Entraide Morlaix"))
    assert created.status_code == 302
    with app.app_context():
        org = Organisation.query.filter_by(name="Association Entraide Morlaix").one()
        assert org.authorization_status == "not_required"
        assert Case.query.filter_by(process_key="authorization").count() == 0
    assert "Habilitation non requise" in text(client.get("/organisation/membres"))


def test_a_new_company_with_its_siret(app, client, scene):
    login(client, email("employer"))
    created = client.post("/organisations/nouvelle", data=dict(COMPANY_ORG, siret="732 829 320 00074"))
    assert created.status_code == 302
    with app.app_context():
        org = Organisation.query.filter_by(name="Brest Bois Insertion").one()
        assert (org.category, org.kind, org.siret, org.postcode, org.department) == \
            ("company", "EI", "73282932000074", "29200", "29")
        assert Case.query.filter_by(process_key="authorization").count() == 0
    # The employer now acts for the new company, and still belongs to the others.
    assert "Vous agissez pour" in text(client.get("/taches"))
    assert "Brest Bois Insertion (EI)" in text(client.get("/organisation/membres"))
    assert membership_of(app, scene.users["employer"], scene.orgs["jardins"])[1:] == (True, True)


def test_a_company_already_registered_is_refused(app, client, scene):
    with app.app_context():
        db.session.get(Organisation, scene.orgs["jardins"]).siret = COMPANY_ORG["siret"]
        db.session.commit()
    login(client, email("employer"))
    response = client.post("/organisations/nouvelle", data=COMPANY_ORG)
    assert response.status_code == 422
    assert "Cette structure est déjà inscrite : demandez à un de ses administrateurs de vous inviter." in text(response)
    with app.app_context():
        assert Organisation.query.filter_by(name="Brest Bois Insertion").count() == 0


@pytest.mark.parametrize("changes, field_message", [
    ({"siret": "73282932000075"}, "Ce SIRET n'est pas valide (clé de contrôle incorrecte)."),
    ({"siret": "7328293200007"}, "SIRET"),
    ({"siret": ""}, "Ce champ est obligatoire."),
    ({"postcode": "35000"}, "Le code postal 35000 est dans le département 35 — Ille-et-Vilaine"),
    ({"postcode": "2900"}, "Saisissez un code postal français de 5 chiffres"),
    ({"company_kind": ""}, "Ce champ est obligatoire."),
    ({"category": "institution"}, "Choisissez une valeur dans la liste."),
])
def test_a_bad_company_registration_changes_nothing(app, client, scene, changes, field_message):
    login(client, email("employer"))
    response = client.post("/organisations/nouvelle", data=dict(COMPANY_ORG, **changes))
    assert response.status_code == 422
    html = text(response)
    assert field_message in html and 'role="alert"' in html
    with app.app_context():
        assert Organisation.query.filter_by(name="Brest Bois Insertion").count() == 0
        assert Membership.query.filter_by(user_id=scene.users["employer"]).count() == 2


def test_a_prescriber_siret_is_optional_but_unique(app, client, scene):
    with app.app_context():
        db.session.get(Organisation, scene.orgs["ft"]).siret = "13000548100010"
        db.session.commit()
    login(client, email("other_prescriber"))
    taken = client.post("/organisations/nouvelle", data=dict(PRESCRIBER_ORG, siret="13000548100010"))
    assert taken.status_code == 422 and "Cette structure est déjà inscrite" in text(taken)
    with app.app_context():
        assert Case.query.count() == 0


def test_someone_without_an_account_creates_it_then_registers_the_organisation(app, client, scene):
    page = client.get("/organisations/nouvelle")
    assert page.status_code == 200
    assert "Créer votre compte professionnel" in text(page) and "Étape 1 sur 2" in text(page)
    account = {"first_name": "Yann", "last_name": "Le Bris", "email": "yann.lebris@ml-morlaix.fr",
               "password": "une phrase assez longue", "password_confirmation": "une phrase assez longue",
               "accept": "y"}
    taken = client.post("/organisations/nouvelle", data=dict(account, email=email("prescriber")))
    assert taken.status_code == 422 and "Un compte existe déjà avec cette adresse" in text(taken)
    created = client.post("/organisations/nouvelle", data=account)
    assert created.status_code == 302 and created.headers["Location"] == "/organisations/nouvelle"
    assert "Votre compte est créé. Inscrivez maintenant votre organisation." in text(client.get("/organisations/nouvelle"))
    assert client.post("/organisations/nouvelle", data=PRESCRIBER_ORG).status_code == 302
    with app.app_context():
        user = User.query.filter_by(email="yann.lebris@ml-morlaix.fr").one()
        org = Organisation.query.filter_by(name="Mission locale du Pays de Morlaix").one()
        assert Membership.query.filter_by(user_id=user.id, organisation_id=org.id, is_admin=True).count() == 1


def test_a_job_seeker_cannot_register_an_organisation(app, client, scene):
    login(client, email("seeker"))
    assert client.get("/organisations/nouvelle").status_code == 403
    assert client.post("/organisations/nouvelle", data=PRESCRIBER_ORG).status_code == 403
    with app.app_context():
        assert Organisation.query.filter_by(name="Mission locale du Pays de Morlaix").count() == 0


# --- support's authorization tasks -----------------------------------------------------------------------

@pytest.fixture
def pending_prescriber(app, client, scene):
    """A Mission locale registered by Paula: its authorization waits for support."""
    login(client, email("prescriber"))
    client.post("/organisations/nouvelle", data=PRESCRIBER_ORG)
    logout(client)
    with app.app_context():
        case = Case.query.filter_by(process_key="authorization").one()
        return case.id, Task.query.filter_by(case_id=case.id, state="open").one().id


def test_support_validates_an_authorization_from_the_inbox(app, client, scene, pending_prescriber):
    case_id, task_id = pending_prescriber
    login(client, email("support"))
    inbox = text(client.get("/taches"))
    assert "Vérifier l'habilitation" in inbox and f'href="/taches/{task_id}"' in inbox
    page = text(client.get(f"/taches/{task_id}"))
    assert "Mission locale du Pays de Morlaix" in page and "Mission locale" in page
    assert "Paula Rescrit" in page and "paula.rescrit@ft.fr" in page and "département 29" in page
    assert "Valider l'habilitation" in page and "Refuser l'habilitation" in page
    missing = client.post(f"/taches/{task_id}", data={"decision": "refused"})
    assert missing.status_code == 422 and "Motif du refus" in text(missing)
    done = client.post(f"/taches/{task_id}", data={"decision": "validated"})
    assert done.status_code == 302
    with app.app_context():
        org = Organisation.query.filter_by(name="Mission locale du Pays de Morlaix").one()
        assert org.authorization_status == "validated"
        mail = Notification.query.filter_by(case_id=case_id).one()
        assert (mail.recipient_id, mail.subject) == (scene.users["prescriber"], "Habilitation validée")
    case_page = text(client.get(f"/dossiers/{case_id}"))
    assert "Habilitation validée" in case_page
    # Other professionals never see the task.
    logout(client)
    login(client, email("employer"))
    assert "Vérifier l'habilitation" not in text(client.get("/taches"))


def test_the_api_lists_authorization_tasks_for_support_only(app, client, scene, pending_prescriber):
    _case_id, task_id = pending_prescriber

    def tasks_of(email):
        token = client.post("/api/v1/tokens", json={"email": email, "password": PASSWORD}).get_json()["token"]
        response = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        return response.get_json()

    listed = tasks_of(email("support"))
    assert [item["id"] for item in listed["items"]] == [task_id]
    item = listed["items"][0]
    assert (item["title"], item["form_key"], item["role"]) == ("Vérifier l'habilitation", "authorization_decision",
                                                               "support")
    assert item["case"]["process"] == "authorization" and item["case"]["stage"] == "to_check"
    assert listed["counts"]["unassigned"] == 1
    assert task_id not in [i["id"] for i in tasks_of(email("prescriber"))["items"]]
    assert task_id not in [i["id"] for i in tasks_of(email("employer"))["items"]]
