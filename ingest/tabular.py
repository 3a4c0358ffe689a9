"""Reading tabular files (CSV, JSON Lines, XLSX) into plain rows, with every problem located.

:func:`read_table` turns a file into a :class:`Table`: its column headers and its data rows,
each a mapping from header to a raw value (``str`` for CSV, JSON scalars or lists for JSON
Lines, cell values for XLSX). Empty cells are left out of a row. Nothing here knows about the
graph: what the columns mean is :mod:`ingest.importer`'s business.

Row numbers are the ones a person sees: in CSV and XLSX the header is row 1 and the first data
row is row 2 (a CSV record spanning several lines counts as one row); in JSON Lines a row is
its line number. Blank rows are skipped but keep their number.

CSV files may be UTF-8 (with or without a byte-order mark) or GB18030 (a superset of GBK and
GB2312, the usual encoding of spreadsheets saved by Chinese Excel). The text is tried as strict
UTF-8 first, then as strict GB18030; a file that is neither is rejected with the byte offset of
the first invalid byte. A comma is the delimiter; a header with tabs and no commas is read as
tab-separated.
"""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Literal

from graph.errors import InputFileError

Format = Literal["csv", "jsonl", "xlsx"]

DEFAULT_MAX_ROWS = 200_000
DEFAULT_MAX_BYTES = 512 * 1024 * 1024

FORMAT_BY_SUFFIX: dict[str, Format] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}

Problem = dict[str, Any]


def problem(file: str, row: int | None, field: str | None, message: str, **extra: Any) -> Problem:
    """One located problem, in the shape :class:`InputFileError` lists them."""
    return {"file": file, "row": row, "field": field, "message": message, **extra}


@dataclass
class TableRow:
    """One data row: its number as a person sees it and its non-empty values by header."""

    number: int
    values: dict[str, Any]


@dataclass
class Table:
    """A file read into rows. ``headers`` keep the file's order (JSON Lines: first appearance)."""

    file: str
    format: Format
    headers: list[str]
    rows: list[TableRow] = field(default_factory=list)
    header_row: int | None = 1  # None for JSON Lines, which has no header line
    problems: list[Problem] = field(default_factory=list)  # row-level problems found while reading


def detect_format(path: Path) -> Format:
    """The format named by the file's suffix (``.csv``/``.tsv``/``.txt``, ``.jsonl``/``.ndjson``, ``.xlsx``)."""
    fmt = FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMAT_BY_SUFFIX))
        raise InputFileError(
            f"{path}: unknown file type {path.suffix or '(no suffix)'!r}; expected one of {known}",
            [problem(str(path), None, None, f"unknown file type; expected one of {known}")],
        )
    return fmt


def read_table(
    path: str | Path,
    fmt: Format | None = None,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Table:
    """Read ``path`` (format from its suffix unless ``fmt`` is given) into a :class:`Table`.

    Raises :class:`InputFileError` for a file that cannot be read at all (unreadable, wrong
    encoding, broken XLSX, more than ``max_rows`` data rows or ``max_bytes`` bytes). Problems
    of single rows (a JSON line that is not an object, a row with more cells than headers...)
    are collected in ``Table.problems`` so that the caller can report them with its own.
    """
    path = Path(path)
    fmt = fmt or detect_format(path)
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as e:
        raise InputFileError(f"{name}: cannot read file: {e.strerror or e}", [problem(name, None, None, str(e))]) from e
    if size > max_bytes:
        message = f"file is {size} bytes, more than the limit of {max_bytes}"
        raise InputFileError(f"{name}: {message}", [problem(name, None, None, message)])
    if fmt == "xlsx":
        return _read_xlsx(path, name, max_rows)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputFileError(f"{name}: cannot read file: {e.strerror or e}", [problem(name, None, None, str(e))]) from e
    text = decode_text(data, name)
    if fmt == "jsonl":
        return _read_jsonl(text, name, max_rows)
    return read_csv_text(text, name, max_rows=max_rows)


# --- text decoding ---------------------------------------------------------------------------


def decode_text(data: bytes, file: str) -> str:
    """Decode file bytes as UTF-8 (BOM allowed), else GB18030; raise with the failing offset."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        message = "file is UTF-16 (byte-order mark at offset 0); save it as UTF-8 or GB18030"
        raise InputFileError(f"{file}: {message}", [problem(file, None, None, message, offset=0)])
    nul = data.find(b"\x00")
    if nul >= 0:
        message = f"NUL byte at offset {nul}: a binary or UTF-16 file, not UTF-8 or GB18030 text"
        raise InputFileError(f"{file}: {message}", [problem(file, None, None, message, offset=nul)])
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            return body.decode("gb18030")
        except UnicodeDecodeError as gb_error:
            skip = len(data) - len(body)
            offset = utf8_error.start + skip
            message = (
                f"not UTF-8 (invalid byte 0x{body[utf8_error.start]:02x} at offset {offset}) "
                f"nor GB18030 (invalid at offset {gb_error.start + skip}); save the file as UTF-8"
            )
            raise InputFileError(f"{file}: {message}", [problem(file, None, None, message, offset=offset)]) from None


# --- CSV ---------------------------------------------------------------------------------------


def _too_many_rows(file: str, max_rows: int, row: int | None) -> InputFileError:
    message = f"more than {max_rows} data rows; split the file"
    return InputFileError(f"{file}: {message}", [problem(file, row, None, message)])


def read_csv_text(text: str, file: str, *, max_rows: int = DEFAULT_MAX_ROWS) -> Table:
    """Parse decoded CSV text; the first non-blank line holds the headers."""
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: Iterator[list[str]] = iter(reader)
    number = 0
    try:
        header: list[str] | None = None
        for record in records:
            number += 1
            if any(cell.strip() for cell in record):
                header = record
                break
        if header is None:
            message = "the file is empty (no header row)"
            raise InputFileError(f"{file}: {message}", [problem(file, None, None, message)])
        table = _start_table(file, "csv", header, number)
        count = 0
        for record in records:
            number += 1
            if not any(cell.strip() for cell in record):
                continue
            count += 1
            if count > max_rows:
                raise _too_many_rows(file, max_rows, number)
            _add_row(table, number, record)
    except csv.Error as e:
        row = number + 1
        message = f"malformed CSV: {e}"
        raise InputFileError(f"{file}: row {row}: {message}", [problem(file, row, None, message)]) from e
    return table


# --- shared row handling for CSV and XLSX ----------------------------------------------------


def _start_table(file: str, fmt: Format, header: list[Any], header_row: int) -> Table:
    names = [_cell_text(h) for h in header]
    table = Table(file=file, format=fmt, headers=[], header_row=header_row)
    table.headers = names
    return table


def _add_row(table: Table, number: int, cells: list[Any] | tuple[Any, ...]) -> None:
    values: dict[str, Any] = {}
    for i, cell in enumerate(cells):
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        if i >= len(table.headers):
            table.problems.append(
                problem(
                    table.file,
                    number,
                    f"column {i + 1}",
                    f"row has a value in column {i + 1} but the header has only {len(table.headers)} columns",
                )
            )
            continue
        header = table.headers[i]
        if not header:
            table.problems.append(
                problem(table.file, number, f"column {i + 1}", f"value in column {i + 1}, which has no header")
            )
            continue
        values[header] = cell.strip() if isinstance(cell, str) else cell
    table.rows.append(TableRow(number=number, values=values))


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


# --- JSON Lines --------------------------------------------------------------------------------


def _json_value_ok(value: Any) -> bool:
    if value is None or isinstance(value, str | bool | int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(v is None or isinstance(v, str | bool | int | float) for v in value)
    return False


def _read_jsonl(text: str, file: str, max_rows: int) -> Table:
    table = Table(file=file, format="jsonl", headers=[], header_row=None)
    seen: dict[str, None] = {}
    count = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        count += 1
        if count > max_rows:
            raise _too_many_rows(file, max_rows, number)
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            table.problems.append(problem(file, number, None, f"not valid JSON: {e.msg} (column {e.colno})"))
            continue
        except RecursionError:
            table.problems.append(problem(file, number, None, "not valid JSON: nested too deeply"))
            continue
        if not isinstance(obj, dict):
            table.problems.append(problem(file, number, None, "each line must be a JSON object"))
            continue
        values: dict[str, Any] = {}
        for key, value in obj.items():
            key = key.strip()
            if not _json_value_ok(value):
                table.problems.append(
                    problem(file, number, key, "value must be a string, a number, true/false, null or a list of these")
                )
                continue
            if value is None or (isinstance(value, str) and not value.strip()) or value == []:
                continue
            seen.setdefault(key, None)
            values[key] = value.strip() if isinstance(value, str) else value
        table.rows.append(TableRow(number=number, values=values))
    table.headers = list(seen)
    return table


# --- XLSX ----------------------------------------------------------------------------------------


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _read_xlsx(path: Path, file: str, max_rows: int) -> Table:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError, EOFError) as e:
        message = f"cannot open as an XLSX workbook: {e}"
        raise InputFileError(f"{file}: {message}", [problem(file, None, None, message)]) from e
    except Exception as e:  # openpyxl raises many internal types on damaged files
        message = f"cannot open as an XLSX workbook: {type(e).__name__}: {e}"
        raise InputFileError(f"{file}: {message}", [problem(file, None, None, message)]) from e
    try:
        if not workbook.worksheets:
            message = "the workbook has no sheet"
            raise InputFileError(f"{file}: {message}", [problem(file, None, None, message)])
        sheet = workbook.worksheets[0]
        table: Table | None = None
        count = 0
        try:
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                values = [_xlsx_cell(c) for c in cells]
                blank = all(v is None or (isinstance(v, str) and not v.strip()) for v in values)
                if table is None:
                    if not blank:
                        table = _start_table(file, "xlsx", values, number)
                    continue
                if blank:
                    continue
                count += 1
                if count > max_rows:
                    raise _too_many_rows(file, max_rows, number)
                _add_row(table, number, values)
        except InputFileError:
            raise
        except Exception as e:  # damaged sheet XML
            message = f"cannot read the first sheet: {type(e).__name__}: {e}"
            raise InputFileError(f"{file}: {message}", [problem(file, None, None, message)]) from e
        if table is None:
            message = "the first sheet is empty (no header row)"
            raise InputFileError(f"{file}: {message}", [problem(file, None, None, message)])
        while table.headers and not table.headers[-1]:
            table.headers.pop()
        return table
    finally:
        workbook.close()
