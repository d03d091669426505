"""Whole numbers typed or posted by people and browsers, read without surprises."""


def small_int(text: str) -> int | None:
    """The number that `text` writes in plain ASCII digits, of a size a database id can have (at most 18
    digits); None for anything else. str.isdigit() alone is not enough: "²" is a digit to Python but not to
    int(), which raises, and a request must never answer 500 to it."""
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None
