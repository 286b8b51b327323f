# A reference list whose records carry a reader-facing `description`
# (kb.sphinxext.bibstyle): one record has it, one does not.
extensions = ["myst_parser", "sphinxcontrib.bibtex", "kb.sphinxext"]
exclude_patterns = ["_build"]
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "kb"
bibtex_reference_style = "label"
myst_enable_extensions = ["colon_fence"]
