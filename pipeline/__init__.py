"""Findings pipeline for Vietnamese administrative-reform inspection reports.

Stages, in the order data flows: `read` -> `normalise` -> `segment` ->
`extract` -> `classify` -> `store`; `process` runs them for one document and
`flows/` runs them for a folder through Prefect.
"""

__version__ = "0.2.0"  # 0.2: long documents mined in pieces, page provenance
