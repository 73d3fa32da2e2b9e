from textkit.slug import slugify


def test_slugify():
    assert slugify("Hello, World!") == "hello-world"
    assert slugify("Don't Panic") == "dont-panic"
    assert slugify("Cr\u00e8me br\u00fbl\u00e9e") == "creme-brulee"


def test_slugify_max_length_cuts_at_a_separator():
    assert slugify("the quick brown fox", max_length=12) == "the-quick"
    assert slugify("the quick brown fox", max_length=15) == "the-quick-brown"
    assert slugify("extraordinary", max_length=5) == "extra"


def test_custom_separator():
    assert slugify("a b c", separator="_") == "a_b_c"
