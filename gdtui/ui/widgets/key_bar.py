"""Every key a screen has, at the bottom, on a second line when one is not enough.

Textual's footer keeps to one line and cuts off what does not fit: at 80
columns the Training step lost half its keys. This bar shows every key with a
description that works on the screen now, keys of one group together ('←→
pick'), dimmed when they exist but cannot act yet, and wraps between keys,
never inside one. A click on a key presses it, as a click on the footer's keys does.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.actions import parse
from textual.app import App
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.style import Style
from textual.widget import Widget

GAP = 2  # spaces between two keys


@dataclass(frozen=True)
class Key:
    pieces: tuple[tuple[str, str], ...]  # each key as shown ('←', '+', 'space') with the key it presses
    description: str
    enabled: bool
    separator: str = ""  # between a group's keys: none in a compact group ('←→')

    @property
    def keys(self) -> str:
        return self.separator.join(shown for shown, _ in self.pieces)

    @property
    def width(self) -> int:
        return len(self.keys) + 1 + len(self.description)


def keys_of(app: App, binding: Binding) -> str:
    """The keys of a binding as the key bar shows them: '+, =' rather than 'plus,equals_sign'."""
    return ", ".join(app.get_key_display(Binding(key, "")) for key in binding.key.split(","))


def lines(items: list[Key], width: int) -> list[list[Key]]:
    """The keys in lines no wider than width, breaking only between keys."""
    rows: list[list[Key]] = [[]]
    used = 0
    for item in items:
        need = item.width if not rows[-1] else GAP + item.width
        if rows[-1] and used + need > width:
            rows.append([])
            used, need = 0, item.width
        rows[-1].append(item)
        used += need
    return rows


class KeyBar(Widget):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: auto;
        padding: 0 0 0 1;  /* the last column too: Next's keys fit one line at 80 columns */
        background: $footer-background;
        color: $footer-description-foreground;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    _shown: list[Key] | None = None  # the keys last drawn, or asked to be

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, lambda _: self._bindings_updated())

    def _bindings_updated(self) -> None:
        # Every step on Training updates the bindings (a step may leave weights to go back to): most
        # leave the keys as they were, and a layout of the whole screen for them would be wasted.
        keys = self.keys()
        if keys != self._shown:
            # Noted now, not when drawn: the next update that leaves them so asks for no layout again.
            self._shown = keys
            self.refresh(layout=True)

    def keys(self) -> list[Key]:
        """The step's own keys, then the app's that are meant to be seen, the command palette last.

        Read from the declared bindings, not the active ones: a focused table's arrow keys would
        otherwise hide the step's own, which the table then acts on in the step's place.
        """
        screen, app = self.screen, self.app
        declared: list[tuple[Screen[object] | App[object], Binding]] = [
            (screen, b) for b in getattr(type(screen), "BINDINGS", ()) if isinstance(b, Binding)
        ]
        declared += [(app, b) for b in app.BINDINGS if isinstance(b, Binding) and b.show]
        shown: list[Key] = []
        groups: dict[Binding.Group, int] = {}  # a group's place in `shown`
        for node, binding in declared:
            if not binding.description:
                continue
            _, name, parameters = parse(binding.action)
            allowed = node.check_action(name, parameters)
            if allowed is False:
                continue  # not on this screen as it is now, as 'Done' while not drawing
            enabled = allowed is not None
            key = binding.key.split(",")[0]
            piece = (app.get_key_display(Binding(key, "")), key)
            group = binding.group
            if group is None:
                shown.append(Key((piece,), binding.description, enabled))
            elif group in groups:
                place = groups[group]
                before = shown[place]
                shown[place] = Key((*before.pieces, piece), group.description, before.enabled or enabled, before.separator)
            else:
                groups[group] = len(shown)
                shown.append(Key((piece,), group.description, enabled, "" if group.compact else " "))
        if app.ENABLE_COMMAND_PALETTE:
            key = app.COMMAND_PALETTE_BINDING
            shown.append(Key(((app.get_key_display(Binding(key, "")), key),), "palette", True))
        return shown

    def render(self) -> Content:
        # Textual's own styles, not Rich's: a theme's colours may be ANSI names ("ansi_magenta")
        # that only Textual's style parser knows.
        parts: list[str | Content] = []
        self._shown = self.keys()
        for number, row in enumerate(lines(self._shown, self.content_region.width or self.app.size.width)):
            if number:
                parts.append("\n")
            for place, item in enumerate(row):
                if place:
                    parts.append(" " * GAP)
                key_style = f"bold $footer-key-foreground{'' if item.enabled else ' dim'}"
                dim = "" if item.enabled else "dim"
                for number_in_group, (shown, key) in enumerate(item.pieces):
                    if number_in_group:
                        parts.append(item.separator)
                    parts.append(Content.styled(shown, key_style).stylize(Style.from_meta({"key": key})))
                description = Content.styled(f" {item.description}", dim)
                if len(item.pieces) == 1:  # the description presses the key too: a wider target
                    description = description.stylize(Style.from_meta({"key": item.pieces[0][1]}))
                parts.append(description)
        return Content.assemble(*parts)

    def on_click(self, event: events.Click) -> None:
        key = event.style.meta.get("key")
        if key is not None:
            event.stop()
            self.app.simulate_key(key)

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(lines(self.keys(), width))
