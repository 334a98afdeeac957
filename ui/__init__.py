"""Streamlit glue between the pages and core: caches, language, period and page helpers."""
