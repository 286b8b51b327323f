"""``kb import`` on pages shaped like other sites' (tests/fixtures/import/sites/).

Each fixture is our own text in the shape of one kind of site: a news page
with a cookie banner and a kicker, a health portal with breadcrumbs, a
Markdown export, a sponsored advertorial, a blog with comments and tags, a
press release, a magazine with photo credits and listen/save buttons, an
article with a reference list, a CRLF file with a BOM and HTML entities, a
page with text tables, two CJK headlines, a news page with a newsletter box.

Each draft is compared with its golden file (tests/golden/import/; run with
KB_UPDATE_GOLDEN=1 to rewrite them after a deliberate change, and read the
diff), and checked for what matters: the headline, the furniture gone, the
source facts recorded only as stated. test_importer.py builds every draft
strictly, together, in one Sphinx build.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from kb import bib, importer, schema

HERE = Path(__file__).parent
SITES = HERE / "fixtures" / "import" / "sites"
GOLDEN = HERE / "golden" / "import"
MINI_KB = HERE / "roots" / "test-import-kb"
TODAY = dt.date(2026, 3, 2)
NAMES = sorted(p.name for p in SITES.iterdir())

#: name -> (title, authors as recorded, dates as (kind, ISO or year), text that must be gone)
EXPECTED: dict[str, tuple[str, list[str], list[tuple[str, str]], list[str]]] = {
    "news_cookie_kicker.txt": (
        "Clinic Wait Times for Esketamine Are Shrinking in Some Regions",
        ["Jane Doe"],
        [("updated", "2026-03-03")],
        [
            "cookies",
            "Accept all",
            "Reject all",
            "Manage preferences",
            "Listen to this",
            "Share on",
            "Advertisement",
            "Comments (3)",
            "All rights reserved",
            "Northfield Daily Ledger",
            "By Jane Doe",
        ],
    ),
    "health_portal_breadcrumb.txt": (
        "Fast-Acting Treatments When Depression Comes With Suicidal Thoughts",
        [],
        [],
        [
            "Home / Conditions",
            "Last reviewed by our medical team",
            "Skip to main content",
            "Was this page helpful",
            "Related articles",
            "How to Make a Safety Plan",
            "Medically reviewed",
        ],
    ),
    "markdown_export.md": (
        "Your First Esketamine Session: A Practical Guide",
        ["Priya Raman", "Tomás Ibáñez"],
        [("published", "2026-01-09")],
        ["# # Your", "## ##", "**", "Reading time", "Tags:", "Share this article", "---\n\n##"],
    ),
    "sponsored_advertorial.txt": (
        "A Calmer Path: How One Clinic Network Approaches Ketamine Care",
        [],
        [],
        ["SPONSORED CONTENT", "Advertisement", "Subscribe to our newsletter", "Paid content"],
    ),
    "blog_comments_tags.txt": (
        "What Twelve Weeks of Ketamine Infusions Taught Me About Patience",
        ["Sam Okoro"],
        [("published", "2026-01-22")],
        [
            "Sharing is caring",
            "Tweet",
            "Pin it",
            "Tags:",
            "About the author",
            "is a teacher who writes",
            "Comments (14)",
            "Leila M. says",
            "Leave a reply",
            "The Long Road Back",
            "Home | About",
        ],
    ),
    "press_release.txt": (
        "Example University Researchers Report Pooled Results on Ketamine for Hard-to-Treat "
        "Depression",
        [],
        [("published", "2026-02-10"), ("updated", "2026-02-12")],
        ["FOR IMMEDIATE RELEASE", "3 min read", "Media contact", "press@example.edu", "###"],
    ),
    "magazine_credits.txt": (
        "Inside the Observation Room: Two Hours After the Spray",
        ["Ana Li", "Mark O'Neil", "Sara van der Berg"],
        [("published", "2026-03-03")],
        [
            "Photo:",
            "Credit: Lena Park",
            "Listen to this article",
            "Save\n",
            "Gift this",
            "Getty Images",
            "Related articles",
            "How Clinics Become Certified",
            "6 min read",
            "Originally published",
            "PhD",
        ],
    ),
    "reference_list.txt": (
        "How Well Does Esketamine Work Over the Long Term?",
        ["Mira Castellanos"],
        [("published", "2026-02-14")],
        ["[1]", "[1, 2]", "doi.org", "Evidence Digest", "\n## References\n\n1"],
    ),
    "crlf_bom_entities.txt": (
        "Ketamine & Esketamine: What\u2019s the Difference \u2013 and Why It Matters",
        ["Theo Martin", "Grace Liu"],
        [("published", "2026-01-09")],
        [
            "&amp;",
            "&nbsp;",
            "&ndash;",
            "&#8217;",
            "&#x2014;",
            "&ldquo;",
            "\r",
            "\ufeff",
            "Copy link",
        ],
    ),
    "table_page.txt": (
        "Nasal Spray or Infusion? Comparing Two Ways Ketamine-Type Medicines Are Given",
        [],
        [],
        ["Guides \u00b7 4 min read", "Plan\tNasal", "Feature | Esketamine nasal spray |\n"],
    ),
    "cjk_headline.txt": (
        "氯胺酮治疗难治性抑郁症\uff1a患者需要知道的五件事",
        ["王小明"],
        [("published", "2026-01-09")],
        ["首页 > 健康", "分享到微信", "作者"],
    ),
    "cjk_second.txt": (
        "艾司氯胺酮鼻喷剂\uff1a第一次治疗前的准备",
        ["李华"],
        [("published", "2026-02-03")],
        ["作者"],
    ),
    "static_site_front_matter.md": (
        "Ketamine Clinics & What They Ask Before a First Visit",
        ["Maya Brennan"],
        [("published", "2026-01-20"), ("updated", "2026-02-04")],
        ["title:", "lastmod", "tags:", "draft: false", "Back to all posts", "&amp;"],
    ),
    "saved_html_page.html": (
        "Ketamine at Home? What the New Rules Say About Take-Home Doses",
        ["Ana López"],
        [("published", "2026-03-02")],
        [
            "<",
            "cookies",
            "Accept all",
            "dataLayer",
            "body{}",
            "Mental health",
            "News\n",
            "Photo:",
            "Related articles",
            "Five questions",
            "All rights reserved",
            "&amp;",
        ],
    ),
    "text_browser_wrapped.txt": (
        "Ketamine Clinics Report Shorter Waits as More Certified Sites Open Across the Region",
        ["Priya Raman"],
        [("published", "2026-03-03")],
        ["Skip to main content", "   ", "By Priya Raman"],
    ),
    "newsletter_ads.txt": (
        "Doctors Weigh Maintenance Schedules for Ketamine Treatment",
        ["Health Desk Staff"],
        [("published", "2026-02-12")],
        [
            "Advertisement",
            "newsletter",
            "Email address",
            "Sign up",
            "No spam",
            "Scroll to",
            "Most Read",
            "Five Signs a Treatment",
            "HealthWire",
            "Sign in",
        ],
    ),
}


def draft_of(name: str) -> importer.Draft:
    return importer.import_file(
        SITES / name, importer.Target.at(MINI_KB), dry_run=True, today=TODAY
    )


def golden_text(draft: importer.Draft) -> str:
    """What the golden file holds: the page, the new entries and the report's lists."""
    parts = [draft.page, "% --- new references.bib entries ---"]
    parts += [s.new_entry or "" for s in draft.new_entries]
    parts.append("% --- furniture removed ---")
    parts += [f"line {r.line}: {r.what}: {r.text}" for r in draft.article.removed]
    return "\n".join(parts).rstrip("\n") + "\n"


def test_twelve_or_more_site_shapes_each_with_a_golden_file():
    assert len(NAMES) >= 12
    assert set(NAMES) == set(EXPECTED)


@pytest.mark.parametrize("name", NAMES)
def test_draft_matches_its_golden_file(name):
    golden = GOLDEN / f"{Path(name).stem}.txt"
    text = golden_text(draft_of(name))
    if os.environ.get("KB_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert golden.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("name", NAMES)
def test_headline_facts_and_furniture(name):
    title, authors, dates, gone = EXPECTED[name]
    draft = draft_of(name)
    article, problems = schema.load_article(draft.page)
    assert problems == [] and article is not None
    assert article.title == draft.article.title == title
    assert article.review_status == "draft" and article.last_reviewed is None
    facts = draft.article.facts
    assert facts.authors == authors
    assert [(d.kind, d.iso or str(d.year)) for d in facts.dates] == dates
    body = draft.page.split("\n---\n", 1)[1]
    body = body.split(":::{admonition} Draft: to do before review", 1)[0]
    for text in gone:
        assert text not in body, text
    assert f"# {importer.escape(title, line_start=False)}\n" in body
    assert body.count("\n## References\n") + draft.page.count("\n## References\n") <= 1
    assert draft.page.count("\n## References\n") == 1


@pytest.mark.parametrize("name", NAMES)
def test_the_bib_entry_states_only_what_the_page_states(name):
    title, authors, dates, _ = EXPECTED[name]
    draft = draft_of(name)
    own = next(s for s in draft.sources if s.attribution is None and s.reference is None)
    entry = bib.parse(own.new_entry).fields(own.key)
    assert bib.plain_value(entry["title"]) == title
    assert entry["contenthash"] == draft.article.digest
    stated = (
        entry["note"].split("Not stated in the saved copy:")[-1]
        if "Not stated" in entry["note"]
        else ""
    )
    if authors:
        assert "author" in own.new_entry.split("title")[0]
        assert "author" not in stated
        for name_ in authors:
            assert name_ in own.new_entry
    else:
        assert "author" not in entry and "author" in stated
    if dates:
        assert entry["year"] == dates[0][1][:4] or entry["year"] == dates[-1][1][:4]
        assert "date" not in stated
        for kind, _ in dates:
            assert f"{kind} " in entry["note"]
    else:
        assert "year" not in entry and "date" in stated


def test_sponsorship_becomes_a_disclosure_and_a_todo():
    draft = draft_of("sponsored_advertorial.txt")
    article, _ = schema.load_article(draft.page)
    assert len(article.disclosures) == 1
    assert "SPONSORED CONTENT" in article.disclosures[0]
    assert "Brightwater Wellness Clinics as the sponsor" in article.disclosures[0]
    assert any("disclosures" in t and "sponsored" in t for t in draft.todos)
    own = next(s for s in draft.sources if s.attribution is None)
    note = bib.parse(own.new_entry).fields(own.key)["note"]
    assert "labelled as sponsored or paid content" in note
    # Its evidence note asserts no kind of evidence: the most cautious basis.
    assert article.evidence_basis == "expert-opinion"
    assert any("asserts no kind of evidence" in t for t in draft.todos)
    for other in ("news_cookie_kicker.txt", "markdown_export.md"):
        assert schema.load_article(draft_of(other).page)[0].disclosures == ()


def test_the_reference_list_becomes_cited_bib_records():
    draft = draft_of("reference_list.txt")
    refs = [s for s in draft.sources if s.reference is not None]
    assert len(refs) == 3
    entries = {s.key: bib.parse(s.new_entry).fields(s.key) for s in refs}
    first, second, third = (entries[s.key] for s in refs)
    assert first["doi"] == "10.1234/jep.2024.0045" and first["year"] == "2024"
    assert "url" not in first  # the DOI's address is the DOI, not a URL
    assert second["doi"] == "10.5555/emr.2023.118"
    assert third["url"] == "https://example.org/reports/esketamine-two-year"
    assert "doi" not in third
    # The page's [n] markers became citations of those entries, in place.
    assert f"after their first course {{cite:p}}`{refs[0].key}`." in draft.page
    assert f"than people who stopped {{cite:p}}`{refs[0].key},{refs[1].key}`." in draft.page
    # The line that cannot be read is a TODO with its text, not an entry.
    assert any(
        "could not be read" in t and "Conference talk by the study team" in t for t in draft.todos
    )
    assert draft.evidence_basis == "systematic-review"


def test_markdown_is_read_as_markdown():
    draft = draft_of("markdown_export.md")
    page = draft.page
    assert draft.article.markdown
    assert "\n## Before you arrive\n" in page and "\n## After the session\n" in page
    assert "1. A nurse checks your blood pressure." in page  # "1)" list, bold read
    assert '\n> "The first time, the room felt far away' in page
    takeaway = page.split(":::{key-takeaway}\n", 1)[1].split("\n:::", 1)[0]
    assert takeaway.startswith("- Arrange a lift home")
    note = page.split(":::{evidence-note}\n", 1)[1].split("\n:::", 1)[0]
    assert note.startswith("This guide is based on the clinic's own patient information")
    assert draft.evidence_basis == "clinical-guideline"
    assert not any("Key Takeaway section" in t for t in draft.todos)


def test_text_tables_become_myst_tables():
    page = draft_of("table_page.txt").page
    assert (
        "| Feature | {term}`Esketamine` nasal spray | {term}`Ketamine` infusion |\n| --- |" in page
    )
    assert "| Extended | Usually | Sometimes |" in page


def test_two_cjk_headlines_never_share_a_key_or_a_page(tmp_path):
    first, second = draft_of("cjk_headline.txt"), draft_of("cjk_second.txt")
    key = {d.sources[-1].key for d in (first, second)}
    assert len(key) == 2 and all(k.startswith("article") for k in key)
    assert first.slug != second.slug
