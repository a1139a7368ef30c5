"""The data inventory (docs/data-inventory.csv) classifies every column of every table, and nothing else.

Adding a column to a model without saying what it is, why it is kept, on what lawful basis
and for how long fails here; so does a row for a column that no longer exists. The inventory
is read as plain CSV and compared with ``Base.metadata``: no database is needed.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from peermatch.models import Base

DOCS = Path(__file__).resolve().parents[1] / "docs"
INVENTORY = DOCS / "data-inventory.csv"
HEADER = ["table", "column", "class", "purpose", "lawful_basis", "retention"]
CLASSES = {"personal", "special category", "operational"}
# Columns that hold who someone is or how to reach them: never "operational".
ALWAYS_PERSONAL = {"email", "phone", "display_name", "name_to_ask_for", "password_hash", "body", "comments", "note",
                   "notes", "outcome_note", "introduction"}


def rows() -> list[dict[str, str]]:
    with INVENTORY.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == HEADER, f"{INVENTORY.name} must have the columns {HEADER}"
        return list(reader)


def columns_in_models() -> set[tuple[str, str]]:
    return {(table.name, column.name) for table in Base.metadata.sorted_tables for column in table.columns}


def test_every_column_of_every_table_is_classified() -> None:
    listed = {(row["table"], row["column"]) for row in rows()}
    missing = sorted(columns_in_models() - listed)
    assert not missing, (
        "Columns not in docs/data-inventory.csv (add a row for each: class, purpose, lawful basis, retention; "
        f"see docs/data-inventory.md): {missing}")


def test_the_inventory_names_no_column_that_does_not_exist() -> None:
    listed = {(row["table"], row["column"]) for row in rows()}
    gone = sorted(listed - columns_in_models())
    assert not gone, f"docs/data-inventory.csv names columns the models no longer have: {gone}"


def test_each_column_is_listed_once() -> None:
    twice = [key for key, n in Counter((row["table"], row["column"]) for row in rows()).items() if n > 1]
    assert not twice, f"Listed more than once: {twice}"


def problems_of(row: dict[str, str]) -> list[str]:
    """What is wrong with one row of the inventory (nothing, for a good one)."""
    found = []
    if row["class"] not in CLASSES:
        found.append(f"class {row['class']!r} is not one of {sorted(CLASSES)}")
    found += [f"{field} is empty" for field in ("purpose", "lawful_basis", "retention") if not row[field].strip()]
    basis = row["lawful_basis"]
    if row["class"] == "operational":
        if not basis.startswith("Not personal data"):
            found.append("an operational column's lawful basis says 'Not personal data'")
        if row["column"] in ALWAYS_PERSONAL:
            found.append("this column says who someone is or what they wrote: it cannot be operational")
    elif "Art. 6(1)(" not in basis:
        found.append("personal data needs its Art. 6 lawful basis, e.g. 'Art. 6(1)(f)'")
    if row["class"] == "special category" and "Art. 9(2)(" not in basis and "Art. 10" not in basis:
        found.append("special-category data needs its Art. 9(2) condition (criminal-offence data: Art. 10)")
    return found


def test_each_row_has_a_class_a_purpose_a_lawful_basis_and_a_retention() -> None:
    wrong = {f"{row['table']}.{row['column']}": found for row in rows() if (found := problems_of(row))}
    assert not wrong, f"docs/data-inventory.csv: {wrong}"


def test_the_row_checks_catch_a_bad_row() -> None:
    good = {"table": "users", "column": "email", "class": "personal", "purpose": "Sign-in",
            "lawful_basis": "Art. 6(1)(f) legitimate interests", "retention": "With the account"}
    assert problems_of(good) == []
    assert problems_of({**good, "class": "secret"})
    assert problems_of({**good, "retention": " "})
    assert problems_of({**good, "lawful_basis": "Because"})
    assert problems_of({**good, "class": "operational", "lawful_basis": "Not personal data"})
    assert problems_of({**good, "class": "special category"})


def test_the_explanation_summarises_every_table() -> None:
    text = (DOCS / "data-inventory.md").read_text(encoding="utf-8")
    missing = sorted(table.name for table in Base.metadata.sorted_tables if f"`{table.name}`" not in text)
    assert not missing, f"docs/data-inventory.md does not summarise: {missing}"
