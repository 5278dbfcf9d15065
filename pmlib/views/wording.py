"""Counts and lists in words, for sentences and for the lines commands print; no pandas, so the command line can use them."""

from __future__ import annotations

from collections.abc import Sequence

_NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


def count_words(n: int) -> str:
    """Numbers one to ten as words, larger ones as digits (GOV.UK style)."""
    return _NUMBER_WORDS[n] if 0 <= n <= 10 else f"{n:,}"


def counted(n: int, noun: str) -> str:
    """``1 quarter``, ``6 quarters``: a count in digits with its noun, for the messages commands print."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def join_words(items: Sequence[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
