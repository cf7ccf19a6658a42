"""Data files shipped with Parcours (read with importlib.resources)."""
