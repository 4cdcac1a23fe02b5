"""Charter: governance as code for open-source projects."""

__version__ = "0.1.0"
