"""The headless subcommands of ``gdtui``: each adds its parser and its ``run``."""
