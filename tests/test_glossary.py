"""kb.glossary: the glossary page read as data."""

from __future__ import annotations

from kb import glossary, paths

SAMPLE = """\
# Glossary

## N

:::{glossary}
NMDA receptor
  A receptor on nerve cells {cite:p}`src-a`.

:::

## T

:::{glossary}
:sorted:

TRD
Treatment-resistant depression
  Depression that has not eased after {term}`several tries <Trial>`.

  A second paragraph.

Therapy
  Talking treatment.
:::
"""


def test_entries_synonyms_and_lines():
    g = glossary.parse(SAMPLE)
    assert [e.terms for e in g.entries] == [
        ("NMDA receptor",),
        ("TRD", "Treatment-resistant depression"),
        ("Therapy",),
    ]
    assert [e.line for e in g.entries] == [6, 16, 22]
    assert g.entries[0].citations == ("src-a",)
    assert g.entries[1].plain_definition == (
        "Depression that has not eased after several tries. A second paragraph."
    )


def test_find_handles_case_synonyms_and_plurals():
    g = glossary.parse(SAMPLE)
    assert g.find("nmda RECEPTORS").headword == "NMDA receptor"
    assert g.find("treatment-resistant depression").headword == "TRD"
    assert g.find("TRDs").headword == "TRD"
    assert g.find("therapies").headword == "Therapy"
    assert g.find("receptor") is None


def test_plural_forms():
    assert glossary.plural_forms("remission") == {"remissions"}
    assert glossary.plural_forms("therapy") == {"therapies"}
    assert glossary.plural_forms("acute series") == set()
    assert glossary.plural_forms("process") == {"processes"}
    assert glossary.plural_forms("SSRI") == {"SSRIs"}


def test_the_real_glossary_has_at_least_twenty_terms():
    g = glossary.load(paths.GLOSSARY)
    assert len(g.entries) >= 20
    assert all(e.definition.strip() for e in g.entries)
