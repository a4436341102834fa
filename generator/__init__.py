"""Risk-On Monitor: a static weekly report on risk appetite across small caps and crypto."""

__version__ = "0.1.0"
