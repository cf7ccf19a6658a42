"""HTML views (blueprints) in French."""


def register_web(app):
    pass
