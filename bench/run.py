"""Run every registered benchmark module: `python -m bench.run [name ...]`."""
from __future__ import annotations

import importlib
import sys

MODULES = ["bench.directory_search", "bench.load"]


def main(argv: list[str]) -> int:
    chosen = [m for m in MODULES if not argv or m.rsplit(".", 1)[-1] in argv]
    for name in chosen:
        print(f"== {name}")
        importlib.import_module(name).main([])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
