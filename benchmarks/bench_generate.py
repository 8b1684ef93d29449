"""How long the dataset takes to generate and load (a benchmark script, not a test).

    uv run python benchmarks/bench_generate.py            # default size and 1,000,000 listings
    uv run python benchmarks/bench_generate.py --sizes 120000

Writes into a temporary folder, never into the repository.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

import pandas as pd

from mlcourse.dataset import DEFAULT_N_LISTINGS, DEFAULT_SEED, write_dataset


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[DEFAULT_N_LISTINGS, 1_000_000])
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, {__import__('os').cpu_count()} cores")
    print(f"{'listings':>10} {'generate+write s':>17} {'raw CSV MB':>11} {'read clean s':>13} {'read raw s':>11}")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            paths = write_dataset(DEFAULT_SEED, n, Path(tmp))
            generate = time.perf_counter() - start
            start = time.perf_counter()
            pd.read_parquet(paths["clean"])
            read_clean = time.perf_counter() - start
            start = time.perf_counter()
            from mlcourse.cleaning import read_raw_listings

            read_raw_listings(paths["raw"])
            read_raw = time.perf_counter() - start
            size = paths["raw"].stat().st_size / 1e6
        print(f"{n:>10,} {generate:>17.1f} {size:>11.1f} {read_clean:>13.2f} {read_raw:>11.2f}")


if __name__ == "__main__":
    main()
