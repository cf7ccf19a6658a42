"""Signing in and out, and acting for one organisation at a time."""
import pytest

from app.extensions import db
from app.models import User
from tests.support.web import csrf_token
from tests.web.builders import build_scene, login, send_application, text


@pytest.fixture
def scene(app):
    return build_scene(app)


def test_login_page_is_in_french(client):
    response = client.get("/login")
    assert response.status_code == 200
    page = text(response)
    assert '<html lang="fr"' in page
    assert "<title>Connexion — Parcours</title>" in page
    assert 'for="email"' in page and 'for="password"' in page
    assert "Se connecter" in page


def test_login_opens_the_inbox_and_records_the_login(app, client, scene):
    response = login(client, scene.email("employer"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/taches")
    page = text(client.get("/taches"))
    assert "Emma Ployeur" in page
    assert "Bonjour Emma, vous êtes connecté(e)." in page
    with app.app_context():
        assert db.session.get(User, scene.users["employer"]).last_login_at is not None


def test_email_is_not_case_sensitive(client, scene):
    assert login(client, scene.email("employer").upper()).status_code == 302


@pytest.mark.parametrize("who, password", [("employer", "mauvais"), ("nobody", "Mot-de-passe-de-test-1")])
def test_bad_credentials_do_not_say_which_one_is_wrong(client, scene, who, password):
    email = scene.email(who) if who != "nobody" else "personne@nulle-part.test"
    response = login(client, email, password)
    assert response.status_code == 422
    page = text(response)
    assert "Identifiants incorrects." in page
    assert 'role="alert"' in page
    assert client.get("/taches").status_code == 302  # still signed out


def test_missing_fields_are_named(client, scene):
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 422
    page = text(response)
    assert "Renseignez votre adresse e-mail." in page
    assert "Renseignez votre mot de passe." in page


def test_an_inactive_account_cannot_sign_in(client, scene):
    response = login(client, scene.email("inactive"))
    assert response.status_code == 422
    assert "Ce compte est désactivé" in text(response)
    assert client.get("/taches").status_code == 302


def test_an_account_deactivated_while_signed_in_is_signed_out(app, client, scene):
    login(client, scene.email("colleague"))
    assert client.get("/taches").status_code == 200
    with app.app_context():
        db.session.get(User, scene.users["colleague"]).is_active = False
        db.session.commit()
    response = client.get("/taches")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_pages_ask_to_sign_in_first_in_french(client, scene):
    response = client.get("/taches")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]
    page = text(client.get(response.headers["Location"]))
    assert "Connectez-vous pour accéder à cette page." in page


def test_login_goes_back_to_the_page_asked_for_but_never_to_another_site(client, scene):
    response = client.post("/login?next=/notifications",
                           data={"email": scene.email("employer"), "password": "Mot-de-passe-de-test-1"})
    assert response.headers["Location"].endswith("/notifications")
    client.post("/logout")
    response = client.post("/login?next=//evil.example/x",
                           data={"email": scene.email("employer"), "password": "Mot-de-passe-de-test-1"})
    assert response.headers["Location"].endswith("/taches")


def test_logout_signs_out(client, scene):
    login(client, scene.email("employer"))
    response = client.post("/logout", follow_redirects=True)
    assert "Vous êtes déconnecté(e)." in text(response)
    assert client.get("/taches").status_code == 302


def test_logout_is_a_post_only(client, scene):
    login(client, scene.email("employer"))
    response = client.get("/logout")
    assert response.status_code == 405
    assert "Action impossible" in text(response)
    assert client.get("/taches").status_code == 200  # still signed in


@pytest.mark.csrf
def test_a_form_without_its_csrf_token_has_expired(client, scene):
    page = client.get("/login")
    response = client.post("/login", data={"email": scene.email("employer"), "password": "x"})
    assert response.status_code == 400
    assert "La page a expiré, merci de recommencer." in text(response)
    # With the token of the page, the same form works.
    response = client.post("/login", data={"email": scene.email("employer"), "password": "Mot-de-passe-de-test-1",
                                           "csrf_token": csrf_token(page.data)})
    assert response.status_code == 302
    inbox = client.get("/taches")
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": csrf_token(inbox.data)}).status_code == 302


def test_the_organisation_switcher_changes_the_inbox(app, client, scene):
    # Emma belongs to both companies; the application goes to Les Jardins.
    send_application(app, scene, company="jardins")
    login(client, scene.email("employer"))
    page = text(client.get("/taches?vue=organisation"))
    # First organisation by name: La Recyclerie Rennaise, which has nothing to do.
    assert 'selected>La Recyclerie Rennaise (EI)</option>' in page
    assert "Nadia HADDAD" not in page
    assert "Votre organisation n'a aucune tâche en cours." in page

    response = client.post("/organisation", data={"organisation_id": scene.orgs["jardins"]})
    assert response.status_code == 302
    page = text(client.get("/taches?vue=organisation", follow_redirects=True))
    assert "Vous agissez maintenant pour Les Jardins de la Vilaine (ACI)." in page
    assert 'selected>Les Jardins de la Vilaine (ACI)</option>' in page
    assert "Nadia HADDAD" in page
    assert "Traiter la nouvelle candidature" in page


def test_one_cannot_act_for_an_organisation_one_does_not_belong_to(app, client, scene):
    send_application(app, scene, company="jardins")
    login(client, scene.email("colleague"))
    response = client.post("/organisation", data={"organisation_id": scene.orgs["geiq"]}, follow_redirects=True)
    page = text(response)
    assert "Vous ne faites pas partie de cette structure." in page
    assert "Vous agissez pour <strong>Les Jardins de la Vilaine (ACI)</strong>" in page


def test_current_organisation_helper(app, scene):
    from app.web.session import current_organisation

    with app.test_request_context("/"):
        from flask_login import login_user
        user = db.session.get(User, scene.users["employer"])
        login_user(user)
        assert current_organisation().name == "La Recyclerie Rennaise"
        seeker = db.session.get(User, scene.users["seeker"])
        assert current_organisation(seeker) is None
