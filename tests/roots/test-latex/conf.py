import os

project = "Test Handbook & Co"
author = "Test authors"
version = release = "9.9"
extensions = ["myst_parser", "sphinx_design", "sphinxcontrib.bibtex", "kb.sphinxext"]
myst_enable_extensions = ["colon_fence"]
nitpicky = True
exclude_patterns = ["_build"]
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "unsrt"
bibtex_reference_style = "label"
suppress_warnings = ["bibtex.duplicate_label", "bibtex.duplicate_citation"]
kb_base_url = "https://handbook.test/"
latex_engine = "xelatex"
latex_documents = [("index", "handbook.tex", r"Test Handbook \& Co", author, "manual")]
latex_elements = {"extraclassoptions": "openany,oneside"}
kb_paper_size = os.environ.get("KB_PAPER", "letter")
