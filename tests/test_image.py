"""The images of stages 4 and 7: their Dockerfiles lint clean, the CMD serves here, and in an
engine if any.

The engine tests build the image, run it with ``--network host``, wait for the image's own
HEALTHCHECK and remove the container even when an assertion fails. Without an engine they are
skipped with the reason; the local test still runs the CMD exactly as the Dockerfile states.
Stage 7's image adds what monitoring needs: the model's card, and a volume its user may write
the served inputs into.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from kit.background import ServerDidNotStart
from kit.example_flowers import SETOSA
from kit.image import (
    ImageError,
    Recipe,
    build_image,
    built_image,
    engine_available,
    local_command,
    read_dockerfile,
    serve_in_engine,
    serve_locally,
    train_locally,
)
from kit.paths import copy_stage, reference_dir
from kit.ports import free_port

STAGE4 = reference_dir(4)
STAGE7 = reference_dir(7)
HADOLINT = Path(sys.executable).parent / "hadolint"


def call_the_service(base: str) -> None:
    """The calls every run of the service must answer: health, one prediction, one mistake."""
    assert requests.get(f"{base}/health", timeout=5).json() == {"status": "ok"}
    prediction = requests.post(f"{base}/predict", json=SETOSA, timeout=5)
    assert prediction.status_code == 200
    assert prediction.json()["species"] == "setosa"
    mistake = requests.post(f"{base}/predict", json={**SETOSA, "petal_width": "wide"}, timeout=5)
    assert mistake.status_code == 422
    assert mistake.json()["details"][0]["field"] == "petal_width"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_locally(STAGE4, tmp_path_factory.mktemp("trained"))


@pytest.mark.parametrize("stage", [STAGE4, STAGE7], ids=["stage4", "stage7"])
def test_the_dockerfile_is_hadolint_clean(stage):
    finished = subprocess.run([HADOLINT, stage / "Dockerfile"], capture_output=True, text=True)
    assert finished.returncode == 0, finished.stdout + finished.stderr


def test_the_final_stage_runs_gunicorn_as_a_non_root_user_with_a_healthcheck():
    recipe = read_dockerfile(STAGE4 / "Dockerfile")
    assert recipe.cmd[0] == "gunicorn"
    assert recipe.user.split(":")[0].isdigit() and not recipe.user.startswith("0")
    assert recipe.healthcheck[0] == "python"
    assert recipe.env["PORT"] == "8000"
    assert recipe.copies["/app/gunicorn.conf.py"] == "gunicorn.conf.py"


def test_read_dockerfile_reads_the_last_stage_only(tmp_path):
    (tmp_path / "Dockerfile").write_text(
        'FROM a AS build\nENV X=1\nCMD ["build"]\n'
        "FROM b\n# a comment\nENV A=1 \\\n    B=two\nWORKDIR /srv\nCOPY conf.py ./conf.py\n"
        'CMD ["gunicorn", "-c", "/srv/conf.py"]\n'
    )
    recipe = read_dockerfile(tmp_path / "Dockerfile")
    assert recipe.env == {"A": "1", "B": "two"}
    assert recipe.copies == {"/srv/conf.py": "conf.py"}
    assert local_command(recipe, Path("/stage"))[-2:] == ["-c", "/stage/conf.py"]


def test_a_shell_form_cmd_is_kept_as_a_problem_and_refused_when_run(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM b\nUSER 10001\nCMD gunicorn -c conf.py\n")
    recipe = read_dockerfile(tmp_path / "Dockerfile")
    assert recipe.user == "10001", "the rest of the Dockerfile is still read"
    assert "exec form" in recipe.not_exec_form["CMD"]
    with pytest.raises(RuntimeError, match="exec form"):
        local_command(recipe, Path("/stage"))


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"FROM b\n\xff\xfe\x00\x01", "is not UTF-8 text"),
        (b'FROM b\nENV GREETING="hello\n', "ENV .*: a quote is not closed"),
        (b"FROM b\nENV A=1 B\n", "ENV A=1 B: write KEY=value pairs, 'B' has no ="),
        (
            b"FROM b\nCOPY gunicorn.conf.py\n",
            "COPY gunicorn.conf.py: name a source and a destination",
        ),
        (b'FROM b\nCOPY ["a", \n', "COPY must use the exec form"),
    ],
    ids=["binary", "unclosed quote", "ENV without =", "COPY without destination", "bad JSON"],
)
def test_a_broken_dockerfile_is_an_image_error_naming_the_file(content, problem, tmp_path):
    (tmp_path / "Dockerfile").write_bytes(content)
    with pytest.raises(ImageError, match=rf"Dockerfile:? {problem}"):
        read_dockerfile(tmp_path / "Dockerfile")


def test_a_missing_dockerfile_is_an_image_error_naming_it(tmp_path):
    with pytest.raises(ImageError, match=r"Dockerfile not found"):
        read_dockerfile(tmp_path / "Dockerfile")


def test_a_dockerfile_without_cmd_reads_but_cannot_run_locally(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM b\nUSER 1\n")
    recipe = read_dockerfile(tmp_path / "Dockerfile")
    assert recipe.cmd == [] and recipe.user == "1"
    with pytest.raises(RuntimeError, match="no CMD"):
        local_command(recipe, tmp_path)


@pytest.mark.parametrize(
    ("final_stage", "missing"),
    [
        ('FROM b\nCMD ["gunicorn"]\n', "no HEALTHCHECK: add it"),
        ("FROM b\nUSER 1\n", "no HEALTHCHECK and no CMD: add them"),
    ],
)
def test_an_image_that_could_not_serve_is_refused_before_building(
    final_stage, missing, tmp_path, monkeypatch
):
    (tmp_path / "Dockerfile").write_text(final_stage)
    monkeypatch.setattr("subprocess.run", lambda *args, **kwargs: pytest.fail("docker ran"))
    with pytest.raises(ImageError, match=missing):
        build_image(tmp_path, "iris-api:refused")


def test_local_command_maps_only_copied_paths():
    recipe = Recipe(copies={"/app/g.py": "g.py"}, cmd=["gunicorn", "--config", "/app/g.py", "-x"])
    assert local_command(recipe, Path("/s"))[-3:] == ["--config", "/s/g.py", "-x"]


def test_the_cmd_serves_locally_as_the_dockerfile_states(model_dir, tmp_path):
    port = free_port()
    with serve_locally(STAGE4, port, model_dir, log=tmp_path / "gunicorn.log"):
        call_the_service(f"http://127.0.0.1:{port}")


def test_a_cmd_that_cannot_serve_shows_the_error_from_its_log(tmp_path, leaves_no_process):
    stage = copy_stage(STAGE4, tmp_path / "stage4")
    app = stage / "src" / "iris_model" / "app.py"
    app.write_text(app.read_text(encoding="utf-8") + "import no_such_module\n", encoding="utf-8")
    with pytest.raises(ServerDidNotStart) as error, serve_locally(stage, free_port(), tmp_path):
        pass
    assert "ModuleNotFoundError: No module named 'no_such_module'" in str(error.value)


FAKE_DOCKER = r'''#!{python}
"""A docker whose containers stop at once, and whose engine is not there for `info`."""
import sys

command = sys.argv[1]
if command == "run":
    print("c0ffee")
elif command == "inspect":
    print("exited unhealthy")
elif command == "logs":
    sys.stderr.write(
        "Traceback (most recent call last):\n"
        '  File "/app/src/iris_model/app.py", line 3, in <module>\n'
        "ModuleNotFoundError: No module named 'foo'\n"
        "[ERROR] Shutting down: Master\n"
    )
elif command == "info":
    sys.exit("Cannot connect to the Docker daemon at unix:///var/run/docker.sock.")
'''


@pytest.fixture
def fake_docker(tmp_path, monkeypatch) -> None:
    """``docker`` on PATH is FAKE_DOCKER: an engine's answers without an engine."""
    folder = tmp_path / "bin"
    folder.mkdir()
    docker = folder / "docker"
    docker.write_text(FAKE_DOCKER.format(python=sys.executable), encoding="utf-8")
    docker.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


def test_a_container_that_stopped_shows_the_error_from_its_log(fake_docker):
    with pytest.raises(ImageError) as error, serve_in_engine("iris-api:test", free_port()):
        pass
    assert str(error.value).splitlines() == [
        "the container stopped (exited) before it was healthy; its log says:",
        '    File "/app/src/iris_model/app.py", line 3, in <module>',
        "  ModuleNotFoundError: No module named 'foo'",
    ]


def test_without_an_engine_it_says_what_docker_info_said(fake_docker):
    assert engine_available() == (
        False,
        "docker info failed: Cannot connect to the Docker daemon at unix:///var/run/docker.sock.",
    )


def test_the_image_builds_and_serves_once_healthy(tmp_path):
    available, why = engine_available()
    if not available:
        pytest.skip(f"no container engine ({why}); the local CMD test covers the service")
    port = free_port()
    with built_image(STAGE4, log=tmp_path / "build.log") as tag, serve_in_engine(tag, port):
        call_the_service(f"http://127.0.0.1:{port}")
    assert tag not in _image_tags(), "expected the image removed after the test, it is still there"


def test_the_stage_7_image_serves_its_card_and_records_what_it_is_asked(tmp_path):
    available, why = engine_available()
    if not available:
        pytest.skip(f"no container engine ({why}); tests/checks/stage7 covers the code")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with (
        built_image(STAGE7, log=tmp_path / "build.log") as tag,
        serve_in_engine(tag, port) as container,
    ):
        call_the_service(base)
        card = requests.get(f"{base}/model/card", timeout=5)
        read = ["docker", "exec", container, "sh", "-c", "cat /app/records/served-*.jsonl"]
        recorded = subprocess.run(read, capture_output=True, text=True)
    assert card.status_code == 200, card.text
    assert card.headers["Content-Type"].startswith("text/markdown")
    assert "## Intended uses & limitations" in card.text, card.text[:300]
    assert recorded.returncode == 0, f"expected records in /app/records: {recorded.stderr}"
    species = [json.loads(line)["species"] for line in recorded.stdout.splitlines()]
    assert species == ["setosa"], f"expected the one answered prediction recorded, got {species}"


def test_each_build_gets_a_tag_of_its_own(monkeypatch, tmp_path):
    """Two checks on one engine must not retag (and so test) each other's images."""
    built: list[str] = []
    monkeypatch.setattr("kit.image.build_image", lambda folder, tag, log=None: built.append(tag))
    monkeypatch.setattr("subprocess.run", lambda *args, **kwargs: None)
    for _ in range(2):
        with built_image(tmp_path):
            pass
    assert len(set(built)) == 2, f"expected two different tags, got {built}"


def _image_tags() -> set[str]:
    listing = ["docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}"]
    return set(subprocess.run(listing, capture_output=True, text=True).stdout.split())
