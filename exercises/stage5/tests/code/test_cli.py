"""The command line, run the way a user runs it: steps hand over files, bad input exits 2.

Each test runs in a folder of its own: a step writes its log to ``runs/logs`` where it runs.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from iris_model.cli import main

NEW_FLOWERS = "sepal_length,sepal_width,petal_length,petal_width\n5.0,3.4,1.5,0.2\n"


@pytest.fixture(autouse=True)
def in_a_scratch_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_the_five_steps_run_from_files_to_files(iris_path: Path, tmp_path: Path):
    new = tmp_path / "new.csv"
    new.write_text(NEW_FLOWERS)
    data, model = tmp_path / "data", tmp_path / "model"
    steps = [
        ["prepare", "--data", iris_path, "--out", data],
        ["validate", "--data", data, "--out", tmp_path / "validation.json"],
        ["train", "--data", data / "train.csv", "--out", model, "model.C=0.5"],
        ["evaluate", "--model", model, "--data", data / "test.csv", "--out", tmp_path / "report"],
        ["predict", "--model", model, "--data", new, "--out", tmp_path / "out.csv"],
    ]
    for step in steps:
        assert main([str(part) for part in step]) == 0, step[0]

    assert (tmp_path / "model" / "model.skops").is_file()
    assert "C: 0.5" in (tmp_path / "model" / "config.yaml").read_text()
    assert "trained on 105 rows" in (tmp_path / "runs" / "logs" / "train.log").read_text()
    assert json.loads((tmp_path / "validation.json").read_text()) == {
        "train_rows": 105,
        "test_rows": 45,
    }
    assert json.loads((tmp_path / "report" / "metrics.json").read_text())["rows"] == 45
    assert {"confusion_matrix.png", "roc_curves.png"} <= {p.name for p in tmp_path.glob("report/*")}
    assert pd.read_csv(tmp_path / "out.csv")["predicted_species"].tolist() == ["setosa"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--data", "absent.csv"], "absent.csv not found"),
        (["--data", "{bad}", "model.C=abc"], "'model.C'"),
        (["--data", "{bad}"], "column 'petal_length', row 2"),
        (["--data", "{iris}", "--config", "absent.yaml"], "absent.yaml not found"),
    ],
)
def test_bad_input_exits_2_with_one_line_saying_what_to_fix(
    arguments: list[str], message: str, iris_path: Path, tmp_path: Path, capsys
):
    bad = tmp_path / "bad.csv"
    bad.write_text(iris_path.read_text().replace("4.9,3.0,1.4,", "4.9,3.0,-1.4,", 1))
    arguments = [part.format(bad=bad, iris=iris_path) for part in arguments]

    status = main(["train", *arguments, "--out", str(tmp_path / "model")])

    errors = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert len(errors) == 1, errors
    assert message in errors[0]


def test_a_run_from_the_shell_shows_no_traceback(tmp_path: Path):
    src = Path(__file__).parents[2] / "src"
    import_path = os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")])
    completed = subprocess.run(
        [sys.executable, "-m", "iris_model", "predict", "--model", str(tmp_path),
         "--data", "absent.csv", "--out", str(tmp_path / "out.csv")],
        capture_output=True, text=True, cwd=tmp_path, check=False,
        env={**os.environ, "PYTHONPATH": import_path},
    )  # fmt: skip
    assert completed.returncode == 2
    assert completed.stderr.count("\n") == 1
    assert "metadata.json not found" in completed.stderr
