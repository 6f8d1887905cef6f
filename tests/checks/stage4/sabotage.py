"""Break a copy of the stage 4 reference in a way the check must notice."""

from pathlib import Path

EXERCISE = 2
"""The exercise whose check must catch the sabotage."""


def sabotage(copy: Path) -> str:
    """Run the container as root."""
    dockerfile = copy / "Dockerfile"
    source = dockerfile.read_text(encoding="utf-8")
    user = "USER 10001:10001"
    if user not in source:
        raise ValueError(f"{dockerfile} no longer has {user!r} as sabotage expects: update it")
    dockerfile.write_text(source.replace(user, "USER root"), encoding="utf-8")
    return "Dockerfile runs the service as root"
