"""decree-pipeline: Vietnamese provincial plans and decrees (PDF) to versioned Parquet datasets."""

__version__ = "0.1.0"
