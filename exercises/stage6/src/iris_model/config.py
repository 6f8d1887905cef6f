"""Configuration: versioned defaults, then an optional override file, then ``key=value`` patches.

Each layer may only change keys that the defaults define, with a value of the same type, so a
typo (``model.c=0.5``) is an error that names the key instead of a setting silently ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger(__name__)

DEFAULTS = Path(__file__).with_name("defaults.yaml")


class ConfigError(ValueError):
    """A configuration file or patch that cannot be used; the message says what to fix."""


def load_config(override: Path | None = None, patches: Sequence[str] = ()) -> dict[str, Any]:
    """The effective configuration: defaults, updated by ``override``, then by ``patches``."""
    config = read_yaml(DEFAULTS)
    if override is not None:
        config = merge(config, read_yaml(override), source=str(override))
    for patch in patches:
        config = merge(config, parse_patch(patch), source=f"patch '{patch}'")
    return config


def save_config(config: dict[str, Any], folder: Path) -> Path:
    """Log the effective configuration and write it to ``folder/config.yaml``."""
    text = yaml.safe_dump(config, sort_keys=False)
    log.info("effective config:\n%s", text.rstrip())
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML mapping with ``yaml.safe_load`` (plain data only, never Python objects)."""
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} not found: check the path") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not UTF-8 text: save it as UTF-8 YAML") from None
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" at line {where.line + 1}" if where else ""
        raise ConfigError(f"config file {path} is not valid YAML{line}: fix its syntax") from None
    if not isinstance(content, dict):
        raise ConfigError(f"config file {path} must hold a mapping of keys to values")
    return content


def parse_patch(text: str) -> dict[str, Any]:
    """Turn ``"model.C=0.5"`` into ``{"model": {"C": 0.5}}``; the value is parsed as YAML."""
    # Stage 1, exercise 5: split `text` at the first `=` (`str.partition`). Without `=` or with an
    # empty key, raise `ConfigError` with a message that shows the form `key=value`. Parse the value
    # with `yaml.safe_load` (so `0.5` becomes a float and `true` a bool; a `yaml.YAMLError` becomes
    # a `ConfigError`), then nest it under each part of the dotted key, from the last part to the
    # first.
    key, equals, raw_value = text.partition("=")
    if not equals or not key.strip():
        raise ConfigError(f"bad patch '{text}': write key=value, e.g. model.C=0.5")
    try:
        value = yaml.safe_load(raw_value)
    except yaml.YAMLError:
        raise ConfigError(f"bad patch '{text}': the value is not valid YAML") from None
    for part in reversed(key.strip().split(".")):
        value = {part: value}
    return value


def merge(base: dict[str, Any], update: dict[str, Any], source: str, prefix: str = "") -> dict:
    """A copy of ``base`` with the values of ``update``; unknown keys and wrong types fail."""
    merged = dict(base)
    for key, value in update.items():
        dotted = f"{prefix}{key}"
        if key not in base:
            raise ConfigError(f"unknown config key '{dotted}' in {source}")
        expected = base[key]
        if isinstance(expected, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"config key '{dotted}' in {source} must be a mapping")
            merged[key] = merge(expected, value, source, prefix=f"{dotted}.")
        elif dotted == "version" and value != expected:
            raise ConfigError(
                f"{source} sets version {value}, but the defaults are version {expected}"
            )
        elif not _same_type(expected, value):
            raise ConfigError(
                f"config key '{dotted}' in {source} must be {type(expected).__name__}, "
                f"got {value!r}"
            )
        else:
            merged[key] = value
    return merged


def _same_type(expected: Any, value: Any) -> bool:
    if isinstance(expected, bool) or isinstance(value, bool):
        return isinstance(expected, bool) and isinstance(value, bool)
    if isinstance(expected, float):
        return isinstance(value, int | float)
    return isinstance(value, type(expected))
