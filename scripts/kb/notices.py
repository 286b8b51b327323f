"""The crisis notice and the disclaimer: the one home of their wording.

The site's banner (conf.py), the page template and the PDFs (handouts and the
book) all read these constants, so that every channel says the same thing.
Plain text here; each channel escapes it for its own format.

(Stub written to the shared contract by the print branch; the editorial
branch owns this module and its wording.)
"""

from __future__ import annotations

import html

CRISIS_SHORT = (
    "In crisis? In the US, call or text 988 (Suicide & Crisis Lifeline). "
    "Elsewhere, call your local emergency number."
)
CRISIS_HTML = (
    "<strong>In crisis?</strong> In the US, call or text "
    '<a href="tel:988">988</a> (Suicide &amp; Crisis Lifeline). '
    "Elsewhere, call your local emergency number."
)
DISCLAIMER_SHORT = "Not medical advice: talk to a qualified clinician before any change."
DISCLAIMER_TEXT = (
    "Not medical advice. This is educational information. It is not a diagnosis or a "
    "treatment plan, and it cannot take the place of a clinician who knows you. Do not "
    "start, stop or change any treatment because of what you read here: talk to a "
    "qualified clinician first."
)


def html_text(text: str) -> str:
    """A plain-text notice, escaped for HTML."""
    return html.escape(text, quote=True)
