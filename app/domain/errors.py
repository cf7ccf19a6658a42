"""Errors the domain raises when a rule is broken; their message is French and shown as is."""


class DomainRuleError(ValueError):
    """A rule fixed by law or by the domain was broken (e.g. a hire date out of bounds).

    A ValueError so that form validators and callers that only know ValueError
    still catch it; str(error) is the French message for the user.
    """


class InvalidIdentifier(DomainRuleError):
    """A NIR, SIRET or phone number that is malformed or fails its check key."""
