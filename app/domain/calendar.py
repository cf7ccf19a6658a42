"""IAE dates are French civil dates: the Paris time zone and today's date there (DOMAIN §7)."""
from datetime import datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def today_paris():
    """Today in Paris: a PASS, a contract or a deadline changes day at midnight French time."""
    return datetime.now(PARIS).date()
