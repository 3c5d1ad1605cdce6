"""Every key a screen has, at the bottom, on a second line when one is not enough.

Textual's footer keeps to one line and cuts off what does not fit: at 80
columns the Training step lost half its keys. This bar shows every key with a
description that works on the screen now, keys of one group together ('←→
pick'), dimmed when they exist but cannot act yet, and wraps between keys,
never inside one.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.actions import parse
from textual.binding import Binding
from textual.content import Content
from textual.widget import Widget

GAP = 2  # spaces between two keys


@dataclass(frozen=True)
class Key:
    keys: str  # as shown: '←→', '+', 'space'
    description: str
    enabled: bool

    @property
    def width(self) -> int:
        return len(self.keys) + 1 + len(self.description)


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

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, lambda _: self.refresh(layout=True))

    def keys(self) -> list[Key]:
        """The step's own keys, then the app's that are meant to be seen, the command palette last.

        Read from the declared bindings, not the active ones: a focused table's arrow keys would
        otherwise hide the step's own, which the table then acts on in the step's place.
        """
        screen, app = self.screen, self.app
        declared = [(screen, b) for b in getattr(type(screen), "BINDINGS", ()) if isinstance(b, Binding)]
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
            display = app.get_key_display(Binding(binding.key.split(",")[0], ""))
            group = binding.group
            if group is None:
                shown.append(Key(display, binding.description, enabled))
            elif group in groups:
                place = groups[group]
                before = shown[place]
                joined = f"{before.keys}{'' if group.compact else ' '}{display}"
                shown[place] = Key(joined, group.description, before.enabled or enabled)
            else:
                groups[group] = len(shown)
                shown.append(Key(display, group.description, enabled))
        if app.ENABLE_COMMAND_PALETTE:
            shown.append(Key(app.get_key_display(Binding(app.COMMAND_PALETTE_BINDING, "")), "palette", True))
        return shown

    def render(self) -> Content:
        # Textual's own styles, not Rich's: a theme's colours may be ANSI names ("ansi_magenta")
        # that only Textual's style parser knows.
        parts: list[str | tuple[str, str]] = []
        for number, row in enumerate(lines(self.keys(), self.content_region.width or self.app.size.width)):
            if number:
                parts.append("\n")
            for place, item in enumerate(row):
                if place:
                    parts.append(" " * GAP)
                dim = "" if item.enabled else " dim"
                parts.append((item.keys, f"bold $footer-key-foreground{dim}"))
                parts.append((f" {item.description}", dim.strip()))
        return Content.assemble(*parts)

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(lines(self.keys(), width))
