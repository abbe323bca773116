"""./fq manage triage_eval --task category --data FILE.csv   (columns id,title,body,label)
./fq manage triage_eval --task dispatch --data FILE.csv      (columns id,location,statement,label)

Scores the current model on any CSV of that shape (extra columns are ignored, a BOM and empty rows are
tolerated; labels the model never saw count as errors). Prints accuracy, macro-F1, top-3 accuracy, a
calibration error of the confidences, how many rows reach FQ_TRIAGE_MIN_CONFIDENCE (pre-filled) and how
often those are right, a per-class table and the most frequent confusions; the last line is
    macro_f1=<value> accuracy=<value> top3=<value>
A missing column stops it with a message and a non-zero exit status.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from fengqiao.triage.ml import artefacts
from fengqiao.triage.ml.data import TASKS, MissingColumns, read_rows
from fengqiao.triage.ml.evaluate import evaluate, report
from fengqiao.triage.ml.registry import get_model


class Command(BaseCommand):
    help = "Evaluate the current category or dispatch model on a labelled CSV."

    def add_arguments(self, parser):
        parser.add_argument("--task", choices=TASKS, required=True)
        parser.add_argument("--data", required=True, metavar="FILE.csv")

    def handle(self, *args, task: str, data: str, **options):
        path = Path(data)
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                rows = read_rows(task, fh)
        except FileNotFoundError as exc:
            raise CommandError(f"no such file: {path}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text ({exc})") from exc
        except MissingColumns as exc:
            raise CommandError(f"{path}: {exc}") from exc
        except csv.Error as exc:
            raise CommandError(f"{path} is not a readable CSV ({exc})") from exc
        if not rows:
            raise CommandError(f"{path} has a header but no rows to evaluate")
        try:
            model, meta = get_model(task)
        except artefacts.ModelUnavailable as exc:
            raise CommandError(str(exc)) from exc
        result = evaluate(task, model, rows)
        threshold = float(getattr(settings, "FQ_TRIAGE_MIN_CONFIDENCE", 0.6))
        for line in report(result, version=meta.get("version", ""), source=str(path), threshold=threshold):
            self.stdout.write(line)
