"""The stages of the course, each declared once: everything that lists stages reads ``REGISTRY``.

Generating (``kit generate``), starting and catching up (``kit start``), checking (``kit
check``), showing a lesson as a diff (``kit diff``), the suite's parametrisation, the README's
stage table and the notebooks' time headers all take the stages from here, so adding a stage is
one entry below plus the lesson's files (docs/maintainers.md, "How to add a stage").

This module imports nothing of the kit's: every other module may read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

NEEDS = {
    "engine": "a container engine",
    "browser": "Chromium or Chrome",
    "database": "a database server",
}
"""What a stage's check may need beyond the kit's .venv, and how the README names it."""


@dataclass(frozen=True)
class Carry:
    """Files a stage takes unchanged from ``source`` (a folder of the kit), placed ``into``
    a folder of the stage; ``only`` names them (patterns), else every file is taken."""

    source: str
    into: str = ""
    only: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stage:
    """One stage: what it is called, what it builds on, what its lesson writes, how long it
    takes and what a learner's machine needs for its check.

    Every file of the stage's folder is its ``own`` (patterns: the lesson) or carried
    (``carries``), so a file an earlier stage removed cannot linger in a later one.
    """

    number: int
    title: str
    stem: str
    """The name of its notebook, solution and deck: ``solutions/{stem}.ipynb``."""
    builds_on: int | None
    """The stage whose end state this one starts from (``None``: the course's beginning)."""
    day: int
    minutes_in_class: int
    """Its slot in the instructor guide's day (deck and exercises)."""
    minutes_alone: int
    """Its time for a learner on their own, as its notebook's header says."""
    package: str = ""
    """Where its ``iris_model`` package lives in the stage folder (empty: no folder of code)."""
    own: tuple[str, ...] = ()
    carries: tuple[Carry, ...] = field(default=())
    needs: frozenset[str] = frozenset()
    """Keys of ``NEEDS``: what its check cannot fully run without."""

    def __post_init__(self) -> None:
        unknown = self.needs - NEEDS.keys()
        if unknown:
            raise ValueError(f"stage {self.number} needs {sorted(unknown)}: not one of {NEEDS}")

    @property
    def has_code(self) -> bool:
        """Whether the stage has folders of code (stage 0's work is notebook cells)."""
        return bool(self.own)


_SERVICE = "src/iris_model"

REGISTRY = (
    Stage(
        number=0,
        title="exploratory notebook",
        stem="00_exploratory_notebook",
        builds_on=None,
        day=1,
        minutes_in_class=40,
        minutes_alone=45,
    ),
    Stage(
        number=1,
        title="script",
        stem="01_script",
        builds_on=0,
        day=1,
        minutes_in_class=65,
        minutes_alone=65,
        package="iris_model",
        own=("*",),
    ),
    Stage(
        number=2,
        title="tested module",
        stem="02_tested_module",
        builds_on=1,
        day=1,
        minutes_in_class=70,
        minutes_alone=85,
        package=_SERVICE,
        own=("*",),
        carries=(
            Carry(
                "productionizing/stage1/iris_model",
                into=_SERVICE,
                only=("config.py", "logs.py", "defaults.yaml"),
            ),
        ),
    ),
    Stage(
        number=3,
        title="Flask API",
        stem="03_flask_api",
        builds_on=2,
        day=1,
        minutes_in_class=55,
        minutes_alone=75,
        package=_SERVICE,
        own=(
            "README.md",
            "pyproject.toml",
            "src/iris_model/app.py",
            "src/iris_model/errors.py",
            "src/iris_model/openapi.py",
            "src/iris_model/payloads.py",
            "src/iris_model/routes.py",
            "src/iris_model/service.py",
            "tests/api/*",
        ),
        carries=(Carry("productionizing/stage2"),),
    ),
    Stage(
        number=4,
        title="Dockerized service",
        stem="04_docker",
        builds_on=3,
        day=1,
        minutes_in_class=40,
        minutes_alone=55,
        package=_SERVICE,
        own=(
            "README.md",
            ".dockerignore",
            "Dockerfile",
            "gunicorn.conf.py",
            "pyproject.toml",
            "requirements.txt",
            "requirements-train.txt",
            "src/iris_model/app.py",
            "src/iris_model/speedup_numpy.py",
            "src/iris_model/speedup_orjson.py",
            "tests/api/test_speedup_*.py",
        ),
        carries=(Carry("productionizing/stage3"), Carry("data", into="data", only=("iris.csv",))),
        needs=frozenset({"engine"}),
    ),
    Stage(
        number=5,
        title="pipeline as a DAG",
        stem="05_pipeline",
        builds_on=2,
        day=2,
        minutes_in_class=75,
        minutes_alone=80,
        package=_SERVICE,
        own=(
            "README.md",
            "pyproject.toml",
            ".dvc/config",
            ".dvc/.gitignore",
            ".gitignore",
            ".dvcignore",
            "dvc.yaml",
            "params.yaml",
            "src/iris_model/cli.py",
            "src/iris_model/experiments.py",
            "src/iris_model/storage.py",
            "tests/code/test_cli.py",
            "tests/pipeline/*",
        ),
        carries=(
            Carry("productionizing/stage2"),
            Carry("data", into="data", only=("iris.csv", "new_flowers.csv")),
        ),
    ),
    Stage(
        number=6,
        title="scale and SQL",
        stem="06_scale_and_sql",
        builds_on=2,
        day=2,
        minutes_in_class=80,
        minutes_alone=75,
        package=_SERVICE,
        own=(
            "README.md",
            "COMPARISON.md",
            "pyproject.toml",
            "src/iris_model/cli.py",
            "src/iris_model/flowers.py",
            "src/iris_model/batch.py",
            "src/iris_model/on_dask.py",
            "src/iris_model/sql.py",
            "tests/scale/*",
        ),
        carries=(Carry("productionizing/stage2"),),
    ),
    Stage(
        number=7,
        title="monitoring",
        stem="07_monitoring",
        builds_on=4,
        day=2,
        minutes_in_class=75,
        minutes_alone=60,
        package=_SERVICE,
        own=(
            "README.md",
            "Dockerfile",
            "pyproject.toml",
            "src/iris_model/app.py",
            "src/iris_model/card.py",
            "src/iris_model/cli.py",
            "src/iris_model/drift.py",
            "src/iris_model/drift_report.py",
            "src/iris_model/openapi.py",
            "src/iris_model/records.py",
            "src/iris_model/routes.py",
            "src/iris_model/traffic.py",
            "tests/monitoring/*",
        ),
        carries=(Carry("productionizing/stage4"),),
        needs=frozenset({"browser"}),
    ),
)


def numbers() -> list[int]:
    """Every stage's number, in order."""
    return [stage.number for stage in REGISTRY]


def get(number: int) -> Stage:
    """The stage numbered ``number``; a KeyError names the ones there are."""
    for each in REGISTRY:
        if each.number == number:
            return each
    raise KeyError(f"no stage {number} in kit/stages.py; there are {numbers()}")


def with_code() -> list[Stage]:
    """The stages with folders of code (reference, templates), in order."""
    return [each for each in REGISTRY if each.has_code]
