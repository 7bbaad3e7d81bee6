"""Read data/curated/data_dictionary.yaml and turn it into Frictionless Table Schemas.

Everything here is driven by the dictionary: a view added to it (and to the database) is exported
and described with no change to this code. What the dictionary's free-text "allowed values" say is
turned into constraints only where it is unambiguous:
- a comma list of lowercase codes ("economy, society, environment, NULL ...") is an enum (NULL
  means the cell may be empty);
- "unique" makes the column unique, and the view's primary key unless the view declares
  `_primary_key: [columns]`;
- "a <view>.<column>" (optionally "or NULL") is a foreign key to that view;
- "1-17", ">= 0" are minimum/maximum.
Free text ("text or NULL", "YYYY-MM") gives no constraint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from sdgcities import paths

LIST_DELIMITER = ";"  # list cells in CSV and xlsx: items joined with ";" (documented in every list field)
CSV_ENCODING = "utf-8-sig"  # UTF-8 with a byte-order mark, so that Excel on Japanese Windows reads UTF-8

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_RANGE = re.compile(r"^(-?\d+)\s*-\s*(-?\d+)$")
_MINIMUM = re.compile(r"^>=\s*(-?\d+)$")
_REFERENCE = re.compile(r"^an? ([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)( or NULL)?$")

# DuckDB column types -> Table Schema field types.
_TYPES = {
    "VARCHAR": "string", "TEXT": "string",
    "TINYINT": "integer", "SMALLINT": "integer", "INTEGER": "integer", "BIGINT": "integer", "HUGEINT": "integer",
    "UTINYINT": "integer", "USMALLINT": "integer", "UINTEGER": "integer", "UBIGINT": "integer",
    "DOUBLE": "number", "FLOAT": "number", "REAL": "number",
    "BOOLEAN": "boolean", "DATE": "date", "TIMESTAMP": "datetime", "TIME": "time",
}


def dictionary_path() -> Path:
    return paths.curated_dir() / "data_dictionary.yaml"


@dataclass(frozen=True)
class Column:
    name: str
    duckdb_type: str
    meaning: str
    allowed: str
    example: str

    @property
    def is_list(self) -> bool:
        return self.duckdb_type.endswith("[]")

    @property
    def codes(self) -> list[str]:
        """The allowed codes when `allowed` is a plain list of lowercase codes, else []."""
        if self.duckdb_type != "VARCHAR":
            return []
        tokens = [t.strip() for t in self.allowed.split(",")]
        codes = [t for t in tokens if not t.startswith("NULL")]
        if len(codes) < 2 or not all(_CODE.match(t) for t in codes):
            return []
        return codes

    @property
    def reference(self) -> tuple[str, str] | None:
        match = _REFERENCE.match(self.allowed.strip())
        return (match.group(1), match.group(2)) if match else None

    @property
    def is_unique(self) -> bool:
        return self.allowed.strip() == "unique"


@dataclass(frozen=True)
class View:
    name: str
    about: str
    columns: list[Column]
    primary_key: list[str] = field(default_factory=list)


def load_dictionary(path: Path | None = None) -> list[View]:
    """Every view of the dictionary, in its order, with its documented columns."""
    path = Path(path) if path else dictionary_path()
    documented = yaml.safe_load(path.read_text(encoding="utf-8"))
    views = []
    for view_name, entries in documented.items():
        columns = []
        for name, spec in entries.items():
            if name.startswith("_"):
                continue
            if not isinstance(spec, list) or len(spec) != 4:
                raise ValueError(f"{paths.relative(path)}: {view_name}.{name} must be [type, meaning, allowed values, example]")
            columns.append(Column(name, str(spec[0]), str(spec[1]), str(spec[2]), str(spec[3])))
        declared = entries.get("_primary_key") or []
        unknown = [k for k in declared if k not in {c.name for c in columns}]
        if unknown:
            raise ValueError(f"{paths.relative(path)}: {view_name}._primary_key names columns it does not document: {unknown}")
        primary_key = list(declared) or [c.name for c in columns if c.is_unique][:1]
        views.append(View(view_name, " ".join(str(entries.get("_about", "")).split()), columns, primary_key))
    return views


def field_type(duckdb_type: str) -> str:
    base = duckdb_type.removesuffix("[]")
    if base.startswith("DECIMAL"):
        return "number"
    return _TYPES.get(base, "any")


def field_descriptor(column: Column) -> dict:
    """One Table Schema field: type, description (meaning, allowed values, example), constraints."""
    description = f"{column.meaning}. Allowed values: {column.allowed}. Example: {column.example}."
    descriptor: dict = {"name": column.name, "description": description}
    if column.is_list:
        descriptor.update(type="list", delimiter=LIST_DELIMITER, itemType=field_type(column.duckdb_type))
        descriptor["description"] += f" In CSV and xlsx the items are joined with '{LIST_DELIMITER}'; an empty cell is an empty list."
        return descriptor
    descriptor["type"] = field_type(column.duckdb_type)
    if descriptor["type"] == "boolean":
        descriptor.update(trueValues=["true"], falseValues=["false"])
    constraints: dict = {}
    if column.codes:
        constraints["enum"] = column.codes
    if column.is_unique:
        constraints.update(unique=True, required=True)
    if descriptor["type"] in ("integer", "number"):
        allowed = column.allowed.strip()
        if match := _RANGE.match(allowed):
            constraints.update(minimum=int(match.group(1)), maximum=int(match.group(2)))
        elif match := _MINIMUM.match(allowed):
            constraints["minimum"] = int(match.group(1))
    if constraints:
        descriptor["constraints"] = constraints
    return descriptor


def table_schema(view: View, known_views: set[str]) -> dict:
    """The Table Schema of a view; foreign keys only to views that are part of the package."""
    schema: dict = {"fields": [field_descriptor(c) for c in view.columns], "missingValues": [""]}
    if view.primary_key:
        schema["primaryKey"] = view.primary_key
    foreign_keys = []
    for column in view.columns:
        reference = column.reference
        if reference and reference[0] in known_views and reference[0] != view.name:
            foreign_keys.append({"fields": [column.name], "reference": {"resource": reference[0], "fields": [reference[1]]}})
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return schema


def csv_resource(view: View, path: str, known_views: set[str], rows: int) -> dict:
    """A Data Package resource for one view's CSV file."""
    return {
        "name": view.name,
        "path": path,
        "title": view.name,
        "description": view.about + f" ({rows} rows.) CSV: UTF-8 with a byte-order mark, comma-separated, "
        f"CRLF line ends; an empty cell is NULL; list items joined with '{LIST_DELIMITER}'.",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "doubleQuote": True, "header": True},
        "schema": table_schema(view, known_views),
    }
