"""Accessibility checks with axe-core (node_modules/axe-core, installed by npm ci)."""
from app.config import ROOT

AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa")


def run_axe(page, exclude=None, disable_rules=(), tags=WCAG_TAGS):
    """Run axe on the page and return its results (violations, passes, ...)."""
    if not AXE_JS.exists():
        raise AssertionError(f"{AXE_JS} is missing: run `npm ci` (make test does)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    context = {"exclude": [[selector] for selector in exclude]} if exclude else None
    options = {
        "runOnly": {"type": "tag", "values": list(tags)},
        "rules": {rule: {"enabled": False} for rule in disable_rules},
    }
    return page.evaluate(
        "async ([context, options]) => await axe.run(context || document, options)",
        [context, options],
    )


def assert_accessible(page, exclude=None, disable_rules=(), tags=WCAG_TAGS):
    """Fail with the list of WCAG 2 A/AA violations axe finds on the page.

    exclude: CSS selectors to leave out (e.g. a third-party widget);
    disable_rules: axe rule ids to skip, each with a reason in the calling test."""
    results = run_axe(page, exclude=exclude, disable_rules=disable_rules, tags=tags)
    violations = results["violations"]
    if violations:
        lines = [f"{len(violations)} accessibility violation(s) on {page.url}:"]
        for v in violations:
            lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']} <{v['helpUrl']}>")
            for node in v["nodes"]:
                lines.append(f"    at {' '.join(map(str, node['target']))}")
        raise AssertionError("\n".join(lines))
    return results
