"""The terminal user interface of gdtui."""
