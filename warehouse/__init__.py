"""The storage contract: table schemas, the table format (DuckLake), the writer, the readers.

This folder is also the default data root for local runs; the data itself (``catalog.sqlite``,
``data/``, ``search.duckdb``) is gitignored.
"""
