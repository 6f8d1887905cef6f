"""Traffic for a running service: plausible flowers, or a drifted population, sent one by one.

Plausible flowers are the data set's own, measured again: a random row, each length moved by a
little measuring noise (0.1 cm standard deviation), rounded to the millimetre as the data are.
The drifted populations change one thing each: longer petals (another region's flowers, or a
new measuring habit), another species mix (the same flowers, sent by other people), or sloppier
measuring (more noise). The service answers them all without an error, which is why drift needs
a check of its own. Seeded, so the notebook and the tests send the same flowers every run.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Mapping

import numpy as np
import pandas as pd

from iris_model.data import FEATURES, TARGET

NOISE_CM = 0.1
SMALLEST_CM = 0.1


def plausible(
    population: pd.DataFrame,
    count: int,
    seed: int,
    noise_cm: float = NOISE_CM,
    weights: np.ndarray | None = None,
) -> pd.DataFrame:
    """``count`` flowers like those of ``population`` (the data set), measured again with
    ``noise_cm`` of noise; ``weights`` (one per row, summing to 1) makes some rows likelier."""
    generator = np.random.default_rng(seed)
    rows = population.loc[:, list(FEATURES)].to_numpy(dtype="float64")
    if weights is None:
        picked = rows[generator.integers(0, len(rows), size=count)]
    else:
        picked = rows[generator.choice(len(rows), size=count, p=weights)]
    measured = picked + generator.normal(0, noise_cm, size=picked.shape)
    return pd.DataFrame(np.clip(measured.round(1), SMALLEST_CM, None), columns=list(FEATURES))


def mixed(
    population: pd.DataFrame, count: int, seed: int, shares: Mapping[str, float]
) -> pd.DataFrame:
    """Plausible flowers drawn in another species mix, ``shares`` such as ``{"virginica": 0.6,
    "setosa": 0.2, "versicolor": 0.2}``: each flower looks as before, but who sends them changed.
    ``population`` needs its species column."""
    species = population[TARGET]
    per_row = species.map(shares).fillna(0.0) / species.map(species.value_counts())
    return plausible(population, count, seed, weights=(per_row / per_row.sum()).to_numpy())


def drifted(population: pd.DataFrame, count: int, seed: int, petal_cm: float = 1.5) -> pd.DataFrame:
    """Plausible flowers whose petals are ``petal_cm`` longer."""
    flowers = plausible(population, count, seed)
    flowers["petal_length"] = (flowers["petal_length"] + petal_cm).round(1)
    return flowers


def replay(base_url: str, flowers: pd.DataFrame) -> dict[str, int]:
    """POST each flower to ``base_url/predict``; return how many got each species."""
    counts: dict[str, int] = {}
    for flower in flowers.to_dict(orient="records"):
        request = urllib.request.Request(
            f"{base_url}/predict",
            data=json.dumps(flower).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            species = json.load(response)["species"]
        counts[species] = counts.get(species, 0) + 1
    return dict(sorted(counts.items()))
