# The search index: pages, sections, glossary entries and synonyms.
extensions = ["myst_parser", "kb.sphinxext"]
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 2
html_theme = "basic"
exclude_patterns = ["_build"]
