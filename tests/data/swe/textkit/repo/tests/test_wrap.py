import pytest
from textkit.wrap import fill, shorten, wrap


class TestWrap:
    def test_short_text_is_one_line(self):
        assert wrap("hello world", 20) == ["hello world"]

    def test_breaks_between_words(self):
        assert wrap("the quick brown fox", 10) == ["the quick", "brown fox"]

    def test_lines_never_exceed_width(self):
        text = "aaaa bbbb cc dddd e ff ggg"
        for width in range(4, 16):
            assert all(len(line) <= width for line in wrap(text, width)), width

    def test_long_word_gets_its_own_line(self):
        assert wrap("a extraordinarily b", 5) == ["a", "extraordinarily", "b"]

    def test_whitespace_is_collapsed(self):
        assert wrap("  one\n two\tthree  ", 20) == ["one two three"]
        assert wrap("   ", 10) == []

    def test_bad_width(self):
        with pytest.raises(ValueError):
            wrap("x", 0)


def test_fill():
    assert fill("the quick brown fox", 10) == "the quick\nbrown fox"


def test_shorten():
    assert shorten("hello   world", 20) == "hello world"
    assert shorten("hello wonderful world", 15) == "hello..."
    assert shorten("extraordinarily", 8) == "extra..."
