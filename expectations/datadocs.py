"""GX Data Docs that read offline.

GX's pages load Bootstrap, jQuery, Font Awesome, Vega and a logo from public CDNs
(STACK-NOTES), so offline they show unstyled or not at all. The copy made here drops
every remote <script>, <link> and <img> and links instead one local stylesheet:
GX's own default styles plus a small layout sheet, written once beside the pages.
The content GX renders is plain HTML tables, so nothing is lost but interactivity.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

_REMOTE_TAG = re.compile(
    r"<(script|link|img)\b[^>]*\b(?:src|href)=\"https?://[^\"]*\"[^>]*>(?:\s*</script>)?",
    re.IGNORECASE)
_REMOTE_LINK = re.compile(r"href=\"https?://[^\"]*\"", re.IGNORECASE)

LAYOUT_CSS = """
body { font-family: system-ui, sans-serif; margin: 0 1.5rem; color: #222; }
.container-fluid, .container { max-width: 1200px; }
table { border-collapse: collapse; margin: .5rem 0; }
td, th { border: 1px solid #ccc; padding: .25rem .5rem; vertical-align: top; }
.text-success, .fa-check-circle { color: #1a7f37; }
.text-danger, .fa-times { color: #cf222e; }
.card { border: 1px solid #ddd; border-radius: 4px; margin: .75rem 0; padding: .5rem; }
.d-none, .modal { display: none; }
nav, .navbar { padding: .5rem 0; border-bottom: 1px solid #ddd; }
"""


def make_offline(site: Path, target: Path) -> Path:
    """Copy a Data Docs site to `target` with every remote asset replaced by a local one."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(site, target)
    import great_expectations

    gx_styles = (Path(great_expectations.__file__).parent / "render" / "view" / "static"
                 / "styles" / "data_docs_default_styles.css")
    css = target / "static" / "mujun-offline.css"
    css.parent.mkdir(parents=True, exist_ok=True)
    css.write_text((gx_styles.read_text() if gx_styles.exists() else "") + LAYOUT_CSS)
    for page in target.rglob("*.html"):
        depth = len(page.relative_to(target).parts) - 1
        href = "../" * depth + "static/mujun-offline.css"
        html = _REMOTE_TAG.sub("", page.read_text(encoding="utf-8"))
        html = _REMOTE_LINK.sub('href="#"', html)
        html = html.replace("</head>", f'<link rel="stylesheet" href="{href}"></head>', 1)
        page.write_text(html, encoding="utf-8")
    return target


def remote_references(folder: Path) -> list[str]:
    """Every remote URL still loaded by a page (for tests: must be empty)."""
    found = []
    for page in folder.rglob("*.html"):
        found += [f"{page.name}: {m}" for m in re.findall(
            r"(?:src|href)=\"(https?://[^\"]*)\"", page.read_text(encoding="utf-8"))]
    return found
