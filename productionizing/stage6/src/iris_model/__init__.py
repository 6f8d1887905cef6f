"""Train and use an iris classifier: ``iris-model --help``, or import the functions."""

__version__ = "1.0.0"
