"""The extraction's human version label and page limit, in a module with no imports, so that
code deciding whether work is needed (``pipeline.runs.plan``) does not load the PDF libraries."""

# 2: masthead and signer columns; 3: OCR, triage, text assembly (space glyphs, layers, annotation text)
PARSER_VERSION = "extract-3"
DEFAULT_MAX_PAGES = 2000
