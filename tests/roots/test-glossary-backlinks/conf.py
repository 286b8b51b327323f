# Glossary tooltips and "Used in" lists: synonyms, plurals, self-links.
extensions = ["myst_parser", "kb.sphinxext"]
myst_enable_extensions = ["colon_fence"]
html_theme = "basic"
exclude_patterns = ["_build"]
