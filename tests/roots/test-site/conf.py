# The site's page furniture: report-a-problem link, disclaimer, accessible
# markup from the translator (toctree captions, citations), the 404 page.
import kb.paths

extensions = ["kb.sphinxext"]
html_theme = "furo"
# The real site's furo overrides, so that they are tested as they ship.
templates_path = [str(kb.paths.DOCS / "_templates")]
html_theme_options = {"announcement": "Test crisis notice."}
exclude_patterns = ["_build"]
release = "9.9.9"
kb_base_url = "https://kb.example.test/sub/"
kb_repository_url = "https://git.example.test/org/repo/"
