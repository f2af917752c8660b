"""decree-pipeline: Vietnamese provincial plans and decrees (PDF) to versioned Parquet datasets."""

__version__ = "0.1.0"


def load(name: str, data_dir: str = "data"):  # noqa: ANN201 - re-exported convenience
    """Load a published dataset as a typed pandas DataFrame: ``load("tables", data_dir="data")``."""
    from pipeline.publish import load as _load

    return _load(name, data_dir)
