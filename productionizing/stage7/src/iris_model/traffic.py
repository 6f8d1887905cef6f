"""Traffic for a running service: plausible flowers, or a drifted population, sent one by one.

Plausible flowers are the data set's own, measured again: a random row, each length moved by a
little measuring noise (0.1 cm standard deviation), rounded to the millimetre as the data are.
The drifted population is the same with longer petals (say, another region's flowers, or a new
measuring habit): the service answers them all without an error, which is why drift needs a
check of its own. Seeded, so the notebook and the tests send the same flowers every run.
"""

from __future__ import annotations

import json
import urllib.request

import numpy as np
import pandas as pd

from iris_model.data import FEATURES

NOISE_CM = 0.1
SMALLEST_CM = 0.1


def plausible(population: pd.DataFrame, count: int, seed: int) -> pd.DataFrame:
    """``count`` flowers like those of ``population`` (the data set), measured again."""
    generator = np.random.default_rng(seed)
    rows = population.loc[:, list(FEATURES)].to_numpy(dtype="float64")
    picked = rows[generator.integers(0, len(rows), size=count)]
    measured = picked + generator.normal(0, NOISE_CM, size=picked.shape)
    return pd.DataFrame(np.clip(measured.round(1), SMALLEST_CM, None), columns=list(FEATURES))


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
