"""Has what the service is asked moved away from what the model learnt from? Two tests.

What it is asked, feature by feature: each feature's served values are compared with the
training rows by the two-sample Kolmogorov-Smirnov test (``scipy.stats.ks_2samp``): it needs
no bins and no assumed shape, and its p-value says how surprising the difference would be if
nothing had changed. Four features are four chances of a false alarm, so each test must pass
``alpha / 4`` (Bonferroni): the chance that any of them fires on unchanged traffic stays below
``alpha``.

What it answers: the species mix of the served answers against the mix it answered on the
held-out rows (a chi-square test of goodness of fit). Testing the model's outputs catches a
change in who sends flowers far sooner than the four feature tests do (Rabanser, Günnemann and
Lipton, "Failing Loudly", 2019); the notebook's power table measures by how much.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from scipy.stats import chisquare, ks_2samp

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
    # Stage 7, exercise 3: for each feature, run `ks_2samp` on the reference column and the
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


@dataclass(frozen=True)
class AnswerDrift:
    """The test of what the model answers: each species' share of the reference answers, how
    many served answers each species got, the chi-square statistic, its p-value, the verdict."""

    expected_shares: dict[str, float]
    served_counts: dict[str, int]
    statistic: float
    p_value: float
    drifted: bool


def compare_answers(
    reference: Sequence[str], served: Sequence[str], alpha: float = ALPHA
) -> AnswerDrift:
    """Is the species mix of ``served`` answers the mix of the ``reference`` answers (the
    model's answers on its labelled rows, training and held-out: every species is among them)?"""
    # Stage 7, exercise 3: count each species of `data.CLASSES` in the reference answers and
    # in the served ones (`collections.Counter`). The counts you would expect in the served
    # answers are the reference's shares times the number of served answers;
    # `scipy.stats.chisquare` compares the served counts with them (`f_obs`, `f_exp`, species in
    # the same order). The mix has drifted when its p-value is below `alpha` (one test, so no
    # Bonferroni here). Return an `AnswerDrift`, with plain numbers.
    reference_counts, served_counts = Counter(reference), Counter(served)
    shares = {species: reference_counts[species] / len(reference) for species in data.CLASSES}
    observed = {species: served_counts[species] for species in data.CLASSES}
    test = chisquare(list(observed.values()), [share * len(served) for share in shares.values()])
    return AnswerDrift(
        expected_shares=shares,
        served_counts=observed,
        statistic=float(test.statistic),
        p_value=float(test.pvalue),
        drifted=bool(test.pvalue < alpha),
    )


def served_answers(paths: Sequence[Path]) -> list[str]:
    """The species the service answered, one per record in ``paths``."""
    return [str(record.get("species")) for record in records.read_records(paths)]


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
