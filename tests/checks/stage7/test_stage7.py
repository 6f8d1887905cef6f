"""Stage 7 check: a model card filled from the model's metadata, served inputs recorded in UTC
without failing a request, the drift tests (inputs and answers) and their thresholds, and a
report whose plots are PNG data inside the page."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import re
import struct
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kit.browser import browser_missing, chromium, offline_context
from kit.example_flowers import SETOSA, VIRGINICA
from kit.paths import IRIS

CARD = pytest.mark.exercise(
    1,
    "The model card from the model's metadata: card.fill_card",
    hint="the TODO in card.fill_card; notebook: 'Exercise 1 — The model card'; skops' 'Model "
    "cards' user guide (Card.add, Card.add_metrics)",
)
RECORD = pytest.mark.exercise(
    2,
    "Record served inputs, never failing a request: InputRecorder.record",
    hint="the TODO in InputRecorder.record (records.py); notebook: 'Exercise 2 — Record what the "
    "service is asked'; Python's json page (dumps) and the 'Errors and Exceptions' tutorial",
)
DRIFT = pytest.mark.exercise(
    3,
    "The drift tests and their thresholds: drift.compare, drift.compare_answers",
    hint="the TODOs in drift.compare and drift.compare_answers; notebook: 'Exercise 3 — Has it "
    "drifted?'; SciPy's scipy.stats.ks_2samp and scipy.stats.chisquare pages; 'Bonferroni "
    "correction' in any statistics text",
)
REPORT = pytest.mark.exercise(
    4,
    "A report that works offline: drift_report.feature_section",
    hint="the TODO in drift_report.feature_section; notebook: 'Exercise 4 — A report anyone can "
    "open'; Python's base64 page; MDN's page on data: URLs",
)

FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
CLASSES = ("setosa", "versicolor", "virginica")


class StandInModel:
    """Setosa below 2.5 cm of petal, virginica above."""

    classes = CLASSES
    metadata = {"name": "stand-in", "version": "7.0.0"}  # noqa: RUF012 (read only)

    def predict_proba(self, rows: np.ndarray) -> np.ndarray:
        virginica = np.asarray(rows)[:, 2] > 2.5
        return np.column_stack([~virginica, np.zeros(len(rows)), virginica]).astype(float)


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


@pytest.fixture(scope="session")
def trained(load, tmp_path_factory) -> Path:
    """prepare, then train with the held-out rows, as the Dockerfile does (in this process:
    a new interpreter would spend seconds importing what the check has loaded already)."""
    out = tmp_path_factory.mktemp("trained")
    steps = [
        ["prepare", "--data", IRIS, "--out", out / "data"],
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


TIME_ZONES = ("Europe/Paris", "America/New_York", "Asia/Kolkata")
"""Where a service may run: the record's time must not depend on the machine's zone."""


@pytest.fixture
def time_zone(note: Callable[[str], None]) -> Iterator[Callable[[str], None]]:
    """``time_zone("Europe/Paris")`` runs the rest of the test as if ``TZ`` were set so; the
    check's own zone is put back after."""
    if not hasattr(time, "tzset"):  # Windows: a running process cannot change its zone
        note("time zones: only this machine's own was tried (TZ cannot change here)")
        yield lambda name: None
        return
    before = os.environ.get("TZ")

    def set_zone(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()

    yield set_zone
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@RECORD
def test_each_record_is_stamped_in_utc_with_its_offset_under_any_time_zone(
    load, tmp_path: Path, time_zone
):
    for zone in TIME_ZONES:
        time_zone(zone)
        folder = tmp_path / zone.replace("/", "-")
        app = load("app").create_app({"RECORDS_DIR": str(folder)}, model=StandInModel())
        try:
            asked = datetime.now(UTC)
            app.test_client().post("/predict", json=SETOSA)
        finally:
            app.extensions["iris_model.recorder"].close()
        stamp = (_lines(folder) or [{}])[0].get("time")
        try:
            when = datetime.fromisoformat(stamp)
        except (TypeError, ValueError):
            pytest.fail(f"expected `time` as ISO 8601 text under TZ={zone}, got {stamp!r}")
        assert when.utcoffset() is not None, (
            f"expected `time` with its UTC offset (…+00:00), got {stamp!r} under TZ={zone}: "
            "without an offset, nobody reading the record can tell which clock it is"
        )
        assert when.utcoffset() == timedelta(0), (
            f"expected `time` in UTC (offset +00:00), got {stamp!r} under TZ={zone}: the "
            "machine's local time, so two servers in two zones would disagree"
        )
        assert abs(when - asked) < timedelta(minutes=5), (
            f"expected `time` to be the moment of the request ({asked.isoformat()}), got "
            f"{stamp!r} under TZ={zone}: local time labelled as UTC?"
        )


@RECORD
def test_a_record_that_cannot_be_written_does_not_fail_the_request(
    recording_app, tmp_path: Path, caplog
):
    (tmp_path / "records").write_text("a file where the folder should be")
    with caplog.at_level(logging.WARNING):
        client = recording_app.test_client()
    answer = client.post("/predict", json=SETOSA)
    assert answer.status_code == 200, (
        f"expected 200 when the record cannot be written (the folder is a file), got "
        f"{answer.status_code}: the caller must get an answer anyway"
    )
    failures = recording_app.extensions["iris_model.recorder"].failures
    assert failures == 1, f"expected `failures` to count the lost record (1), got {failures}"
    batch = client.post("/predict/batch", json={"instances": [SETOSA, VIRGINICA]})
    assert batch.status_code == 200, (
        f"expected 200 for a batch whose records cannot be written, got {batch.status_code}"
    )
    failures = recording_app.extensions["iris_model.recorder"].failures
    assert failures == 3, (
        f"expected `failures` to count every lost line (1, then 2 for a batch of 2: 3), got "
        f"{failures}"
    )
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


def _answers(counts: dict[str, int]) -> list[str]:
    """Answers in a shuffled order: ``{"setosa": 2, "virginica": 1}`` → three species."""
    answers = [species for species, count in counts.items() for _ in range(count)]
    np.random.default_rng(0).shuffle(answers)
    return answers


EVEN_ANSWERS = _answers({"setosa": 50, "versicolor": 50, "virginica": 50})
"""What the model answers on the labelled rows, near enough: a third of each species."""


def _compare_answers(load, reference: list[str], served: list[str], alpha: float):
    """The target's ``compare_answers``; a library's error becomes what the code did."""
    compare_answers = load("drift").compare_answers
    try:
        return compare_answers(reference, served, alpha)
    except (ValueError, ZeroDivisionError, KeyError) as error:
        said = (str(error).strip().splitlines() or [""])[0]
        pytest.fail(
            f"expected compare_answers to compare the {len(served)} served answers with expected "
            f"counts that add up to {len(served)} too (each species' share of the reference "
            "answers times that number, the species in the same order as the served counts); "
            f"inside it, {type(error).__name__}: {said[:90]}"
        )


@DRIFT
def test_a_species_mix_of_60_percent_virginica_is_drift_in_what_the_model_answers(load):
    served = _answers({"setosa": 20, "versicolor": 20, "virginica": 60})
    result = _compare_answers(load, EVEN_ANSWERS, served, 0.01)
    assert result.drifted, (
        f"expected drift when 60 of 100 answers are virginica against a third in the reference, "
        f"got none (p-value {result.p_value:.3g})"
    )
    assert result.served_counts == {"setosa": 20, "versicolor": 20, "virginica": 60}, (
        f"expected `served_counts` per species, got {result.served_counts}"
    )
    shares = {name: round(share, 3) for name, share in result.expected_shares.items()}
    assert shares == {"setosa": 0.333, "versicolor": 0.333, "virginica": 0.333}, (
        f"expected `expected_shares`, each species' share of the reference answers, got {shares}"
    )


@DRIFT
def test_the_same_mix_is_not_drift_and_every_species_is_counted(load):
    served = _answers({"setosa": 34, "versicolor": 33, "virginica": 33})
    result = _compare_answers(load, EVEN_ANSWERS, served, 0.01)
    assert not result.drifted and result.p_value > 0.5, (
        f"expected no drift for 34/33/33 answers against a third each, got drifted="
        f"{result.drifted} (p-value {result.p_value:.3g})"
    )
    only_setosa = _compare_answers(load, EVEN_ANSWERS, _answers({"setosa": 30}), 0.01)
    assert only_setosa.served_counts == {"setosa": 30, "versicolor": 0, "virginica": 0}, (
        f"expected a count for every species, 0 for those never answered, got "
        f"{only_setosa.served_counts}"
    )
    assert only_setosa.drifted, "expected drift when every served answer is setosa, got none"


@DRIFT
def test_the_answers_are_compared_species_by_species(load):
    reference = _answers({"setosa": 90, "versicolor": 30, "virginica": 30})
    served = _answers({"setosa": 20, "versicolor": 60, "virginica": 20})
    result = _compare_answers(load, reference, served, 0.01)
    assert result.drifted, (
        "expected drift when setosa falls from 60 % of the reference answers to 20 % and "
        f"versicolor rises from 20 % to 60 %, got none (p-value {result.p_value:.3g}): are the "
        "counts matched by species, or by their rank?"
    )


@DRIFT
def test_the_answers_threshold_is_alpha_itself(load):
    served = _answers({"setosa": 25, "versicolor": 30, "virginica": 45})
    p_value = _compare_answers(load, EVEN_ANSWERS, served, 0.01).p_value
    assert 0 < p_value < 1, f"expected a p-value between 0 and 1, got {p_value}"
    above = _compare_answers(load, EVEN_ANSWERS, served, p_value * 1.01)
    at = _compare_answers(load, EVEN_ANSWERS, served, p_value)
    assert above.drifted and not at.drifted, (
        f"expected drift for a p-value of {p_value:.3g} below alpha={p_value * 1.01:.3g}, and "
        f"none at alpha={p_value:.3g}: one test, its threshold is alpha (got drifted="
        f"{above.drifted}, then {at.drifted})"
    )


@pytest.fixture(scope="session")
def report(load, iris, reference, tmp_path_factory) -> Path:
    """A report written by the target from results made here (exercise 3 not needed)."""
    result = load("drift").FeatureDrift
    served = _plausible(iris, 100, 3, petal_cm=1.5)
    results = [
        result(feature, 0.5 if feature == "petal_length" else 0.05, 0.5, feature == "petal_length")
        for feature in FEATURES
    ]
    answers = load("drift").AnswerDrift(
        {"setosa": 0.34, "versicolor": 0.33, "virginica": 0.33},
        {"setosa": 20, "versicolor": 20, "virginica": 60},
        20.0,
        0.0001,
        True,
    )
    out = tmp_path_factory.mktemp("report") / "drift.html"
    load("drift_report").write_report(results, answers, reference, served, out, 0.01)
    return out


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
URI_START = "data:image/png;base64,"


@REPORT
def test_the_report_holds_a_plot_per_feature_inside_the_page(report: Path):
    page = report.read_text(encoding="utf-8")
    sources = re.findall(r"<img[^>]*\ssrc=['\"]([^'\"]*)['\"]", page)
    assert len(sources) == len(FEATURES), (
        f"expected one <img> per feature ({len(FEATURES)}), got {len(sources)}"
    )
    outside = [source[:60] for source in sources if not source.startswith(URI_START)]
    assert not outside, f"expected every plot as a data:image/png;base64 URI, got {outside}"
    for feature in FEATURES:
        assert feature in page, f"expected the page to name {feature}, got no mention"


@REPORT
def test_each_plot_in_the_page_is_a_png_image_of_its_own(report: Path):
    """What a browser would show, read without one: the text after the comma decodes as
    base64 to PNG bytes (signature, then a header with the image's size)."""
    page = report.read_text(encoding="utf-8")
    sources = re.findall(r"<img[^>]*\ssrc=(['\"])(.*?)\1", page, flags=re.DOTALL)
    images = []
    for _, source in sources:
        text = source.removeprefix(URI_START)
        try:
            image = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            pytest.fail(
                f"expected base64 text after 'data:image/png;base64,', got {text[:40]!r}…: "
                "text a browser cannot decode (the bytes' Python repr, or another alphabet?)"
            )
        assert image.startswith(PNG_SIGNATURE), (
            f"expected PNG data (it starts {PNG_SIGNATURE!r}), got {image[:8]!r} "
            f"({len(image)} bytes): is the figure saved as PNG, and the buffer read from its start?"
        )
        width, height = struct.unpack(">II", image[16:24])
        assert width >= 100 and height >= 50, (
            f"expected a plot of at least 100 by 50 pixels, got {width} by {height}"
        )
        images.append(image)
    assert len(set(images)) == len(FEATURES), (
        f"expected {len(FEATURES)} different plots, one per feature, got {len(set(images))}"
    )


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
