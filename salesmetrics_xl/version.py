"""This package's version, in a module of its own: the add-in's faces read it without importing the package's
``__init__`` (which imports them for the ribbon button: a loop)."""

__version__ = "0.1.0"
