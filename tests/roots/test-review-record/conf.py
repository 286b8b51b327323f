# The page header of a checked page (author, review record, disclosures) and of
# a draft (never reviewed), in HTML, JSON-LD and LaTeX.
extensions = ["myst_parser", "sphinxcontrib.bibtex", "kb.sphinxext"]
bibtex_bibfiles = ["refs.bib"]
# The LaTeX builder (kb.sphinxext.latex) reads the bibtex domain.
myst_enable_extensions = ["colon_fence"]
nitpicky = True
exclude_patterns = ["_build"]
kb_base_url = "https://kb.example.test/"
