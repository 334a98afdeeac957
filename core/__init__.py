"""Keystone's core: ingestion, storage and figures, with no UI import."""
