"""Launch options that cannot run here (Binder, conda, devcontainer): their files are valid."""

import json
import os

import yaml

from kit.cli import COMMANDS
from kit.paths import ROOT


def test_devcontainer_is_valid_json_on_a_supported_python_and_sets_the_kit_up():
    config = json.loads((ROOT / ".devcontainer" / "devcontainer.json").read_text())
    assert config["image"].endswith(("3.11-bookworm", "3.12-bookworm")), config["image"]
    assert config["postCreateCommand"] == "make setup"
    assert 8888 in config["forwardPorts"]


def test_binder_post_build_links_the_environment_to_the_kit():
    post_build = ROOT / "postBuild"
    assert os.access(post_build, os.X_OK), "postBuild must be executable for Binder"
    assert "python -m kit link" in post_build.read_text()
    assert "link" in COMMANDS


def test_conda_environment_is_named_and_parses():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert environment["name"] == "ml-production-kit"
    assert "conda-forge" in environment["channels"]
