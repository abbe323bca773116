"""Training data: the shipped CSVs (fengqiao/triage/data, see SOURCES.md), the fixed dev split used for
honest numbers, operator corrections, and the CSV reader triage_eval uses."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
FILES = {"category": "messages_train.csv.gz", "dispatch": "dispatch_train.csv.gz"}
COLUMNS = {"category": ("id", "title", "body", "label"), "dispatch": ("id", "location", "statement", "label")}
TASKS = tuple(FILES)


@dataclass(frozen=True)
class Row:
    id: str
    a: str  # title (category) or location (dispatch)
    b: str  # body (category) or statement (dispatch)
    label: str


def split_key(task: str, row: Row) -> str:
    """The data READMEs' key: the id when known; for messages without an id, title + body."""
    if row.id:
        return row.id
    return row.a + row.b if task == "category" else row.b


def split_bucket(task: str, row: Row) -> int:
    """sha1(key) % 5. Bucket 0 is the held-out part kept outside the repository; we use 1 as our dev part."""
    return int(hashlib.sha1(split_key(task, row).encode("utf-8"), usedforsecurity=False).hexdigest(), 16) % 5


DEV_BUCKET = 1


def shipped_path(task: str) -> Path:
    return DATA_DIR / FILES[task]


def load_shipped(task: str, *, part: str = "all") -> list[Row]:
    """Rows of the shipped training data; part = all | train (without the dev split) | dev."""
    if task not in FILES:
        raise ValueError(f"unknown task {task!r}; expected one of {', '.join(TASKS)}")
    path = shipped_path(task)
    if not path.exists():
        raise FileNotFoundError(f"training data {path} is missing; re-create it with tools/derive_data.py")
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        rows = read_rows(task, fh)
    if part == "all":
        return rows
    if part not in {"train", "dev"}:
        raise ValueError(f"unknown part {part!r}")
    want_dev = part == "dev"
    return [r for r in rows if (split_bucket(task, r) == DEV_BUCKET) == want_dev]


class MissingColumns(ValueError):
    pass


def read_rows(task: str, fh: io.TextIOBase, *, require_label: bool = True) -> list[Row]:
    """Rows of a CSV with the task's columns (any order, extra columns ignored, header case-insensitive,
    a UTF-8 BOM tolerated); fully empty rows are skipped. Raises MissingColumns naming what is absent."""
    csv.field_size_limit(max(csv.field_size_limit(), 16 * 1024 * 1024))  # long texts are cut later, not refused
    reader = csv.reader(fh)
    header = next(reader, None)
    if header is None:
        raise MissingColumns("the file is empty (no header row)")
    names = [h.strip().lstrip("\ufeff").strip().lower() for h in header]
    need = COLUMNS[task] if require_label else COLUMNS[task][:3]
    missing = [c for c in need if c not in names]
    if missing:
        raise MissingColumns(
            f"missing column(s) {', '.join(missing)}; the {task} file needs the columns {','.join(COLUMNS[task])} "
            f"(found: {','.join(names) or 'none'})"
        )
    pos = {c: names.index(c) for c in COLUMNS[task] if c in names}
    rows = []
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue

        def get(col: str, record=record) -> str:
            i = pos.get(col)
            return record[i] if i is not None and i < len(record) else ""

        c = COLUMNS[task]
        rows.append(Row(get("id").strip(), get(c[1]), get(c[2]), get("label").strip()))
    return rows


HISTORY_LIMIT = 20_000  # newest closed cases learned from; keeps training well under a minute


def history(task: str, limit: int = HISTORY_LIMIT) -> list[Row]:
    """The platform's own past: closed or confirmed cases, labelled with what finally happened — the
    first-level category they ended in (category) or the unit that handled them (dispatch). Merged,
    rejected and withdrawn cases teach nothing and are left out."""
    from fengqiao.cases.models import Case
    from fengqiao.cases.workflow import Status
    from fengqiao.triage.services import street_name

    done = (Case.objects.filter(status__in=[Status.CLOSED, Status.CONFIRMED], merged_into__isnull=True)
            .order_by("-pk"))
    rows = []
    if task == "category":
        for case in done.filter(category__isnull=False).select_related("category__parent")[:limit]:
            root = case.category.parent or case.category
            rows.append(Row(f"case-{case.pk}", case.title, case.description, root.name))
    else:
        for case in done.filter(holder_unit__isnull=False).select_related("holder_unit", "region__parent")[:limit]:
            rows.append(Row(f"case-{case.pk}", street_name(case), f"{case.title}\n{case.description}",
                            case.holder_unit.name))
    rows.reverse()  # oldest first: the same cases give the same rows in the same order (the data hash)
    return rows


def corrections(task: str, *, skip_cases: set[int] | None = None) -> list[Row]:
    """Operators' corrections (fengqiao.triage.models.TriageCorrection); `skip_cases` are cases whose final
    outcome is already learned from the history."""
    from fengqiao.triage.models import TriageCorrection

    rows = []
    for c in TriageCorrection.objects.filter(task=task).order_by("pk"):
        if skip_cases and c.case_id in skip_cases:
            continue
        if task == "category":
            rows.append(Row(f"correction-{c.pk}", c.title or "", c.body or "", c.label))
        else:
            rows.append(Row(f"correction-{c.pk}", c.location or "", c.body or "", c.label))
    return rows


def data_hash(rows: list[Row]) -> str:
    h = hashlib.sha256()
    for r in rows:
        h.update("\x1f".join((r.id, r.a, r.b, r.label)).encode("utf-8"))
        h.update(b"\x1e")
    return h.hexdigest()
