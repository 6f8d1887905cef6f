"""The command line: it only parses arguments, sets up logging and calls the steps.

Every step reads its inputs from files and writes its outputs to files, so steps can run
separately, be re-run alone, and be scheduled by any tool that runs commands. ``dvc.yaml``
runs them as a DAG: prepare → validate → train → evaluate, and predict. A step touches only the
paths or URLs (``s3://…``) on its command line, so DVC knows what it reads and writes, and it
checks each table it reads against stage 2's schemas: bad data stops the first step that reads
it, and nothing downstream runs on it.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pandera.pandas as pa

from iris_model import data, evaluate, model, schema, storage
from iris_model.config import ConfigError, load_config, save_config
from iris_model.logs import setup_logging

if TYPE_CHECKING:
    from iris_model.artifact import TrainedModel

log = logging.getLogger(__name__)

LOGS = Path("runs/logs")
"""Each step's log file, on the machine that runs it: not inside an output DVC tracks."""


class StepInputError(ValueError):
    """A step's input that fails its checks; the message names the step and the problem."""


def read_input(url: str, table_schema: pa.DataFrameSchema, step: str) -> pd.DataFrame:
    """The table at ``url``, checked against ``table_schema`` before ``step`` uses it."""
    # TODO Exercise 1: read the table with `data.read_table` and `table_schema`: it raises
    # `data.DataError` naming the column, the check and the bad value. Raise that as a
    # `StepInputError` whose message starts with "<step> stopped: ", so the log says which step
    # refused its input and why.
    raise NotImplementedError("Exercise 1 not done yet: cli.read_input")


def read_model(url: str, step: str) -> TrainedModel:
    """The model the train step wrote at ``url``, refused as ``step``'s input if it is not one."""
    # Imported here, not at the top: skops takes most of a second to import, and only the steps
    # that save or load a model should pay for it on every run.
    from iris_model import artifact

    with storage.local_copy(url) as folder:
        try:
            return artifact.load_model(folder)
        except artifact.ArtifactError as refused:
            raise StepInputError(f"{step} stopped: {refused}") from None


def prepare(args: argparse.Namespace) -> None:
    """Split the raw table into train.csv and test.csv with the seed in the configuration."""
    config = load_config(args.config, args.patches)
    raw = read_input(args.data, schema.LABELLED, "prepare")
    train, test = data.split(raw, config["split"]["test_size"], config["seed"])
    storage.write_table(train, storage.join(args.out, "train.csv"))
    storage.write_table(test, storage.join(args.out, "test.csv"))
    log.info("split %d rows into %d for training, %d held out", len(raw), len(train), len(test))


def validate(args: argparse.Namespace) -> None:
    """Check the split before anything trains on it; write what was checked as metrics."""
    tables = {
        name: read_input(storage.join(args.data, f"{name}.csv"), schema.LABELLED, "validate")
        for name in ("train", "test")
    }
    for name, frame in tables.items():
        missing = sorted(set(data.CLASSES) - set(frame[data.TARGET]))
        if missing:
            raise StepInputError(f"validate stopped: {name}.csv has no {', '.join(missing)}")
    storage.write_json({f"{name}_rows": len(frame) for name, frame in tables.items()}, args.out)
    log.info("the split holds every species on both sides")


def train(args: argparse.Namespace) -> None:
    """Fit the pipeline on the training rows and save it with its configuration."""
    from iris_model import artifact  # as in read_model: only this step saves a model

    config = load_config(args.config, args.patches)
    frame = read_input(args.data, schema.LABELLED, "train")
    pipeline = model.train(frame, config)
    metrics = {
        "train_accuracy": evaluate.compute_metrics(pipeline, frame)["accuracy"],
        "cv_accuracy": model.cross_validated_accuracy(frame, config),
    }
    with storage.local_copy(args.data) as data_file, storage.folder_to_upload(args.out) as out:
        save_config(config, out)
        artifact.save_model(pipeline, out, data_path=data_file, metrics=metrics, config=config)
    log.info("trained on %d rows (%s), wrote %s", len(frame), metrics, args.out)


def evaluate_step(args: argparse.Namespace) -> None:
    """Score the saved model on held-out rows; write metrics and plots."""
    trained = read_model(args.model, "evaluate")
    frame = read_input(args.data, schema.LABELLED, "evaluate")
    with storage.folder_to_upload(args.out) as out:
        metrics = evaluate.write_report(trained.pipeline, frame, out)
    log.info("accuracy %.3f, macro F1 %.3f", metrics["accuracy"], metrics["f1_macro"])


def predict(args: argparse.Namespace) -> None:
    """Predict the species of new flowers with the saved model."""
    trained = read_model(args.model, "predict")
    frame = read_input(args.data, schema.MEASUREMENTS, "predict")
    storage.write_table(model.predict(trained.pipeline, frame), args.out)
    log.info("predicted %d flowers, wrote %s", len(frame), args.out)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one step; return 0 on success and 2 for input to fix (one line on stderr)."""
    args = build_parser().parse_args(argv)
    setup_logging(LOGS / f"{args.step}.log")
    try:
        args.run(args)
    except (StepInputError, data.DataError, ConfigError) as error:
        log.error("%s", error)
        return 2
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="iris-model",
        description="Train and use an iris classifier. A path may be a URL (s3://…).",
    )
    steps = parser.add_subparsers(dest="step", required=True, metavar="STEP")

    step = steps.add_parser("prepare", help="split raw data into train.csv and test.csv")
    step.add_argument("--data", required=True, help="raw labelled CSV (a path or a URL)")
    step.add_argument("--out", required=True, help="folder for train.csv, test.csv")
    _add_config_options(step)
    step.set_defaults(run=prepare)

    step = steps.add_parser("validate", help="check the split before anything trains on it")
    step.add_argument("--data", required=True, help="folder written by prepare")
    step.add_argument("--out", required=True, help="JSON file for the rows checked")
    step.set_defaults(run=validate)

    step = steps.add_parser("train", help="fit the model and save it")
    step.add_argument("--data", required=True, help="training CSV")
    step.add_argument("--out", required=True, help="folder for the model")
    _add_config_options(step)
    step.set_defaults(run=train)

    step = steps.add_parser("evaluate", help="score the model on held-out data")
    step.add_argument("--model", required=True, help="folder written by train")
    step.add_argument("--data", required=True, help="held-out labelled CSV")
    step.add_argument("--out", required=True, help="folder for metrics and plots")
    step.set_defaults(run=evaluate_step)

    step = steps.add_parser("predict", help="predict the species of new flowers")
    step.add_argument("--model", required=True, help="folder written by train")
    step.add_argument("--data", required=True, help="CSV of measurements")
    step.add_argument("--out", required=True, help="CSV file for the predictions")
    step.set_defaults(run=predict)
    return parser


def _add_config_options(step: argparse.ArgumentParser) -> None:
    step.add_argument("--config", type=Path, help="YAML file overriding some defaults")
    step.add_argument("patches", nargs="*", metavar="key=value", help="e.g. model.C=0.5")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr (exit status 2), as for bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")
