"""The service layer: what the HTML views and the JSON API both call."""
