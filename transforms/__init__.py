"""Pure transforms: records in, records out. No Prefect, no writes, no module state.

Everything a transform needs (limits, a language detector, a spaCy pipeline) comes in as an
argument, so each one is testable without a server or a disk.
"""
