"""Benchmark: parse and import all five seed documents into a fresh SQLite database.

Run: .venv/bin/python tests/benchmarks/import_documents.py [--repeat 3]
Prints figures; asserts nothing (BRIEF §6: speed goals are benchmarks, not timed tests).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DEBUG", "true")
    os.environ["DJANGO_SETTINGS_MODULE"] = "planner.settings"
    parse_times, import_times, rerun_times = [], [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as var:
            os.environ["VAR_DIR"] = var
            os.environ["DATABASE_URL"] = f"sqlite:///{var}/bench.sqlite3"
            import django
            from django.conf import settings

            if not settings.configured:
                django.setup()
            else:
                from django.db import connections

                connections.close_all()
                settings.DATABASES["default"]["NAME"] = f"{var}/bench.sqlite3"
            from django.core.management import call_command

            from tasks_app.parsing.document import parse_bytes

            call_command("migrate", verbosity=0)
            paths = sorted((ROOT / "fixtures" / "documents").glob("*.txt"))
            started = time.perf_counter()
            for path in paths:
                parse_bytes(path.read_bytes(), filename=path.name)
            parse_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            call_command("seed_documents", stdout=StringIO())
            import_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            call_command("seed_documents", stdout=StringIO())
            rerun_times.append(time.perf_counter() - started)
    print(f"documents: {len(paths)}  repeats: {args.repeat}")
    print(f"parse only      median {statistics.median(parse_times):.3f} s  (min {min(parse_times):.3f})")
    print(f"seed (parse+db) median {statistics.median(import_times):.3f} s  (min {min(import_times):.3f})")
    print(f"second run      median {statistics.median(rerun_times):.3f} s  (nothing created)")


if __name__ == "__main__":
    main()
