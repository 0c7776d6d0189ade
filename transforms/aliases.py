"""The curated alias table: parsed from CSV text handed in by the flow (this module reads no files)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from transforms.entities import ENTITY_LABELS

AliasTable = dict[str, tuple[str, str]]


class AliasError(ValueError):
    pass


def parse_aliases(csv_texts: Iterable[tuple[str, str]]) -> AliasTable:
    """Merge alias CSVs given as (origin, text) pairs; later ones win. Errors name file and line."""
    table: AliasTable = {}
    for origin, text in csv_texts:
        lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        reader = csv.DictReader(io.StringIO("\n".join(lines)))
        if reader.fieldnames is None or not {"alias", "name", "label"} <= set(reader.fieldnames):
            raise AliasError(f"{origin}: the header must be 'alias,name,label'")
        for n, row in enumerate(reader, start=2):
            alias, name, label = (
                (row["alias"] or "").strip(),
                (row["name"] or "").strip(),
                (row["label"] or "").strip(),
            )
            if not alias or not name or label not in ENTITY_LABELS:
                raise AliasError(
                    f"{origin}: row {n} needs an alias, a name and a label among {sorted(ENTITY_LABELS)}"
                )
            table[alias] = (name, label)
    return table
