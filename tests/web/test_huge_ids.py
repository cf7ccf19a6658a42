"""An id too big for the database's integer columns is a plain 404, never a database error."""
import pytest

HUGE = "9" * 20


@pytest.mark.parametrize("path", [f"/dossiers/{HUGE}", f"/taches/{HUGE}", f"/dossiers/{HUGE}/diagramme.bpmn",
                                  f"/api/v1/tasks/{HUGE}", f"/api/v1/cases/{HUGE}"])
def test_a_huge_id_is_not_found(client, path):
    response = client.get(path)
    assert response.status_code == 404
