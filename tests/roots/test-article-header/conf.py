extensions = ["myst_parser", "kb.sphinxext"]
myst_enable_extensions = ["colon_fence"]
nitpicky = True
