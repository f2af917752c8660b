"""Field and dataset declarations, and the compiler that turns them into pyarrow schemas,
pandas dtypes and documentation.

Every column of every dataset is declared once, in ``schemas/fields.py``; datasets list their
fields by name (``schemas/datasets.py``). No other module spells a column's type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

# logical type -> (pyarrow type, pandas dtype)
_TYPES: dict[str, tuple[pa.DataType, str]] = {
    "string": (pa.string(), "string"),
    "int": (pa.int64(), "Int64"),
    "float": (pa.float64(), "Float64"),
    "bool": (pa.bool_(), "boolean"),
    "date": (pa.date32(), "object"),
    "timestamp": (pa.timestamp("us", tz="UTC"), "datetime64[us, UTC]"),
    # exact decimals: money in đồng and norm values are never floats that lose precision
    "decimal": (pa.decimal128(38, 6), "object"),
    "list_string": (pa.list_(pa.string()), "object"),
    "list_int": (pa.list_(pa.int64()), "object"),
    "list_float": (pa.list_(pa.float64()), "object"),
    "json": (pa.string(), "string"),
}


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str
    unit: str | None = None
    nullable: bool = True
    enum: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.type not in _TYPES:
            raise ValueError(f"field {self.name}: unknown type {self.type!r}")

    @property
    def arrow_type(self) -> pa.DataType:
        return _TYPES[self.type][0]

    @property
    def pandas_dtype(self) -> str:
        return _TYPES[self.type][1]


@dataclass(frozen=True)
class Dataset:
    name: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    partition_by: tuple[str, ...] = ()
    # the column whose value identifies one ingested document: re-ingesting a document
    # replaces exactly the rows carrying its value
    document_key: str | None = "doc_sha256"
    extra: dict[str, Any] = field(default_factory=dict)
    # fields every row must have a value for, besides the primary key, the document key and the
    # fields declared not nullable: identity, provenance (page), the raw text a row is about
    required: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError(f"dataset {self.name}: duplicate columns")
        for k in self.primary_key:
            if k not in names:
                raise ValueError(f"dataset {self.name}: primary key column {k} not declared")
        for k in self.required:
            if k not in names:
                raise ValueError(f"dataset {self.name}: required column {k} not declared")

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Columns no row may leave empty: primary key, document key, required and non-nullable fields."""
        keys = [*self.primary_key, *([self.document_key] if self.document_key else []), *self.required,
                *(f.name for f in self.fields if not f.nullable)]
        return tuple(dict.fromkeys(keys))

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no column {name}")

    def arrow_schema(self) -> pa.Schema:
        return pa.schema(
            [pa.field(f.name, f.arrow_type, nullable=f.nullable, metadata={"description": f.description})
             for f in self.fields],
            metadata={"dataset": self.name, "description": self.description,
                      "primary_key": ",".join(self.primary_key)},
        )

    def pandas_dtypes(self) -> dict[str, str]:
        return {f.name: f.pandas_dtype for f in self.fields}
