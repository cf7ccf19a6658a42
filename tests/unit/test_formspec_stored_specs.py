"""app.formspec.load_spec asks the registered lookup (specs published from the browser)
before forms/<form_key>.yaml, and re-parses only when the revision changes."""
import pytest

from app import formspec
from app.formspec import spec as spec_module

FILE_SPEC = "title: Depuis le fichier\nfields:\n  - name: note\n    type: text\n    label: Note\n"
STORED_SPEC = "title: Publié dans l'éditeur\nfields:\n  - name: note\n    type: textarea\n    label: Note\n"


@pytest.fixture
def forms_dir(tmp_path):
    (tmp_path / "avis.yaml").write_text(FILE_SPEC, encoding="utf-8")
    return tmp_path


@pytest.fixture
def stored(monkeypatch):
    """A fake lookup: {form_key: (revision, text)}; reads counted."""
    table, reads = {}, []

    def lookup(form_key):
        if form_key not in table:
            return None
        revision, text = table[form_key]
        return revision, lambda: reads.append(form_key) or text
    # monkeypatch puts back the app's own lookup afterwards.
    monkeypatch.setattr(spec_module, "_stored_specs", None)
    spec_module.use_stored_specs(lookup)
    return table, reads


def test_without_a_stored_spec_the_file_is_read(forms_dir, stored):
    assert formspec.load_spec("avis", forms_dir).title == "Depuis le fichier"


def test_a_stored_spec_wins_over_the_file_and_is_parsed_once_per_revision(forms_dir, stored):
    table, reads = stored
    table["avis"] = ((1, "a"), STORED_SPEC)
    spec = formspec.load_spec("avis", forms_dir)
    assert spec.title == "Publié dans l'éditeur"
    assert spec.field("note").type == "textarea"
    assert formspec.load_spec("avis", forms_dir) is spec
    assert reads == ["avis"]
    table["avis"] = ((2, "b"), STORED_SPEC.replace("Publié", "Republié"))
    assert formspec.load_spec("avis", forms_dir).title == "Republié dans l'éditeur"


def test_a_stored_spec_may_exist_without_a_file(forms_dir, stored):
    table, _reads = stored
    table["nouveau"] = ((1, "c"), STORED_SPEC)
    assert formspec.load_spec("nouveau", forms_dir).title == "Publié dans l'éditeur"
    with pytest.raises(formspec.FormSpecError, match="introuvable"):
        formspec.load_spec("absent", forms_dir)


def test_the_form_key_is_still_checked(forms_dir, stored):
    with pytest.raises(formspec.FormSpecError, match="Clé de formulaire invalide"):
        formspec.load_spec("../secret", forms_dir)
