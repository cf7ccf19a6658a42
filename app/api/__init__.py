"""JSON API under /api/v1."""


def register_api(app):
    pass
