"""Helpers for tests that drive the app with the Flask test client."""
import re

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(html):
    """The CSRF token of the first form in `html` (bytes or str), for @pytest.mark.csrf tests."""
    if isinstance(html, bytes):
        html = html.decode("utf-8")
    match = _CSRF.search(html)
    if not match:
        raise AssertionError("no csrf_token field in the page")
    return match.group(1) or match.group(2)
