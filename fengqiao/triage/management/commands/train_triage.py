"""./fq manage train_triage [--task category|dispatch|all] [--with-corrections] [--with-history] [--if-missing]
                            [--exclude-dev] [--export-dev DIR]

Trains the triage models from the shipped data (fengqiao/triage/data) and makes the new versions current
(`{FQ_MODEL_DIR}/{task}.current`); running processes pick them up on their next call.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fengqiao.triage.ml import artefacts
from fengqiao.triage.ml.data import COLUMNS, TASKS, load_shipped
from fengqiao.triage.ml.train import train


class Command(BaseCommand):
    help = "Train the category and dispatch models from the shipped data (and operator corrections)."

    def add_arguments(self, parser):
        parser.add_argument("--task", choices=[*TASKS, "all"], default="all")
        parser.add_argument("--with-corrections", action="store_true",
                            help="add the operators' corrections (TriageCorrection) to the shipped data")
        parser.add_argument("--with-history", action="store_true",
                            help="add the platform's own closed cases with their final category and handling unit")
        parser.add_argument("--if-missing", action="store_true",
                            help="only train a task that has no readable current model (fast when they exist)")
        parser.add_argument("--exclude-dev", action="store_true",
                            help="leave out the dev split (sha1(key) %% 5 == 1) to measure on it honestly")
        parser.add_argument("--export-dev", metavar="DIR",
                            help="also write the dev split as DIR/<task>_dev.csv in triage_eval's format")

    def handle(self, *args, task: str, with_corrections: bool, with_history: bool, if_missing: bool, exclude_dev: bool,
               export_dev: str | None, **options):
        tasks = list(TASKS) if task == "all" else [task]
        if export_dev:
            for t in tasks:
                path = self._export_dev(t, Path(export_dev))
                self.stdout.write(f"{t}: dev split written to {path}")
        for t in tasks:
            if if_missing and self._present(t):
                self.stdout.write(f"{t}: current model present, nothing to do")
                continue
            try:
                meta = train(t, part="train" if exclude_dev else "all", with_corrections=with_corrections,
                             with_history=with_history)
            except (FileNotFoundError, ValueError) as exc:
                raise CommandError(f"{t}: {exc}") from exc
            extra = f", {meta['skipped_rows']} rows skipped" if meta["skipped_rows"] else ""
            self.stdout.write(
                f"{t}: version {meta['version']} on {meta['rows']} rows ({meta['part']}"
                f"{', with corrections' if with_corrections else ''}{', with history' if with_history else ''}"
                f"{extra}) in {meta['train_seconds']:.1f}s "
                f"-> {meta['path']}"
            )

    @staticmethod
    def _present(task: str) -> bool:
        try:
            path = artefacts.current_file(task)
        except artefacts.ModelUnavailable:
            return False
        if path is None or not path.exists():
            return False
        try:
            artefacts.load(path)
        except artefacts.ModelUnavailable:
            return False
        return True

    @staticmethod
    def _export_dev(task: str, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{task}_dev.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(COLUMNS[task])
            for r in load_shipped(task, part="dev"):
                w.writerow([r.id, r.a, r.b, r.label])
        return path
