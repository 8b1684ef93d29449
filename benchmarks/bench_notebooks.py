"""How long each notebook takes to run top to bottom, headless (a benchmark script, not a test).

    uv run python benchmarks/bench_notebooks.py                    # every notebook
    uv run python benchmarks/bench_notebooks.py 03_model_training.py exercises/exercises_03.py

Each notebook runs as a script (`python notebook.py`) from a copy in a temporary folder,
with the data already cached, so the time is what a learner waits for after the first run.
The first line warms the data cache. Nothing is written into the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def notebooks(args: list[str]) -> list[Path]:
    if args:
        return [ROOT / a for a in args]
    return sorted(ROOT.glob("[0-9][0-9]_*.py")) + sorted((ROOT / "exercises").glob("exercises_*.py"))


def main() -> int:
    from mlcourse.dataset import load_listings

    start = time.perf_counter()
    load_listings()
    print(f"data cache ready in {time.perf_counter() - start:.1f} s ({os.cpu_count()} cores)")
    failed = 0
    print(f"{'notebook':<40} {'seconds':>8}  status")
    for nb in notebooks(sys.argv[1:]):
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / nb.name
            shutil.copy(nb, copy)
            env = {**os.environ, "MLCOURSE_PROGRESS_FILE": str(Path(tmp) / "progress.json"),
                   "MLFLOW_TRACKING_URI": f"sqlite:///{Path(tmp) / 'mlflow.db'}",
                   "MLCOURSE_MLFLOW_DIR": str(Path(tmp) / "mlflow"), "MLCOURSE_OUTPUT_DIR": tmp}
            start = time.perf_counter()
            done = subprocess.run([sys.executable, str(copy)], cwd=tmp, env=env, capture_output=True, text=True)
            seconds = time.perf_counter() - start
        status = "ok" if done.returncode == 0 else f"FAILED (exit {done.returncode})"
        failed += done.returncode != 0
        print(f"{str(nb.relative_to(ROOT)):<40} {seconds:>8.1f}  {status}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
