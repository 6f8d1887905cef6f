"""The command line: it only parses arguments, sets up logging and calls the steps.

Every step reads its inputs from files and writes its outputs to files, so steps can run
separately, be re-run alone, and be scheduled by any tool that runs commands.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path

from iris_model import artifact, data, evaluate, model, schema
from iris_model.config import ConfigError, load_config, save_config
from iris_model.logs import setup_logging

log = logging.getLogger(__name__)


def prepare(args: argparse.Namespace) -> None:
    """Split the raw table into train.csv and test.csv with a fixed seed."""
    config = load_config(args.config, args.patches)
    raw = data.read_table(args.data, schema.LABELLED)
    save_config(config, args.out)
    train, test = data.split(raw, config["split"]["test_size"], config["seed"])
    data.write_table(train, args.out / "train.csv")
    data.write_table(test, args.out / "test.csv")
    log.info("split %d rows into %d for training, %d held out", len(raw), len(train), len(test))


def train(args: argparse.Namespace) -> None:
    """Fit the pipeline on the training rows and save it with its configuration."""
    config = load_config(args.config, args.patches)
    frame = data.read_table(args.data, schema.LABELLED)
    save_config(config, args.out)
    pipeline = model.train(frame, config)
    metrics = {
        "train_accuracy": evaluate.compute_metrics(pipeline, frame)["accuracy"],
        "cv_accuracy": model.cross_validated_accuracy(frame, config),
    }
    artifact.save_model(pipeline, args.out, data_path=args.data, metrics=metrics, config=config)
    path = args.out / artifact.MODEL_FILE
    log.info("trained on %d rows (%s), wrote %s", len(frame), metrics, path.as_posix())


def evaluate_step(args: argparse.Namespace) -> None:
    """Score the saved model on held-out rows; write metrics and plots."""
    trained = artifact.load_model(args.model)
    frame = data.read_table(args.data, schema.LABELLED)
    metrics = evaluate.write_report(trained.pipeline, frame, args.out)
    log.info("accuracy %.3f, macro F1 %.3f", metrics["accuracy"], metrics["f1_macro"])


def predict(args: argparse.Namespace) -> None:
    """Predict the species of new flowers with the saved model."""
    trained = artifact.load_model(args.model)
    frame = data.read_table(args.data, schema.MEASUREMENTS)
    data.write_table(model.predict(trained.pipeline, frame), args.out)
    log.info("predicted %d flowers, wrote %s", len(frame), args.out.as_posix())


def main(argv: Sequence[str] | None = None) -> int:
    """Run one step; return 0 on success and 2 for input to fix (one line on stderr)."""
    args = build_parser().parse_args(argv)
    log_folder = args.out.parent if args.step == "predict" else args.out
    setup_logging(log_folder / f"{args.step}.log")
    try:
        args.run(args)
    except (data.DataError, ConfigError, artifact.ArtifactError) as error:
        log.error("%s", error)
        return 2
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="iris-model", description="Train and use an iris classifier.")
    steps = parser.add_subparsers(dest="step", required=True, metavar="STEP")

    step = steps.add_parser("prepare", help="split raw data into train.csv and test.csv")
    step.add_argument("--data", type=Path, required=True, help="raw labelled CSV")
    step.add_argument("--out", type=Path, required=True, help="folder for train.csv, test.csv")
    _add_config_options(step)
    step.set_defaults(run=prepare)

    step = steps.add_parser("train", help="fit the model and save it")
    step.add_argument("--data", type=Path, required=True, help="training CSV")
    step.add_argument("--out", type=Path, required=True, help="folder for the model")
    _add_config_options(step)
    step.set_defaults(run=train)

    step = steps.add_parser("evaluate", help="score the model on held-out data")
    step.add_argument("--model", type=Path, required=True, help="folder written by train")
    step.add_argument("--data", type=Path, required=True, help="held-out labelled CSV")
    step.add_argument("--out", type=Path, required=True, help="folder for metrics and plots")
    step.set_defaults(run=evaluate_step)

    step = steps.add_parser("predict", help="predict the species of new flowers")
    step.add_argument("--model", type=Path, required=True, help="folder written by train")
    step.add_argument("--data", type=Path, required=True, help="CSV of measurements")
    step.add_argument("--out", type=Path, required=True, help="CSV file for the predictions")
    step.set_defaults(run=predict)
    return parser


def _add_config_options(step: argparse.ArgumentParser) -> None:
    step.add_argument("--config", type=Path, help="YAML file overriding some defaults")
    step.add_argument("patches", nargs="*", metavar="key=value", help="e.g. model.C=0.5")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr (exit status 2), as for bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")
