"""gdtui: learn how a neural network learns by gradient descent, in the terminal."""

__version__ = "0.1.0"
