"""Files of a results folder written so that a reader, or a killed sweep, never sees half
of one, and storage faults (a full disk, a read-only folder) end in one line.

Every table and the manifest go to a temporary name first and are moved into place
with ``os.replace``; a temporary left by a failure is removed at once, and any left by
a killed process is removed when the folder is next opened.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import UserError

__all__ = [
    "ROW_GROUP_ROWS",
    "StoreError",
    "damaged",
    "remove_temporaries",
    "replace_atomically",
    "storage_error",
    "write_json",
    "write_streamed",
    "write_table",
    "writing",
]

ROW_GROUP_ROWS = 200_000
TMP_MARK = ".tmp-"
WAY_OUT = (
    "run the same `sim sweep` command with --repair to drop what cannot be read and run "
    "those runs again, or with --fresh to start over"
)


class StoreError(UserError):
    """A results folder that cannot be written or read: a full disk, a read-only or busy
    folder, a damaged table, or another spec's results. The message names the file and
    the way out."""


def storage_error(err: OSError, path: Path) -> StoreError:
    """One line for an operating-system error met while writing ``path``."""
    if err.errno == errno.ENOSPC or err.errno == errno.EDQUOT:
        return StoreError(
            f"no space left on the device holding {path}; free some space and run the same "
            "command again to resume (the finished runs are kept)."
        )
    if err.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StoreError(f"cannot write {path}: {err.strerror}; choose another --out.")
    return StoreError(f"cannot write {path}: {err.strerror or err}.")


def damaged(path: Path, why: object) -> StoreError:
    """One line for a table or part file that cannot be read, naming the way out."""
    text = re.sub(r"^Could not open .*?: ", "", str(why).strip())  # Arrow restates the path
    reason = text.splitlines()[0].split(". ")[0].rstrip(".") if text else type(why).__name__
    return StoreError(f"{path} is damaged or truncated ({reason}); {WAY_OUT}.")


@contextlib.contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn an ``OSError`` raised inside into a one-line ``StoreError`` about ``path``."""
    try:
        yield
    except OSError as err:
        raise storage_error(err, path) from None


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}{TMP_MARK}{os.getpid()}")


def replace_atomically(path: Path, write: Callable[[Path], bool | None]) -> None:
    """Call ``write(tmp)`` then move ``tmp`` onto ``path``; on any failure remove ``tmp``.

    ``write`` may return False to say it wrote nothing (``path`` is then left alone).
    """
    tmp = _tmp(path)
    try:
        with writing(path):
            if write(tmp) is False:
                return
            os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically."""
    text = json.dumps(data, indent=2, default=_jsonable) + "\n"
    replace_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8") and None)


def _jsonable(value: Any) -> Any:
    if hasattr(value, "item"):  # NumPy scalars
        return value.item()
    return str(value)


def write_table(path: Path, table: pa.Table) -> None:
    """Write a Parquet file atomically."""
    replace_atomically(path, lambda tmp: pq.write_table(table, tmp))


def write_streamed(path: Path, tables: Iterable[pa.Table]) -> None:
    """Write batches of tables to one Parquet file atomically, one batch in memory at a time.

    Nothing is written (and ``path`` is left alone) if ``tables`` yields no table.
    """

    def write(tmp: Path) -> bool:
        writer: pq.ParquetWriter | None = None
        try:
            for table in _batched(tables, ROW_GROUP_ROWS):
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema)
                writer.write_table(table.cast(writer.schema))
        finally:
            if writer is not None:
                writer.close()
        return writer is not None

    replace_atomically(path, write)


def _batched(tables: Iterable[pa.Table], rows: int) -> Iterator[pa.Table]:
    pending: list[pa.Table] = []
    count = 0
    for table in tables:
        pending.append(table)
        count += len(table)
        if count >= rows:
            yield pa.concat_tables(pending)
            pending, count = [], 0
    if pending:
        yield pa.concat_tables(pending)


def remove_temporaries(*folders: Path) -> None:
    """Remove temporary files left in ``folders`` by a killed process."""
    for folder in folders:
        for tmp in folder.glob(f".*{TMP_MARK}*"):
            with contextlib.suppress(OSError):
                tmp.unlink()
