from textkit.words import count_words, most_common, split_words


def test_split_words():
    assert split_words("Don't panic -- it's 42!") == ["Don't", "panic", "it's", "42"]
    assert split_words("snake_case words") == ["snake", "case", "words"]


def test_count_words():
    counts = count_words("The cat and the hat")
    assert counts["the"] == 2
    assert count_words("The the", ignore_case=False) == {"The": 1, "the": 1}


def test_most_common_breaks_ties_alphabetically():
    assert most_common("b a c b a d", n=3) == [("a", 2), ("b", 2), ("c", 1)]
