import pytest

from tests.conftest import seed_text
from transforms.clean import clean_article, normalise_text, split_body, split_paragraphs
from transforms.records import RawArticle, RejectError

SEED_B_CAPTION = (
    "An ATACMS missile launches during a test, showcasing the long-range strike capabilities "
    "now authorized for Ukraine to counter Russian aggression."
)


def no_language(text):
    return None, None


def test_seed_b_caption_is_not_the_title_and_leaves_the_body():
    body = split_body(seed_text("b"), given_title=None, input_format="text")
    assert body.title is None and body.title_source == "none"
    assert body.captions == [SEED_B_CAPTION]
    assert body.credits == ["Image is in the public domain and was uploaded by Esquilo."]
    assert body.paragraphs[0].startswith("The United States has taken a major step")
    assert len(body.paragraphs) == 9
    assert not any("public domain" in p or "showcasing" in p for p in body.paragraphs)


def test_seed_a_has_no_headline_so_no_title_is_invented():
    body = split_body(seed_text("a"), given_title=None, input_format="text")
    assert body.title is None
    assert body.paragraphs[0].startswith("Ukraine's conflict with Russia has seen new developments")
    assert len(body.paragraphs) == 12


def test_bbc_style_first_line_is_the_title():
    raw = "Chelsea sack Mutu\n\nChelsea have sacked Adrian Mutu.\n\nThe 25-year-old tested positive.\n"
    body = split_body(raw, given_title=None, input_format="text")
    assert (body.title, body.title_source) == ("Chelsea sack Mutu", "first_line")
    assert body.paragraphs == ["Chelsea have sacked Adrian Mutu.", "The 25-year-old tested positive."]


def test_markdown_heading_title_and_share_line():
    raw = "# Harbour bridge to close\n\nThe bridge will close.\n\nShare this article\n"
    body = split_body(raw, given_title=None, input_format="text")
    assert body.title == "Harbour bridge to close"
    assert body.paragraphs == ["The bridge will close."]
    assert body.boilerplate == ["Share this article"]


def test_headline_repeated_in_body_is_dropped_when_input_has_a_title():
    body = split_body(
        "Storm warning\nGusts of 80 mph.\nFerries cancelled.",
        given_title="Storm warning",
        input_format="json",
    )
    assert body.paragraphs == ["Gusts of 80 mph.", "Ferries cancelled."]


def test_mojibake_and_whitespace_are_repaired():
    assert normalise_text("The cafÃ©  costs Â£3\r\n\r\n  Next   line  ") == "The café costs £3\n\nNext line"


def test_hard_wrapped_lines_join_but_lists_do_not():
    text = "The council said the plan\nwould cost more.\n- first item\n- second item"
    assert split_paragraphs(text) == [
        "The council said the plan would cost more.",
        "- first item",
        "- second item",
    ]


def test_clean_article_counts_and_hash():
    raw = RawArticle("x.txt", 0, "Bridge closes\n\nThe bridge closes today. It reopens in May.", "text")
    article = clean_article(raw, "id1", no_language)
    assert article.text == "The bridge closes today. It reopens in May."
    assert (article.word_count, article.sentence_count, article.char_count) == (8, 2, 43)
    assert article.lede == article.text
    assert article.title == "Bridge closes"


def test_article_of_only_boilerplate_is_rejected():
    raw = RawArticle("x.txt", 0, "Share this article\n\nPhoto: Reuters", "text")
    with pytest.raises(RejectError, match="empty_after_cleaning"):
        clean_article(raw, "id1", no_language)


@pytest.mark.parametrize("size", [1_001, 5_000])
def test_text_over_the_limit_is_rejected(size):
    raw = RawArticle("x.txt", 0, "word " * size, "text")
    with pytest.raises(RejectError, match="text_too_long"):
        clean_article(raw, "id1", no_language, max_chars=1_000 * 5)
