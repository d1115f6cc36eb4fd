"""Benchmarks that start real processes against a database of their own (see bench/webhook_ingest.py)."""
