"""The only package that imports SpiffWorkflow (DESIGN: app/engine)."""
