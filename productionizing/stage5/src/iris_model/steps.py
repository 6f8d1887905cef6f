"""The pipeline's steps, one command each: ``python -m iris_model.steps STEP ...``.

``dvc.yaml`` runs them as a DAG: prepare → validate → train → evaluate, and score. A step's
only inputs and outputs are the files (or ``s3://`` URLs) on its command line, so DVC knows
what each step reads and writes and re-runs only the steps whose inputs changed. Every step
checks what it reads against stage 2's schemas: bad data stops the pipeline at the first step
that reads it, and nothing downstream runs on it.
"""

from __future__ import annotations

import argparse
import logging
import sys
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

# Named, not __name__: run as `python -m iris_model.steps` this module is "__main__", outside
# the "iris_model" logger that setup_logging configures.
log = logging.getLogger("iris_model.steps")

LOGS = Path("runs/logs")
"""Each step's log file, on the machine that runs it (not an output DVC tracks)."""


class StepInputError(ValueError):
    """A step's input that fails its checks; the message names the step and the problem."""


def read_input(url: str, table_schema: pa.DataFrameSchema, step: str) -> pd.DataFrame:
    """The table at ``url``, checked against ``table_schema`` before ``step`` uses it."""
    # Stage 5, exercise 1: read the table with `data.read_table` and `table_schema`: it raises
    # `data.DataError` naming the column, the check and the bad value. Raise that as a
    # `StepInputError` whose message starts with "<step> stopped: ", so the log says which step
    # refused its input and why.
    try:
        return data.read_table(url, table_schema)
    except data.DataError as error:
        raise StepInputError(f"{step} stopped: {error}") from None


def read_model(url: str, step: str) -> TrainedModel:
    """The model the train step wrote at ``url``, refused as ``step``'s input if it is not one."""
    # Imported here, not at the top: skops takes most of a second to import, and only the steps
    # that save or load a model should pay for it on every run.
    from iris_model import artifact

    with storage.local_copy(url) as folder:
        try:
            return artifact.load_model(folder)
        except artifact.ArtifactError as error:
            raise StepInputError(f"{step} stopped: {error}") from None


def prepare(args: argparse.Namespace) -> None:
    """Split the raw table into ``train.csv`` and ``test.csv`` with the seed in the params."""
    config = load_config(args.params)
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
    """Fit the pipeline on the training rows; save it with its metrics and configuration."""
    from iris_model import artifact  # as in read_model: only this step saves a model

    config = load_config(args.params)
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
    """Score the model on the held-out rows; write the metrics and the plots."""
    trained = read_model(args.model, "evaluate")
    frame = read_input(args.data, schema.LABELLED, "evaluate")
    with storage.folder_to_upload(args.out) as out:
        metrics = evaluate.write_report(trained.pipeline, frame, out)
    log.info("accuracy %.3f, macro F1 %.3f", metrics["accuracy"], metrics["f1_macro"])


def score(args: argparse.Namespace) -> None:
    """Predict the species of a batch of new flowers."""
    trained = read_model(args.model, "score")
    frame = read_input(args.data, schema.MEASUREMENTS, "score")
    storage.write_table(model.predict(trained.pipeline, frame), args.out)
    log.info("scored %d flowers, wrote %s", len(frame), args.out)


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
    parser = argparse.ArgumentParser(prog="python -m iris_model.steps")
    steps = parser.add_subparsers(dest="step", required=True, metavar="STEP")
    for name, run, help_text, options in (
        ("prepare", prepare, "split the raw table", ("params", "data", "out")),
        ("validate", validate, "check the split", ("data", "out")),
        ("train", train, "fit and save the model", ("params", "data", "out")),
        ("evaluate", evaluate_step, "score the model on held-out rows", ("model", "data", "out")),
        ("score", score, "predict a batch of new flowers", ("model", "data", "out")),
    ):
        step = steps.add_parser(name, help=help_text)
        for option in options:
            kind = Path if option == "params" else str
            step.add_argument(f"--{option}", type=kind, required=True, help=OPTIONS[option])
        step.set_defaults(run=run)
    return parser


OPTIONS = {
    "params": "the versioned parameters (params.yaml)",
    "data": "the input table, or the folder of tables (a path or a URL such as s3://…)",
    "model": "the folder the train step wrote (a path or a URL)",
    "out": "where the step writes (a path or a URL)",
}

if __name__ == "__main__":
    sys.exit(main())
