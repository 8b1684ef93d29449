"""How long Modules 3 and 4 (and their exercise notebooks) take to run top to bottom, headless.

    uv run python benchmarks/bench_modules_3_4.py               # each notebook once
    uv run python benchmarks/bench_modules_3_4.py --repeats 3   # best and median of three runs

Like bench_notebooks.py, each notebook runs as a script from a copy in a temporary folder,
with its own MLflow store, output folder and progress file, so nothing is written into the
repository. Besides the wall time it reports the CPU time the run used and the machine's
load average: on a shared or busy machine the wall time grows with the load while the CPU
time stays about the same, so the two together tell a slow notebook from a busy machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ["03_model_training.py", "04_model_evaluation.py", "exercises/exercises_03.py",
             "exercises/exercises_04.py"]


def run_once(notebook: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system, the notebook and its children) and exit code."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / notebook.name
        shutil.copy(notebook, copy)
        env = {**os.environ, "MLCOURSE_PROGRESS_FILE": str(Path(tmp) / "progress.json"),
               "MLFLOW_TRACKING_URI": f"sqlite:///{Path(tmp) / 'mlflow.db'}",
               "MLCOURSE_MLFLOW_DIR": str(Path(tmp) / "mlflow"), "MLCOURSE_OUTPUT_DIR": str(Path(tmp) / "outputs")}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, str(copy)], cwd=tmp, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
    return wall, cpu, done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", default=NOTEBOOKS, help="notebooks, relative to the repository")
    parser.add_argument("--repeats", type=int, default=1, help="runs per notebook (default 1)")
    args = parser.parse_args()

    from mlcourse.dataset import load_listings

    start = time.perf_counter()
    load_listings()
    print(f"data cache ready in {time.perf_counter() - start:.1f} s; {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'notebook':<32} {'wall best':>9} {'wall median':>11} {'cpu median':>10} {'load':>5}  status")
    failed = 0
    for name in args.notebooks:
        walls, cpus, codes = [], [], []
        for _ in range(max(1, args.repeats)):
            wall, cpu, code = run_once(ROOT / name)
            walls.append(wall)
            cpus.append(cpu)
            codes.append(code)
        status = "ok" if not any(codes) else f"FAILED (exit {max(codes)})"
        failed += any(codes)
        print(f"{name:<32} {min(walls):>8.1f}s {statistics.median(walls):>10.1f}s {statistics.median(cpus):>9.1f}s "
              f"{os.getloadavg()[0]:>5.1f}  {status}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
