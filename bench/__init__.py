"""Benchmarks: each prints one figure per line, writes JSON to bench/results/, ends with RESULT.

Run them as modules from the repository root (`python -m bench.http`): run as a script,
bench/http.py would shadow the standard library's `http` package. `make bench` runs them all.
"""
