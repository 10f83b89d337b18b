"""Benchmarks: a throw-away production-like stack (bench.stack) and commands that print figures
(`python -m bench load`, `python -m bench profile`). Never part of the test suite's timings."""
