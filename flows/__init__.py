"""Prefect flows. Importing this package quiets Prefect unless the caller asked otherwise.

Prefect reads its settings when first imported, so the defaults are set here,
before `flows.ingest` imports it: its own INFO logs and its temporary
server's messages stay out of the user's terminal (`findings ingest
--verbose` turns them back on).
"""

import os

for _key, _value in {
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_LOGGING_LEVEL": "ERROR",
    "PREFECT_LOGGING_TO_API_ENABLED": "false",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
}.items():
    os.environ.setdefault(_key, _value)
