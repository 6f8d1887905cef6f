"""Train and use an iris classifier from the command line: ``python -m iris_model --help``."""
