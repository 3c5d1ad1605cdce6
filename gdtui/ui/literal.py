"""Text from outside the program, shown inside Textual markup exactly as written."""

from __future__ import annotations


def literal(text: str) -> str:
    """text as markup that shows it as written: every "[" escaped, not only those that look
    like a tag (Textual's escape() leaves "[red" alone, and then "[red … [b]" reads as one tag)."""
    return text.replace("[", "\\[")
