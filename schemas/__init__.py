"""Dataset schemas: the one home of every column name, type and description."""

from schemas.core import Dataset, Field
from schemas.datasets import DATASETS, dataset
from schemas.fields import FIELDS

__all__ = ["DATASETS", "FIELDS", "Dataset", "Field", "dataset"]
