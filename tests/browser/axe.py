"""axe-core in the browser tests: the copy from npm in tests/browser/vendor/ (scripts/vendor_assets.sh), never a
CDN. It is evaluated through the DevTools protocol rather than added as a <script>, so a page's
Content-Security-Policy (no inline scripts) does not stop it."""

from functools import lru_cache
from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


@lru_cache(maxsize=1)
def _source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page) -> list:
    """The serious and critical WCAG 2.x A/AA violations axe-core finds on the page as it is now: a list of
    {"id", "impact", "help", "nodes": [html snippets]}; empty when there are none."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_source())
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
                resultTypes: ["violations"],
            });
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.html.slice(0, 300)),
            }));
        }"""
    )
    return [v for v in result if v["impact"] in SERIOUS]
