# Statuses the review records do not back, and a next review beyond the
# policy's interval: the build warns, with the file, the line and a subtype.
extensions = ["myst_parser", "kb.sphinxext"]
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence"]
