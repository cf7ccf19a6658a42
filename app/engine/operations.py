"""Registry of the named operations that service tasks call (DESIGN: app/engine).

An operation is `fn(ctx, task, params) -> JSON-able result`, where ctx is the
runtime's RunContext (case, actor, helpers) and params the evaluated parameters.
"""

_registry = {}


class UnknownOperation(LookupError):
    pass


def operation(name, label=""):
    """Decorator: register a function as the operation `name` (label: French, for editors)."""
    def register(fn):
        fn.operation_label = label or name
        _registry[name] = fn
        return fn
    return register


def call(name, ctx, task, params):
    fn = _registry.get(name)
    if fn is None:
        raise UnknownOperation(f"opération inconnue « {name} »")
    return fn(ctx, task, params)


def names():
    return dict(sorted((name, fn.operation_label) for name, fn in _registry.items()))
