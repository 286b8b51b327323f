extensions = ["myst_parser", "kb.sphinxext.safety"]
myst_enable_extensions = ["colon_fence"]
