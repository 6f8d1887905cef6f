"""Break a copy of the stage 3 reference in a way the check must notice."""

from pathlib import Path

EXERCISE = 4
"""The exercise whose check must catch the sabotage."""


def sabotage(copy: Path) -> str:
    """Make request validation lax, so a string "5.1" or true would pass as a length."""
    payloads = copy / "src" / "iris_model" / "payloads.py"
    source = payloads.read_text(encoding="utf-8")
    strict = "ConfigDict(strict=True,"
    if strict not in source:
        raise ValueError(f"{payloads} no longer declares strict types as sabotage expects")
    payloads.write_text(source.replace(strict, "ConfigDict(strict=False,"), encoding="utf-8")
    return "src/iris_model/payloads.py accepts strings and booleans as lengths"
