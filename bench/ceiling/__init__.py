"""The ceiling for this stack: a bare Django view that inserts one row, behind the same middleware,
gunicorn and database as intake. Installed only when BENCH_CEILING=1 (see config/settings.py)."""
