"""The pipeline's steps, one module each, in run order.

discover -> load (and clean) -> dedup (plan, apply per batch, re-point committed) -> extract
(NER, quotes, text items) -> commit (entities and stories snapshots, then the atomic commit).

Each step is ``step(ctx: RunContext, ...) -> StepResult`` made a Prefect task by
``base.as_task``; the rules it applies live in transforms/, the tables it writes in
warehouse/schemas.py.
"""
