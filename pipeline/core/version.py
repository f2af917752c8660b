"""The package version, in the lowest layer so that any module may stamp it without importing
the ``pipeline`` package facade (which imports the store lazily)."""

__version__ = "0.1.0"
