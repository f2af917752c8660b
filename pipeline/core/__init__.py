"""Lowest layer of the library: the error taxonomy, text utilities shared with `extractors/`, the package version."""
