"""Pure IAE rules: no Flask, no database session (DESIGN: app/domain)."""
