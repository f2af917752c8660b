"""Lowest layer of the library (order: pipeline/layers.py): the error taxonomy, text utilities and
printed vocabulary shared with `extractors/`, the composite keys, missing values, the version."""
