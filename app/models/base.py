from datetime import datetime, timezone


def utcnow():
    """Timezone-aware now; every timestamp in the database is UTC."""
    return datetime.now(timezone.utc)
