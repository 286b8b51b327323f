# Two pages, each citing a different made-up source once: sphinxcontrib-bibtex
# gives both citations the same node id ("id1"), each on its own page.
extensions = ["myst_parser", "sphinxcontrib.bibtex", "kb.sphinxext"]
exclude_patterns = ["_build"]
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "kb"
bibtex_reference_style = "label"
suppress_warnings = ["bibtex.duplicate_label", "bibtex.duplicate_citation"]
myst_enable_extensions = ["colon_fence"]
