# The constant-size sidebar (kb.sphinxext.site): two levels of pages under
# the root; the sidebar must show the first level only.
import kb.paths

extensions = ["kb.sphinxext"]
html_theme = "furo"
templates_path = [str(kb.paths.DOCS / "_templates")]
exclude_patterns = ["_build"]
