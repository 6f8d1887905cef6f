"""Stage 7 check: served inputs recorded without failing a request, the drift test and its
threshold, a report that works offline, and a model card filled from the model's metadata."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kit.browser import browser_missing, chromium, offline_context
from kit.paths import DATA

RECORD = pytest.mark.exercise(
    1,
    "Record served inputs, never failing a request: InputRecorder.record",
    hint="the TODO in InputRecorder.record (records.py); notebook: 'Exercise 1 — Record what the "
    "service is asked'; Python's json page (dumps) and the 'Errors and Exceptions' tutorial",
)
DRIFT = pytest.mark.exercise(
    2,
    "The drift test and its threshold: drift.compare",
    hint="the TODO in drift.compare; notebook: 'Exercise 2 — Has it drifted?'; SciPy's "
    "scipy.stats.ks_2samp page; 'Bonferroni correction' in any statistics text",
)
REPORT = pytest.mark.exercise(
    3,
    "A report that works offline: drift_report.feature_section",
    hint="the TODO in drift_report.feature_section; notebook: 'Exercise 3 — A report anyone can "
    "open'; Python's base64 page; MDN's page on data: URLs",
)
CARD = pytest.mark.exercise(
    4,
    "The model card from the model's metadata: card.fill_card",
    hint="the TODO in card.fill_card; notebook: 'Exercise 4 — The model card'; skops' 'Model "
    "cards' user guide (Card.add, Card.add_metrics)",
)

FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
CLASSES = ("setosa", "versicolor", "virginica")
SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
VIRGINICA = {"sepal_length": 6.7, "sepal_width": 3.0, "petal_length": 5.8, "petal_width": 2.2}


class StandInModel:
    """Setosa below 2.5 cm of petal, virginica above."""

    classes = CLASSES
    metadata = {"name": "stand-in", "version": "7.0.0"}  # noqa: RUF012 (read only)

    def predict_proba(self, rows: np.ndarray) -> np.ndarray:
        virginica = np.asarray(rows)[:, 2] > 2.5
        return np.column_stack([~virginica, np.zeros(len(rows)), virginica]).astype(float)


@pytest.fixture(scope="session")
def iris() -> pd.DataFrame:
    return pd.read_csv(DATA / "iris.csv")


@pytest.fixture(scope="session")
def reference(iris: pd.DataFrame) -> pd.DataFrame:
    """The training rows, as `prepare` splits them."""
    from sklearn.model_selection import train_test_split

    train, _ = train_test_split(iris, test_size=0.3, random_state=42, stratify=iris["species"])
    return train


def _plausible(iris: pd.DataFrame, count: int, seed: int, petal_cm: float = 0.0) -> pd.DataFrame:
    """Flowers of the data set measured again (0.1 cm of noise), petals longer by petal_cm."""
    generator = np.random.default_rng(seed)
    rows = iris.loc[:, list(FEATURES)].to_numpy()[generator.integers(0, len(iris), size=count)]
    rows = (rows + generator.normal(0, 0.1, size=rows.shape)).clip(0.1).round(1)
    rows[:, 2] += petal_cm
    return pd.DataFrame(rows, columns=list(FEATURES))


@pytest.fixture
def recording_app(load, tmp_path: Path):
    app = load("app").create_app({"RECORDS_DIR": str(tmp_path / "records")}, model=StandInModel())
    yield app
    recorder = app.extensions.get("iris_model.recorder")
    if recorder is not None:
        recorder.close()


def _lines(folder: Path) -> list[dict]:
    return [
        json.loads(line)
        for file in sorted(folder.glob("served-*.jsonl"))
        for line in file.read_text().splitlines()
    ]


@RECORD
def test_each_prediction_is_recorded_as_one_json_line(recording_app, tmp_path: Path):
    client = recording_app.test_client()
    single = client.post("/predict", json=SETOSA)
    batch = client.post("/predict/batch", json={"instances": [SETOSA, VIRGINICA]})
    assert (single.status_code, batch.status_code) == (200, 200), (
        f"expected 200 for /predict and /predict/batch while recording, got "
        f"{single.status_code} and {batch.status_code}"
    )
    records = _lines(tmp_path / "records")
    assert len(records) == 3, f"expected one line per flower (3), got {len(records)}"
    assert [r.get("inputs") for r in records] == [SETOSA, SETOSA, VIRGINICA], (
        f"expected each line's `inputs` to be the flower, got {[r.get('inputs') for r in records]}"
    )
    species = [r.get("species") for r in records]
    assert species == ["setosa", "setosa", "virginica"], (
        f"expected each line's `species` to be the answer, got {species}"
    )
    assert {r.get("model_version") for r in records} == {"7.0.0"}, (
        f"expected `model_version` 7.0.0 on every line, got {records[0].get('model_version')!r}"
    )
    assert all(isinstance(r.get("time"), str) and "T" in r["time"] for r in records), (
        f"expected `time` as ISO 8601 text, got {records[0].get('time')!r}"
    )


@RECORD
def test_a_record_that_cannot_be_written_does_not_fail_the_request(
    recording_app, tmp_path: Path, caplog
):
    (tmp_path / "records").write_text("a file where the folder should be")
    with caplog.at_level(logging.WARNING):
        answer = recording_app.test_client().post("/predict", json=SETOSA)
    assert answer.status_code == 200, (
        f"expected 200 when the record cannot be written (the folder is a file), got "
        f"{answer.status_code}: the caller must get an answer anyway"
    )
    failures = recording_app.extensions["iris_model.recorder"].failures
    assert failures == 1, f"expected `failures` to count the lost record (1), got {failures}"
    warned = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert warned, "expected a warning in the log about the lost record, got none"


@DRIFT
def test_plausible_traffic_is_not_drift(load, iris, reference):
    compare = load("drift").compare
    alarms = [
        seed
        for seed in range(5)
        if any(r.drifted for r in compare(reference, _plausible(iris, 200, seed), 0.01))
    ]
    assert not alarms, f"expected no drift in plausible traffic, got drift for seeds {alarms}"


@DRIFT
def test_longer_petals_are_drift_in_petal_length_only(load, iris, reference):
    results = load("drift").compare(reference, _plausible(iris, 200, 7, petal_cm=1.5), 0.01)
    assert [r.feature for r in results] == list(FEATURES), (
        f"expected one result per feature in {FEATURES}, got {[r.feature for r in results]}"
    )
    drifted = [r.feature for r in results if r.drifted]
    assert drifted == ["petal_length"], f"expected drift in petal_length only, got {drifted}"
    result = results[2]
    assert 0.3 < result.statistic <= 1 and result.p_value < 1e-6, (
        f"expected the KS statistic and its p-value, got {result.statistic}, {result.p_value}"
    )


@DRIFT
def test_the_threshold_is_alpha_shared_by_the_four_features(load, reference):
    from scipy.stats import ks_2samp

    served = reference.assign(petal_length=reference["petal_length"] + 0.2)
    p_value = ks_2samp(reference["petal_length"], served["petal_length"]).pvalue
    between = 2 * p_value  # p < alpha, but p > alpha / 4
    results = load("drift").compare(reference, served, between)
    assert not any(r.drifted for r in results), (
        f"expected no drift with alpha={between:.3g} and a p-value of {p_value:.3g}: each of the "
        "four tests must pass alpha / 4, so the whole check alarms at most alpha of the time"
    )


@pytest.fixture(scope="session")
def report(load, iris, reference, tmp_path_factory) -> Path:
    """A report written by the target from results made here (exercise 2 not needed)."""
    result = load("drift").FeatureDrift
    served = _plausible(iris, 100, 3, petal_cm=1.5)
    results = [
        result(feature, 0.5 if feature == "petal_length" else 0.05, 0.5, feature == "petal_length")
        for feature in FEATURES
    ]
    out = tmp_path_factory.mktemp("report") / "drift.html"
    load("drift_report").write_report(results, reference, served, out, 0.01)
    return out


@REPORT
def test_the_report_holds_a_plot_per_feature_inside_the_page(report: Path):
    page = report.read_text(encoding="utf-8")
    sources = re.findall(r"<img[^>]*\ssrc=['\"]([^'\"]*)['\"]", page)
    assert len(sources) == len(FEATURES), (
        f"expected one <img> per feature ({len(FEATURES)}), got {len(sources)}"
    )
    outside = [source[:60] for source in sources if not source.startswith("data:image/png;base64,")]
    assert not outside, f"expected every plot as a data:image/png;base64 URI, got {outside}"
    for feature in FEATURES:
        assert feature in page, f"expected the page to name {feature}, got no mention"


@REPORT
def test_the_report_shows_offline_in_a_browser(report: Path):
    if why := browser_missing():
        pytest.skip(why)
    with chromium() as browser:
        context, outside = offline_context(browser)
        page = context.new_page()
        page.goto(report.as_uri())
        text = page.evaluate("document.body.innerText.trim()")
        broken = page.evaluate(
            "[...document.images].filter(i => !i.complete || i.naturalWidth === 0).length"
        )
        shown = page.evaluate("document.images.length")
        context.close()
    assert text, "expected text on the page, got a blank page"
    assert shown == len(FEATURES) and not broken, (
        f"expected {len(FEATURES)} images shown, got {shown - broken} of {shown}"
    )
    assert not outside, f"expected no request to leave the machine, got {outside[:2]}"


@pytest.fixture(scope="session")
def trained(load, tmp_path_factory) -> Path:
    """prepare, then train with the held-out rows, as the Dockerfile does (in this process:
    a new interpreter would spend seconds importing what the check has loaded already)."""
    out = tmp_path_factory.mktemp("trained")
    steps = [
        ["prepare", "--data", DATA / "iris.csv", "--out", out / "data"],
        ["train", "--data", out / "data/train.csv", "--held-out", out / "data/test.csv"],
    ]
    steps[1] += ["--out", out / "model"]
    package_log = logging.getLogger("iris_model")
    try:
        for step in steps:
            try:
                status = load("cli").main([str(part) for part in step])
            except Exception as error:
                pytest.fail(f"expected `iris-model {step[0]}` to succeed, got {error!r}")
            assert status == 0, f"expected `iris-model {step[0]}` to exit 0, got {status}"
    finally:
        for handler in list(package_log.handlers):
            package_log.removeHandler(handler)
            handler.close()
    return out / "model"


@CARD
def test_the_card_holds_the_models_facts(trained: Path):
    card = (trained / "model_card.md").read_text(encoding="utf-8")
    metadata = json.loads((trained / "metadata.json").read_text())
    for key in ("data_sha256", "model_sha256"):
        assert metadata[key] in card, f"expected the card to give {key}, got it missing"
    missing = [name for name, value in metadata["metrics"].items() if str(value) not in card]
    assert "held_out_accuracy" in metadata["metrics"] and not missing, (
        f"expected every metric, held-out ones included, in the card, got {missing} missing"
    )
    versions = [f"{name} {version}" for name, version in metadata["versions"].items()]
    absent = [line for line in versions if line not in card]
    assert not absent, f"expected every library version in the card, got {absent} missing"


@CARD
def test_the_card_says_what_it_is_not_for_and_whom_to_tell(trained: Path):
    card = (trained / "model_card.md").read_text(encoding="utf-8")
    assert "[More Information Needed]" not in card, (
        "expected every section filled, got '[More Information Needed]' left in the card"
    )
    for heading in ("## Intended uses & limitations", "# Model Card Contact"):
        assert heading in card, f"expected the section '{heading.lstrip('# ')}', got none"
    assert "Not for" in card, "expected the card to say what the model is not for, got nothing"


@CARD
def test_the_api_serves_the_card(load, trained: Path):
    client = load("app").create_app({"MODEL_DIR": str(trained)}).test_client()
    answer = client.get("/model/card")
    assert answer.status_code == 200, f"expected 200 from /model/card, got {answer.status_code}"
    expected = (trained / "model_card.md").read_text(encoding="utf-8")
    assert answer.get_data(as_text=True) == expected, "expected /model/card to be the card's text"
