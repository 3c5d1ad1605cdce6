"""Widgets that are gone let go of the lines they drew.

Textual caches StylesCache.get_inner_outer by the StylesCache it is called on (an lru_cache of
1,024 entries on a method), and every widget has a StylesCache holding the lines it last drew: the
style caches of up to a thousand widgets long gone, help screens and command palettes closed long
ago among them, stay in memory with everything they drew. `benchmarks/closed_screens.py` opens and
closes the help and the command palette 160 times each on an 80×24 terminal: that took the app from
129 MB resident to 196 MB. Emptied whenever the app changes screen (one opened or closed, another
step), the cache keeps no dead widget's for long: 158 MB, nearly all of it grown in the first
quarter of the run, as Rich's and Textual's own caches fill. Widgets removed from a screen that
stays go at the next change. Each widget drawn adds its entry again, one per pair of colours.

tests/unit/test_textual_insides.py says when a Textual no longer keeps them.
"""

from __future__ import annotations

from textual._styles_cache import StylesCache


def release() -> None:
    """Forget the style caches of widgets that are gone, which Textual's colour cache keeps alive."""
    cache_clear = getattr(getattr(StylesCache, "get_inner_outer", None), "cache_clear", None)
    if cache_clear is not None:
        cache_clear()
