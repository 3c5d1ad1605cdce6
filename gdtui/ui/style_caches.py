"""Widgets that are gone let go of the lines they drew.

Textual caches StylesCache.get_inner_outer by the StylesCache it is called on (an lru_cache on a
method), and every widget has a StylesCache holding the lines it last drew: the last thousand
widgets ever drawn stay in memory after they are gone, help screens and command palettes closed
long ago among them. `benchmarks/closed_screens.py` opens and closes the help and the command
palette 320 times on an 80×24 terminal: that took the app from 129 MB resident to 196 MB. Emptied
as each screen closes, the cache keeps no dead widget's: 158 MB, all of it grown in the first
quarter of the run, as Rich's and Textual's own caches fill. It is refilled with two colours per
widget drawn.

tests/unit/test_textual_insides.py says when a Textual no longer keeps them.
"""

from __future__ import annotations

from textual._styles_cache import StylesCache


def release() -> None:
    """Forget the widgets Textual's colour cache keeps alive."""
    cache_clear = getattr(getattr(StylesCache, "get_inner_outer", None), "cache_clear", None)
    if cache_clear is not None:
        cache_clear()
