"""Screenshots for docs/editors.md, taken by the browser tests when DOSSIER_SCREENSHOTS names a folder:

DOSSIER_SCREENSHOTS=docs/screenshots .venv/bin/pytest tests/e2e/
"""

import os
from pathlib import Path

SCREENSHOTS = os.environ.get("DOSSIER_SCREENSHOTS")


def shot(page, name, selector=None, full_page=False):
    """The visible window (or whole page, or one element of it), saved for docs/editors.md."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        path = str(Path(SCREENSHOTS) / f"{name}.png")
        if selector:
            page.locator(selector).screenshot(path=path)
        else:
            page.screenshot(path=path, full_page=full_page)
