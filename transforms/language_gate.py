"""Which articles a language model may read: the language gate.

An English model run on German text finds "Sie" as a PERSON and "nicht wisse" as a person too:
wrong rows are worse than no rows, because they flow into entities, pairs, stories and every top
list. So an article is read only by a model configured for its language; otherwise it gets no
entities, quotes, amounts or dates, and says why. The grammar-based extractors (quantities,
dates) are written for English and are gated the same way.
"""

from __future__ import annotations

from collections.abc import Mapping

# Extractors whose grammar is English: run only on English articles.
GRAMMAR_LANGUAGES = frozenset({"en"})


def primary_language(code: str | None) -> str | None:
    """'en' for 'en-GB', 'EN', 'en_US'; None for nothing."""
    if not code:
        return None
    return code.replace("_", "-").split("-")[0].strip().lower() or None


def nlp_gate(
    language: str | None, dedup_kind: str, models: Mapping[str, str]
) -> tuple[str | None, str | None]:
    """(model that reads the article, or None; why none does, or None)."""
    if dedup_kind != "canonical":
        return None, "duplicate"
    code = primary_language(language)
    if code is None:
        return None, "language unknown"
    model = models.get(code)
    if model is None:
        return None, f"no model for {code}"
    return model, None
