"""What a valid table looks like, declared once and enforced wherever data comes in.

The measurements are lengths in centimetres: present, above 0 and below 100 (no flower part
is a metre long, so a larger value is a unit or typing mistake). Species must be known.
"""

from __future__ import annotations

import pandera.pandas as pa

from iris_model.data import CLASSES, FEATURES, TARGET

MAX_CM = 100.0


def measurement_column() -> pa.Column:
    """One measurement: a float above 0 and below ``MAX_CM``, never missing."""
    # Stage 2, exercise 1: return a `pa.Column` of `float` with two checks, `pa.Check.gt(0)` and
    # `pa.Check.lt(MAX_CM)`, and `nullable=False`.
    return pa.Column(float, [pa.Check.gt(0), pa.Check.lt(MAX_CM)], nullable=False)


def species_column() -> pa.Column:
    """The label: one of ``CLASSES``, never missing."""
    # Stage 2, exercise 1: return a `pa.Column` of `str` with the check `pa.Check.isin(CLASSES)` and
    # `nullable=False`.
    return pa.Column(str, pa.Check.isin(CLASSES), nullable=False)


MEASUREMENTS = pa.DataFrameSchema(
    {name: measurement_column() for name in FEATURES}, coerce=True, name="measurements"
)
"""Rows to predict: the four measurements (other columns are kept and not checked)."""

LABELLED = MEASUREMENTS.add_columns({TARGET: species_column()}).set_name("labelled flowers")
"""Rows to train or evaluate on: the measurements and a known species."""
