"""The browser harness: chromium runs, axe finds (and reports) violations, the live server serves."""
import pytest

from tests.support.axe import assert_accessible

ACCESSIBLE_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Essai d'accessibilité</title></head>
<body>
  <header><p>Parcours</p></header>
  <main>
    <h1>Mes candidatures</h1>
    <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="Logo de Parcours">
    <form><label for="q">Rechercher</label><input id="q" name="q" type="search">
      <button type="submit">Lancer la recherche</button></form>
  </main>
</body></html>"""


def test_axe_passes_an_accessible_page(browser_page):
    browser_page.set_content(ACCESSIBLE_PAGE)
    results = assert_accessible(browser_page)
    assert results["passes"]


def test_axe_reports_violations(browser_page):
    browser_page.set_content("<html><body><img src='data:,'><input type='text'></body></html>")
    with pytest.raises(AssertionError) as failure:
        assert_accessible(browser_page)
    message = str(failure.value)
    assert "image-alt" in message
    assert "html-has-lang" in message
    assert "label" in message


def test_live_server_serves_a_404_page_and_the_built_assets(browser_page, live_server):
    response = browser_page.goto(live_server.url + "/cette-page-n-existe-pas")
    assert response.status == 404
    for path in ("/static/css/app.css", "/static/dist/htmx.min.js",
                 "/static/dist/diagram-viewer.js", "/static/dist/dsfr/dsfr.min.css",
                 "/static/dist/dsfr/dsfr.module.min.js",
                 "/static/dist/dsfr/fonts/Marianne-Regular.woff2",
                 "/static/dist/dsfr/utility/icons/icons.min.css",
                 "/static/dist/bpmn-js/bpmn-js.css",
                 "/static/dist/bpmn-js/bpmn-font/css/bpmn.css"):
        assert browser_page.request.get(live_server.url + path).status == 200, (
            f"{path} is not served: run `make assets`")
