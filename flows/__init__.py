"""Prefect flows, tasks and the CLI: orchestration and I/O.

Prefect reads its settings at import, so the offline-safe defaults are set here, before any
submodule imports it. Users can still override each one in the environment.
"""

import os

for _key, _value in {
    # Offline machines: telemetry would only log connection errors.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # A fresh machine's first database migration can outlast the 20 s default.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    "DASK_LOGGING__DISTRIBUTED": "warning",
}.items():
    os.environ.setdefault(_key, _value)
