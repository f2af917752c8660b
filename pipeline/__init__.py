"""decree-pipeline: Vietnamese provincial plans and decrees (PDF) to versioned Parquet datasets."""

from pipeline.core.version import __version__

__all__ = ["__version__", "list_versions", "load"]


def load(name: str, version=None, as_of=None, data_dir="data", *, run_id=None):  # noqa: ANN001,ANN201 - re-export
    """Load a published dataset as a typed pandas DataFrame: ``load("tables", data_dir="data")``.

    ``version``: a Delta version (int) or a timestamp (datetime / ISO string) for time travel;
    ``run_id``: the version a run pinned; ``as_of``: the legal in-force date (norm datasets).
    See ``pipeline.versions.asof.load``.
    """
    from pipeline.versions.asof import load as _load

    return _load(name, version, as_of, data_dir, run_id=run_id)


def list_versions(name: str, data_dir="data"):  # noqa: ANN001,ANN201 - re-exported convenience
    """Every Delta version of a dataset with its run id and rows added/removed (pandas DataFrame)."""
    from pipeline.store.read import list_versions as _list_versions

    return _list_versions(name, data_dir)
