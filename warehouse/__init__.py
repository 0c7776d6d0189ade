"""The storage contract: table schemas, the atomic writer, the DuckDB catalog.

This folder is also the default data root for local runs; the data itself (``parquet/``,
``news.duckdb``) is gitignored.
"""
