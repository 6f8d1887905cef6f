"""The command line: it only parses arguments, sets up logging and calls the steps.

Every step reads its inputs from files and writes its outputs to files, so steps can run
separately, be re-run alone, and be scheduled by any tool that runs commands. ``drift`` exits
with status 1 when the served inputs or the answers have drifted, so a scheduler or a CI job
can alert.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from iris_model import artifact, card, data, drift, evaluate, model, schema, traffic
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
    """Fit the pipeline on the training rows; save it with its configuration and its card."""
    config = load_config(args.config, args.patches)
    frame = data.read_table(args.data, schema.LABELLED)
    save_config(config, args.out)
    pipeline = model.train(frame, config)
    metrics = {
        "train_accuracy": evaluate.compute_metrics(pipeline, frame)["accuracy"],
        "cv_accuracy": model.cross_validated_accuracy(frame, config),
    }
    if args.held_out:
        held_out = evaluate.compute_metrics(
            pipeline, data.read_table(args.held_out, schema.LABELLED)
        )
        metrics |= {
            "held_out_accuracy": held_out["accuracy"],
            "held_out_f1_macro": held_out["f1_macro"],
        }
    saved = artifact.save_model(
        pipeline, args.out, data_path=args.data, metrics=metrics, config=config
    )
    card_path = card.write_card(saved.pipeline, saved.metadata, args.out)
    path = args.out / artifact.MODEL_FILE
    log.info("trained on %d rows (%s), wrote %s", len(frame), metrics, path.as_posix())
    log.info("wrote the model card %s", card_path.as_posix())


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


def drift_step(args: argparse.Namespace) -> int:
    """Compare what the service was asked with the training rows, and what it answered with
    the model's answers on the labelled rows; write the report; 1 if either drifted.

    Each of the two checks gets half of ``alpha``, so the command alarms on unchanged traffic
    at most ``alpha`` of the time."""
    # Imported here: matplotlib takes half a second to load, and only the report draws.
    from iris_model import drift_report

    reference = data.read_table(args.reference, schema.MEASUREMENTS)
    labelled = pd.concat([reference, data.read_table(args.held_out, schema.MEASUREMENTS)])
    trained = artifact.load_model(args.model)
    served = drift.served_table(args.served)
    results = drift.compare(reference, served, args.alpha / 2)
    answers = drift.compare_answers(
        model.predict(trained.pipeline, labelled)["predicted_species"],
        drift.served_answers(args.served),
        args.alpha / 2,
    )
    drift_report.write_report(results, answers, reference, served, args.out, args.alpha)
    for result in results:
        log.info(
            "%-12s KS %.3f  p %.2g  %s",
            result.feature,
            result.statistic,
            result.p_value,
            "DRIFTED" if result.drifted else "steady",
        )
    log.info(
        "%-12s chi2 %.3g  p %.2g  %s",
        "answers",
        answers.statistic,
        answers.p_value,
        "DRIFTED" if answers.drifted else "steady",
    )
    drifted = [result.feature for result in results if result.drifted]
    drifted += ["the species answered"] if answers.drifted else []
    if drifted:
        log.error(
            "drift in %s (%d served flowers); report: %s",
            ", ".join(drifted),
            len(served),
            args.out.as_posix(),
        )
        return 1
    log.info("no drift in %d served flowers; report: %s", len(served), args.out.as_posix())
    return 0


def traffic_step(args: argparse.Namespace) -> None:
    """Send plausible (or, with --petal-shift, drifted) flowers to a running service."""
    population = data.read_table(args.data, schema.MEASUREMENTS)
    flowers = traffic.drifted(population, args.count, args.seed, args.petal_shift)
    answered = traffic.replay(args.url, flowers)
    log.info("sent %d flowers to %s; species answered: %s", len(flowers), args.url, answered)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one step; return 0 on success, 1 for drift found, 2 for input to fix (one line)."""
    args = build_parser().parse_args(argv)
    log_folder = args.out.parent if args.step in ("predict", "drift") else args.out
    setup_logging(log_folder / f"{args.step}.log")
    try:
        return args.run(args) or 0
    except (data.DataError, ConfigError, artifact.ArtifactError) as error:
        log.error("%s", error)
        return 2


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
    step.add_argument("--held-out", type=Path, help="held-out labelled CSV, scored for the card")
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

    step = steps.add_parser("drift", help="compare served inputs and answers with the data's")
    step.add_argument("--reference", type=Path, required=True, help="the training CSV")
    step.add_argument("--held-out", type=Path, required=True, help="the held-out labelled CSV")
    step.add_argument("--model", type=Path, required=True, help="folder written by train")
    step.add_argument(
        "--served", type=Path, nargs="+", required=True, help="records: files or folders"
    )
    step.add_argument("--out", type=Path, required=True, help="HTML file for the report")
    step.add_argument(
        "--alpha",
        type=float,
        default=drift.ALPHA,
        help=f"false-alarm chance of the whole check ({drift.ALPHA})",
    )
    step.set_defaults(run=drift_step)

    step = steps.add_parser("traffic", help="send generated flowers to a running service")
    step.add_argument("--url", required=True, help="the service, e.g. http://127.0.0.1:8000")
    step.add_argument("--data", type=Path, required=True, help="the flowers to imitate (CSV)")
    step.add_argument("--count", type=int, default=200, help="how many flowers (200)")
    step.add_argument("--seed", type=int, default=0, help="random seed (0)")
    step.add_argument(
        "--petal-shift", type=float, default=0.0, help="cm added to petal lengths (0: plausible)"
    )
    step.add_argument("--out", type=Path, default=Path("runs/traffic"), help="folder for the log")
    step.set_defaults(run=traffic_step)
    return parser


def _add_config_options(step: argparse.ArgumentParser) -> None:
    step.add_argument("--config", type=Path, help="YAML file overriding some defaults")
    step.add_argument("patches", nargs="*", metavar="key=value", help="e.g. model.C=0.5")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr (exit status 2), as for bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")
