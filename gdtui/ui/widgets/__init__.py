"""Widgets of the gdtui interface."""
