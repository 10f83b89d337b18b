"""Benchmarks: a throw-away production-like stack (bench.stack) and commands that print figures
(`python -m bench load`, `profile`, `data` and `pages`). Never part of the test suite's timings."""
