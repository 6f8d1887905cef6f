"""Configuration: defaults, then an override file, then key=value patches."""

from pathlib import Path

import pytest

from iris_model.config import ConfigError, load_config, parse_patch


def test_defaults_are_versioned():
    config = load_config()
    assert config["version"] == 1
    assert config["model"]["C"] == 1.0


def test_override_file_changes_only_its_keys(tmp_path: Path):
    override = tmp_path / "small-c.yaml"
    override.write_text("model:\n  C: 0.25\n")
    config = load_config(override)
    assert config["model"]["C"] == 0.25
    assert config["model"]["max_iter"] == load_config()["model"]["max_iter"]


def test_patches_apply_after_the_override_file(tmp_path: Path):
    override = tmp_path / "override.yaml"
    override.write_text("model: {C: 0.25}\nseed: 7\n")
    config = load_config(override, ["model.C=0.5"])
    assert config["model"]["C"] == 0.5
    assert config["seed"] == 7


def test_patch_values_are_parsed_as_yaml():
    assert parse_patch("model.C=0.5") == {"model": {"C": 0.5}}
    assert parse_patch("seed=3") == {"seed": 3}


def test_an_integer_is_accepted_where_a_float_is_expected():
    assert load_config(patches=["model.C=2"])["model"]["C"] == 2


@pytest.mark.parametrize(
    ("patch", "named"),
    [
        ("model.c=0.5", "model.c"),
        ("model.C=abc", "model.C"),
        ("model.max_iter=1.5", "model.max_iter"),
        ("model=3", "model"),
        ("colour=blue", "colour"),
    ],
)
def test_a_bad_patch_is_an_error_naming_the_key(patch: str, named: str):
    with pytest.raises(ConfigError, match=f"'{named}'"):
        load_config(patches=[patch])


def test_a_patch_without_equals_sign_is_an_error():
    with pytest.raises(ConfigError, match="key=value"):
        load_config(patches=["model.C"])


def test_a_different_config_version_is_refused():
    with pytest.raises(ConfigError, match="version"):
        load_config(patches=["version=2"])


def test_unreadable_yaml_is_an_error_naming_the_file_and_line(tmp_path: Path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("model:\n  C: [0.5\n")
    with pytest.raises(ConfigError, match=r"broken\.yaml is not valid YAML at line"):
        load_config(broken)


def test_a_config_file_that_is_not_a_mapping_is_an_error(tmp_path: Path):
    listing = tmp_path / "list.yaml"
    listing.write_text("- model\n- C\n")
    with pytest.raises(ConfigError, match=r"list\.yaml must hold a mapping"):
        load_config(listing)


def test_a_binary_config_file_is_an_error_naming_the_file(tmp_path: Path):
    binary = tmp_path / "binary.yaml"
    binary.write_bytes("model:\n  C: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"binary\.yaml is not UTF-8 text"):
        load_config(binary)


def test_a_missing_override_file_is_an_error(tmp_path: Path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "absent.yaml")
