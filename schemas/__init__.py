"""Dataset schemas: the one home of every column name, type and description.

``fields.py`` and ``datasets.py`` declare the extraction datasets; each domain module below
declares its own fields and datasets through ``register`` / ``register_datasets``. Importing
this package imports them all, so ``DATASETS`` is complete.
"""

# domain modules register their datasets on import (order: the order of the data dictionary)
from schemas import domain as _domain  # noqa: E402,F401  norm_items, plan_tasks, budget_lines, ...
from schemas import legal as _legal  # noqa: E402,F401
from schemas import versions as _versions  # noqa: E402,F401
from schemas.core import Dataset, Field
from schemas.datasets import DATASETS, dataset, register_datasets
from schemas.fields import FIELDS, fields, register

__all__ = ["DATASETS", "FIELDS", "Dataset", "Field", "dataset", "fields", "register", "register_datasets"]
