"""Runnable benchmark scripts (``python -m benchmarks.<name>``); never imported by hgkit."""
