"""AIGC Studio: an interactive playground for small generative models."""

__version__ = "0.1.0"
