"""The crisis notice and the disclaimer have one home, kb.notices, which the
site's banner, every page's footer and the printed pages read; their words say
where to get help now and never tell a reader to start, stop or change a
treatment."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

from kb import notices, paths

TEXTS = (
    notices.CRISIS_SHORT,
    notices.CRISIS_LONG_LEAD + " " + notices.CRISIS_TEXT,
    notices.DISCLAIMER_SHORT,
    notices.DISCLAIMER_LONG,
)


def test_the_words_say_where_to_get_help_now():
    for text in (notices.CRISIS_SHORT, notices.CRISIS_TEXT):
        assert "call or text 988" in text and "local emergency number" in text
    for text in (notices.DISCLAIMER_SHORT, notices.DISCLAIMER_LONG):
        assert text.startswith("Not medical advice.")
        assert "not a crisis service" in text or "crisis service" in text
        assert "clinician" in text


def test_no_notice_tells_a_reader_to_start_stop_or_change_a_treatment():
    advice = re.compile(r"\b(?:do not |don't |never )?(?:start|stop|change)\b", re.I)
    for text in TEXTS:
        assert not advice.search(text), text


def test_the_html_forms_are_the_same_words():
    for html, text in (
        (notices.CRISIS_HTML, notices.CRISIS_SHORT),
        (notices.DISCLAIMER_HTML, notices.DISCLAIMER_SHORT),
    ):
        assert BeautifulSoup(html, "html.parser").get_text() == text
    assert '<a href="tel:988">988</a>' in notices.CRISIS_HTML


def test_the_latex_forms_are_escaped():
    assert notices.latex("Suicide & Crisis Lifeline") == r"Suicide \& Crisis Lifeline"
    assert notices.latex_lead("In crisis?", "50% & more") == r"\textbf{In crisis?} 50\% \& more"


def test_nothing_else_holds_a_copy():
    """Code, templates and the configuration read kb.notices; none repeats it."""
    holders = [
        *(paths.ROOT / "scripts").rglob("*.py"),
        *(paths.ROOT / "scripts").rglob("*.sty"),
        *(paths.DOCS / "_templates").rglob("*.html"),
        paths.DOCS / "conf.py",
    ]
    for path in holders:
        if path.name == "notices.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "988" not in text, path
        assert "Not medical advice." not in text, path
        assert "not a diagnosis" not in text.lower(), path


def test_the_real_site_shows_them_on_every_page(site):
    pages = site.pages()
    assert len(pages) > 10, site.warnings
    for page in pages:
        html = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        where = page.relative_to(site.html).as_posix()
        banner = html.select_one("aside.announcement-content")
        assert banner.get_text(" ", strip=True) == " ".join(notices.CRISIS_SHORT.split()), where
        assert banner.select_one('a[href="tel:988"]') is not None, where
        footer = html.select_one("footer .kb-disclaimer").get_text(" ", strip=True)
        assert footer.startswith(notices.DISCLAIMER_SHORT), where
