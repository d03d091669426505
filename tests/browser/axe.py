"""axe-core in the browser tests: the copy from npm in tests/browser/vendor/ (scripts/vendor_assets.sh), never a
CDN. It is evaluated through the DevTools protocol rather than added as a <script>, so a page's
Content-Security-Policy (no inline scripts) does not stop it."""

import json
from functools import lru_cache
from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")
WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
# Every rule axe has (best practices too), with WCAG 2.2's target size (24 x 24 px) switched on.
ALL_RULES = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}


@lru_cache(maxsize=1)
def _source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page, *, all_rules: bool = False) -> list:
    """The serious and critical violations axe-core finds on the page as it is now (the WCAG 2.x A/AA rules,
    or every rule with `all_rules`): a list of {"id", "impact", "help", "nodes": [html snippets]}; empty when
    there are none."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_source())
    options = json.dumps(ALL_RULES if all_rules else WCAG_AA)
    result = page.evaluate(
        """async (options) => {
            const r = await axe.run(document, options);
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.html.slice(0, 300)),
            }));
        }""",
        json.loads(options),
    )
    return [v for v in result if v["impact"] in SERIOUS]
