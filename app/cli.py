"""Flask CLI commands (`flask --app app ...`)."""


def register_cli(app):
    pass
