"""Printed values, pure functions: numbers and money (values), units (pint), Vietnamese dates, the spaCy pipeline (nlp). Usable by `extractors/`."""
