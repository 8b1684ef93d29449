"""Generate the Pokemon card market dataset (you rarely need this: loading does it for you).

    uv run python data/generate_dataset.py                      # default: seed 42, 120,000 listings
    uv run python data/generate_dataset.py --n-listings 1000000 --out /tmp/cards
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from mlcourse.dataset import DEFAULT_N_LISTINGS, DEFAULT_SEED, data_dir, write_dataset


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")
    parser.add_argument("--n-listings", type=int, default=DEFAULT_N_LISTINGS,
                        help="number of true listings before faults (default %(default)s, minimum 1000)")
    parser.add_argument("--out", type=Path, default=None, help=f"output folder (default {data_dir()})")
    args = parser.parse_args(argv)
    if args.n_listings < 1_000:
        parser.error("--n-listings must be at least 1000")
    start = time.perf_counter()
    paths = write_dataset(args.seed, args.n_listings, args.out)
    elapsed = time.perf_counter() - start
    for kind, path in paths.items():
        print(f"{kind:>7}: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    print(f"generated in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
