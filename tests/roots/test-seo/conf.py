# Meta description, OpenGraph, JSON-LD and sitemap.xml.
extensions = ["myst_parser", "kb.sphinxext"]
myst_enable_extensions = ["colon_fence"]
html_theme = "basic"
html_title = "Test site"
language = "en"
exclude_patterns = ["_build"]
kb_base_url = "https://kb.example.test/docs/"
