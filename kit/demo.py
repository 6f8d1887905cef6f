"""``python -m kit demo``: every stage end to end, narrated, for a live demo on a projector.

Runs the reference code of each stage from a scratch folder, prints each command before it
runs and what it shows, and cleans up every process and temporary file, even on Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import textwrap
import urllib.error
import urllib.request
from pathlib import Path

from kit.background import running_server
from kit.errors import KitError
from kit.example_flowers import SETOSA, VIRGINICA
from kit.native import gunicorn_missing
from kit.paths import DATA, IRIS, ROOT, import_path_with, reference_dir
from kit.ports import free_port


class Narrator:
    """Prints the story: a banner per stage, a line per step, each command before it runs."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch

    def stage(self, number: int, title: str, lesson: str) -> None:
        print(f"\n━━ Stage {number}: {title} ━━")
        print(textwrap.fill(lesson, width=88))

    def step(self, text: str) -> None:
        print(f"\n▸ {text}")

    def show(self, text: str) -> None:
        print(textwrap.indent(text.rstrip(), "    "))

    def short(self, path: Path | str) -> str:
        """A path as the audience should read it: relative to the scratch folder or the kit."""
        text = "python" if str(path) == sys.executable else str(path)
        return text.replace(f"{self.scratch}/", "").replace(f"{ROOT}/", "")

    def run(self, command: list[str], cwd: Path, env: dict | None = None) -> str:
        """Run ``command`` and return its output; a failure stops the demo with its output."""
        shown = shlex.join(self.short(part) for part in command)
        print(f"  $ {shown}")
        done = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise KitError(f"`{shown}` failed:\n{done.stdout}{done.stderr}")
        return done.stdout + done.stderr

    def iris_model(self, stage: Path, *arguments: str | Path, env: dict[str, str]) -> str:
        """Run a stage's command line, ``python -m iris_model ARGUMENTS``, in its folder."""
        return self.run([sys.executable, "-m", "iris_model", *map(str, arguments)], stage, env)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The demo takes no options: it always runs every stage."""


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="kit-demo-") as scratch:
        narrator = Narrator(Path(scratch))
        demo_stage0(narrator)
        demo_stage1(narrator)
        model = demo_stage2(narrator)
        demo_stage3(narrator, model)
        demo_stage4(narrator, model)
        demo_stage5(narrator)
        demo_stage6(narrator, model)
        demo_stage7(narrator)
    print("\nDemo finished: every stage ran; no process or temporary file is left behind.")
    return 0


def python_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **extra}


def demo_stage0(narrator: Narrator) -> None:
    from kit.notebooks import SOLUTIONS, execute

    narrator.stage(0, "the exploratory notebook", "Runs top to bottom, once, in the right order.")
    path = SOLUTIONS / "00_exploratory_notebook.ipynb"
    narrator.step(f"execute {narrator.short(path)} in a fresh kernel")
    notebook = execute(path, narrator.scratch)
    cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    narrator.show(f"{len(cells)} code cells ran without an error")


def demo_stage1(narrator: Narrator) -> None:
    narrator.stage(
        1,
        "the script",
        "The notebook's work as command-line steps that hand off through files; one "
        "Pipeline fitted once; configuration from YAML defaults plus key=value patches.",
    )
    runs, stage, env = narrator.scratch / "stage1", reference_dir(1), python_env()
    narrator.step("prepare: split the raw data into train.csv and test.csv")
    narrator.iris_model(stage, "prepare", "--data", IRIS, "--out", runs / "data", env=env)
    narrator.step("train, with a configuration patch on the command line")
    narrator.iris_model(
        stage,
        "train",
        "--data",
        runs / "data/train.csv",
        "--out",
        runs / "model",
        "model.C=0.5",
        env=env,
    )
    narrator.show((runs / "model" / "config.yaml").read_text())
    narrator.step("evaluate on the held-out flowers")
    narrator.iris_model(
        stage,
        "evaluate",
        "--model",
        runs / "model",
        "--data",
        runs / "data/test.csv",
        "--out",
        runs / "report",
        env=env,
    )
    metrics = json.loads((runs / "report" / "metrics.json").read_text())
    narrator.show(f"accuracy {metrics['accuracy']:.3f}, macro F1 {metrics['f1_macro']:.3f}")
    narrator.step("predict the new flowers")
    narrator.iris_model(
        stage,
        "predict",
        "--model",
        runs / "model",
        "--data",
        DATA / "new_flowers.csv",
        "--out",
        runs / "predictions.csv",
        env=env,
    )
    narrator.show((runs / "predictions.csv").read_text())


def demo_stage2(narrator: Narrator) -> Path:
    narrator.stage(
        2,
        "the tested module",
        "An installable package with a data schema, a safe model artifact with metadata, and a "
        "test suite split into code, data and model tests.",
    )
    stage = reference_dir(2)
    narrator.step("run the package's tests (the wheel-building test is left to `make test`)")
    output = narrator.run(
        [
            *(sys.executable, "-m", "pytest", "-q"),
            *("-m", "not packaging", "--basetemp", str(narrator.scratch / "pytest")),
        ],
        stage,
        python_env(),
    )
    narrator.show(output.strip().splitlines()[-1])
    runs = narrator.scratch / "stage2"
    env = python_env(PYTHONPATH=import_path_with(stage / "src"))
    narrator.step("train the model the API will serve: model.skops + metadata.json")
    narrator.iris_model(stage, "prepare", "--data", IRIS, "--out", runs / "data", env=env)
    narrator.iris_model(
        stage, "train", "--data", runs / "data/train.csv", "--out", runs / "model", env=env
    )
    metadata = json.loads((runs / "model" / "metadata.json").read_text())
    narrator.show(
        json.dumps(
            {key: metadata[key] for key in ("name", "version", "classes", "data_sha256")}, indent=2
        )
    )
    return runs / "model"


def call(narrator: Narrator, method: str, url: str, body: object | None = None) -> None:
    """Send one request, show it as curl would be typed, and show the status and JSON answer.

    ``body`` is sent as JSON, or as it is when it is already ``bytes`` (a malformed body).
    """
    data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
    shown = f"curl -X {method} {url}"
    if data is not None:
        shown += f" -H 'Content-Type: application/json' -d '{data.decode()}'"
    print(f"  $ {shown}")
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, answer = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, answer = error.code, error.read()
    narrator.show(f"{status} {json.dumps(json.loads(answer))[:300]}")


def demo_stage3(narrator: Narrator, model: Path) -> None:
    narrator.stage(
        3,
        "the Flask API",
        "The same model behind HTTP: loaded once per process, requests validated by pydantic, "
        "every error a JSON body that names the field.",
    )
    stage, port = reference_dir(3), free_port()
    env = python_env(PYTHONPATH=import_path_with(stage / "src"), IRIS_MODEL_DIR=str(model))
    command = [sys.executable, "-m", "flask", "--app", "iris_model.app", "run", "--port", str(port)]
    narrator.step("start the development server in the background")
    print(f"  $ {shlex.join(narrator.short(part) for part in command)} &")
    base = f"http://127.0.0.1:{port}"
    with running_server(command, f"{base}/health", env=env, cwd=stage, timeout=60):
        narrator.step("ask it about its model, then for two predictions")
        call(narrator, "GET", f"{base}/health")
        call(narrator, "POST", f"{base}/predict", SETOSA)
        call(narrator, "POST", f"{base}/predict/batch", {"instances": [SETOSA, VIRGINICA]})
        narrator.step("send it a bad flower: the error names the field")
        call(narrator, "POST", f"{base}/predict", {**SETOSA, "petal_width": -1})
    narrator.show("server stopped")


def demo_stage4(narrator: Narrator, model: Path) -> None:
    from kit.image import local_command, read_dockerfile, serve_locally

    narrator.stage(
        4,
        "the Dockerized service",
        "A multi-stage image: pinned dependencies, the model baked in, a non-root user, a "
        "HEALTHCHECK and gunicorn. Here we lint the Dockerfile and run its CMD exactly as "
        "the image would (no container engine needed).",
    )
    if why := gunicorn_missing():
        narrator.show(f"not run here: {why}")
        return
    stage = reference_dir(4)
    narrator.step("lint the Dockerfile with hadolint")
    hadolint = str(Path(sys.executable).parent / "hadolint")
    narrator.run([hadolint, "Dockerfile"], stage)
    narrator.show("hadolint: no findings")
    port = free_port()
    narrator.step(
        f"run the Dockerfile's CMD (gunicorn, its config and ENV) with PORT={port}, serving "
        "the model trained in stage 2 (the image trains the same one while it builds)"
    )
    command = local_command(read_dockerfile(stage / "Dockerfile"), stage)
    print(f"  $ PORT={port} {shlex.join(narrator.short(part) for part in command)} &")
    with serve_locally(stage, port, model):
        base = f"http://127.0.0.1:{port}"
        call(narrator, "GET", f"{base}/health")
        call(narrator, "POST", f"{base}/predict", VIRGINICA)
        narrator.step("smoke-test a malformed body: JSON 400, not a crash")
        call(narrator, "POST", f"{base}/predict", b"{not json")
    narrator.show("gunicorn stopped")


def demo_stage5(narrator: Narrator) -> None:
    from kit import dvc_project
    from kit.object_store import running_object_store
    from kit.paths import copy_stage

    narrator.stage(
        5,
        "the pipeline as a DAG",
        "Stage 2's steps as a DVC pipeline: only what changed re-runs, each step checks what "
        "it reads, and the outputs go to an S3-compatible store and come back.",
    )
    project = copy_stage(reference_dir(5), narrator.scratch / "stage5")
    dvc_project.init_repository(project)
    env = dvc_project.environment(project)
    dvc = [str(Path(sys.executable).parent / "dvc")]
    narrator.step("the DAG, drawn by DVC from dvc.yaml")
    narrator.show(narrator.run([*dvc, "dag"], project, env))
    narrator.step("the first run: every step")
    narrator.show(", ".join(dvc_project.stages_run(narrator.run([*dvc, "repro"], project, env))))
    narrator.step("again, nothing changed: every step skipped")
    ran = dvc_project.stages_run(narrator.run([*dvc, "repro"], project, env))
    narrator.show(f"steps run: {ran or 'none'}")
    with running_object_store() as store:
        store_env = {**env, **store.environment()}
        narrator.step(f"push the outputs to the local S3 store ({store.endpoint}), pull them back")
        narrator.show(narrator.run([*dvc, "push"], project, store_env).strip().splitlines()[-1])
        shutil.rmtree(project / "runs")
        shutil.rmtree(project / ".dvc" / "cache")
        narrator.show(narrator.run([*dvc, "pull"], project, store_env).strip().splitlines()[-1])
    narrator.show("object store stopped")


def demo_stage6(narrator: Narrator, model: Path) -> None:
    import pandas as pd

    from kit.bench_scale import disagreements

    narrator.stage(
        6,
        "scale and SQL",
        "The same model scores a batch far larger than a request: generated flowers in parquet "
        "files, scored in one process, on a local Dask cluster, and as SQL in DuckDB.",
    )
    stage, runs = reference_dir(6), narrator.scratch / "stage6"
    env = python_env(PYTHONPATH=import_path_with(stage / "src"))
    narrator.step("write 200,000 generated flowers as 8 parquet files (seeded, nothing downloaded)")
    arguments = ("--data", IRIS, "--out", runs / "flowers", "--rows", "200000")
    narrator.show(narrator.iris_model(stage, "flowers", *arguments, env=env).splitlines()[-1])
    for engine in ("pandas", "dask", "duckdb"):
        narrator.step(f"score them with --engine {engine}")
        output = narrator.iris_model(
            stage,
            *("score", "--model", model, "--data", runs / "flowers"),
            *("--out", runs / f"{engine}.parquet", "--engine", engine),
            env=env,
        )
        narrator.show(output.strip().splitlines()[-1])
    narrator.step("the three engines agree, flower by flower")
    baseline = pd.read_parquet(runs / "pandas.parquet")
    for engine in ("dask", "duckdb"):
        differ = disagreements(baseline, pd.read_parquet(runs / f"{engine}.parquet"))
        narrator.show(f"{engine}: flowers scored otherwise than by pandas: {differ}")


def demo_stage7(narrator: Narrator) -> None:
    from kit.image import serve_locally

    narrator.stage(
        7,
        "monitoring",
        "The service records what it is asked; a drift check compares that with the training "
        "data and exits 1 on drift; the model ships with a card saying what it is for.",
    )
    stage, runs = reference_dir(7), narrator.scratch / "stage7"
    env = python_env(PYTHONPATH=import_path_with(stage / "src"))
    narrator.step("train with the held-out rows: the model, and its card from its metadata")
    narrator.iris_model(stage, "prepare", "--data", IRIS, "--out", runs / "data", env=env)
    narrator.iris_model(
        stage,
        *("train", "--data", runs / "data/train.csv", "--held-out", runs / "data/test.csv"),
        *("--out", runs / "model"),
        env=env,
    )
    if why := gunicorn_missing():
        narrator.show(f"the service is not run here: {why}")
        return
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    for name, petal_cm in (("plausible", "0"), ("drifted", "1.5")):
        served = runs / "served" / name
        narrator.step(
            f"serve with IRIS_RECORDS_DIR={narrator.short(served)} on PORT={port}; send 200 "
            f"{name} flowers (petals +{petal_cm} cm); check for drift"
        )
        with serve_locally(stage, port, runs / "model", settings={"IRIS_RECORDS_DIR": str(served)}):
            output = narrator.iris_model(
                stage,
                *("traffic", "--url", base, "--data", IRIS, "--count", "200"),
                *("--seed", "1", "--petal-shift", petal_cm, "--out", runs / "traffic"),
                env=env,
            )
            narrator.show(output.strip().splitlines()[-1])
            if name == "drifted":
                card = urllib.request.urlopen(f"{base}/model/card", timeout=10).read().decode()
        command = [sys.executable, "-m", "iris_model", "drift", "--reference"]
        command += [str(runs / "data/train.csv"), "--held-out", str(runs / "data/test.csv")]
        command += ["--model", str(runs / "model"), "--served", str(served)]
        command += ["--out", str(runs / "drift" / f"{name}.html")]
        print(f"  $ {shlex.join(narrator.short(part) for part in command)}")
        done = subprocess.run(command, cwd=stage, env=env, capture_output=True, text=True)
        last = narrator.short(done.stderr.strip().splitlines()[-1])
        narrator.show(f"{last}\nexit status {done.returncode}")
        if done.returncode != (1 if name == "drifted" else 0):
            raise KitError(f"the drift check of the {name} flowers exited {done.returncode}")
    narrator.step(f"GET {base}/model/card: what the model is for, and not for")
    narrator.show(card.split("## Intended uses & limitations")[1].split("##")[0].strip())
