"""One module per step of the lesson."""
