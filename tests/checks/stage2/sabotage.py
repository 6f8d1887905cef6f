"""Break a copy of the stage 2 reference in a way the check must notice."""

from pathlib import Path

EXERCISE = 4
"""The exercise whose check must catch the sabotage."""


def sabotage(copy: Path) -> str:
    """Stop checking the model file's hash, so a changed file would load."""
    artifact = copy / "src" / "iris_model" / "artifact.py"
    source = artifact.read_text(encoding="utf-8")
    check = "if sha256_of(model_path) != expected_sha256:"
    if check not in source:
        raise ValueError(f"{artifact} no longer checks the hash as sabotage expects: update it")
    artifact.write_text(source.replace(check, "if False:"), encoding="utf-8")
    return "src/iris_model/artifact.py no longer compares the model file's SHA-256"
