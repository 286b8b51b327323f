"""The crisis notice and the disclaimer: the one place their words live.

The site's banner (``docs/conf.py``), the footer of every page
(``docs/_templates/page.html``, through the ``kb_crisis_html`` and
``kb_disclaimer_html`` template variables), the handouts and the book
(``kb.sphinxext.latex``) all read them from here, so they can never drift
apart. ``docs/about/disclaimer.md`` says the same at length.

The wording follows the project's rules: it says where to get help now, says
that the site is neither medical advice nor a crisis service, and never tells
a reader to start, stop or change a treatment (it says what to discuss with a
clinician instead).

It imports only the standard library, so that any tool can read it.
"""

from __future__ import annotations

import html

# -- The crisis notice ------------------------------------------------------------

#: The first words of the crisis notice, set in bold where print allows.
CRISIS_LEAD = "In crisis?"
#: Where to get help now, after the lead.
CRISIS_TEXT = (
    "In the US, call or text 988 (Suicide & Crisis Lifeline). "
    "Elsewhere, call your local emergency number."
)
#: The crisis notice on one line: the site's banner, and the top of every printed page.
CRISIS_SHORT = f"{CRISIS_LEAD} {CRISIS_TEXT}"
#: The lead of the longer notice that handouts print under their header.
CRISIS_LONG_LEAD = "If you are in crisis or thinking about suicide, get help now:"
#: The crisis notice as HTML, with a link that dials 988 on a phone.
CRISIS_HTML = f"<strong>{html.escape(CRISIS_LEAD)}</strong> " + html.escape(CRISIS_TEXT).replace(
    "988", '<a href="tel:988">988</a>', 1
)

# -- The disclaimer -----------------------------------------------------------------

#: The first words of the disclaimer, set in bold.
DISCLAIMER_LEAD = "Not medical advice."
#: The disclaimer in two sentences: the footer of every page.
DISCLAIMER_SHORT_TEXT = (
    "This site gives general information; it is not a crisis service and does not "
    "replace a clinician who knows you. Discuss any question about your treatment "
    "with your clinician."
)
DISCLAIMER_SHORT = f"{DISCLAIMER_LEAD} {DISCLAIMER_SHORT_TEXT}"
#: The disclaimer as printed on every handout and in the book.
DISCLAIMER_TEXT = (
    "This is general, educational information. It is not a diagnosis, a treatment "
    "plan or a crisis service, and it cannot take the place of a clinician who "
    "knows you. Any decision about your treatment is one to discuss with a "
    "qualified clinician."
)
DISCLAIMER_LONG = f"{DISCLAIMER_LEAD} {DISCLAIMER_TEXT}"
#: The footer's disclaimer as HTML (the lead in bold).
DISCLAIMER_HTML = (
    f"<strong>{html.escape(DISCLAIMER_LEAD)}</strong> {html.escape(DISCLAIMER_SHORT_TEXT)}"
)


def latex(text: str) -> str:
    """Plain notice text escaped for XeLaTeX (Sphinx's own escaping)."""
    from sphinx.util.texescape import escape

    return escape(text, "xelatex")


def latex_lead(lead: str, text: str) -> str:
    r"""A notice for LaTeX: ``\textbf{lead} text``, both escaped."""
    return "\\textbf{" + latex(lead) + "} " + latex(text)
