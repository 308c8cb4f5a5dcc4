"""Benchmarks: run with `python -m benchmarks.intake` and `python -m benchmarks.storage`."""
