extensions = ["myst_parser", "kb.sphinxext"]
