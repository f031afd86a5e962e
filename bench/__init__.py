"""Benchmarks (`make bench`): each module in ``MODULES`` has ``run() -> dict`` and writes bench/results/."""
