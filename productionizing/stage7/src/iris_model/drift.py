"""Has what the service is asked moved away from what the model learnt from? Feature by feature.

Each feature's served values are compared with the training rows by the two-sample
Kolmogorov-Smirnov test (``scipy.stats.ks_2samp``): it needs no bins and no assumed shape,
and its p-value says how surprising the difference would be if nothing had changed. Four
features are four chances of a false alarm, so each test must pass ``alpha / 4`` (Bonferroni):
the chance that any of them fires on unchanged traffic stays below ``alpha``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from scipy.stats import ks_2samp

from iris_model import data, records, schema

ALPHA = 0.01
"""The default chance of a false alarm per check: about one in a hundred unchanged runs."""


@dataclass(frozen=True)
class FeatureDrift:
    """One feature's test: the KS statistic (the largest gap between the two cumulative
    distributions), its p-value, and whether that passes the threshold."""

    feature: str
    statistic: float
    p_value: float
    drifted: bool


def compare(
    reference: pd.DataFrame, served: pd.DataFrame, alpha: float = ALPHA
) -> list[FeatureDrift]:
    """One ``FeatureDrift`` per feature of ``data.FEATURES``, in that order."""
    # Stage 7, exercise 2: for each feature, run `ks_2samp` on the reference column and the
    # served column. A feature has drifted when its p-value is below `alpha` divided by the
    # number of features (Bonferroni: `alpha` is the false-alarm chance of the whole check,
    # not of each test). Return a `FeatureDrift` per feature, with plain floats.
    threshold = alpha / len(data.FEATURES)
    results = []
    for feature in data.FEATURES:
        test = ks_2samp(reference[feature], served[feature])
        results.append(
            FeatureDrift(
                feature=feature,
                statistic=float(test.statistic),
                p_value=float(test.pvalue),
                drifted=bool(test.pvalue < threshold),
            )
        )
    return results


def served_table(paths: Sequence[Path]) -> pd.DataFrame:
    """The inputs the service recorded in ``paths``, checked against the measurement schema."""
    shown = ", ".join(path.as_posix() for path in paths)
    if missing := [path.as_posix() for path in paths if not path.exists()]:
        raise data.DataError(f"{', '.join(missing)} not found: is the service recording there?")
    found = records.read_records(paths)
    if not found:
        raise data.DataError(f"no served records in {shown}: is the service recording?")
    inputs = pd.DataFrame([record.get("inputs", {}) for record in found])
    return data.check_table(inputs, schema.MEASUREMENTS, source=shown)
