"""PDF extraction: text with pdfplumber, tables with camelot, into a document model with provenance."""
