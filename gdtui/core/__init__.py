"""The math of gdtui: data, network, costs and training. Knows nothing of the UI."""
