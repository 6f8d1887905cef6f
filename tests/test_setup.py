"""``kit setup`` keeps the kit's Jupyter kernel pointing at this clone's ``.venv``."""

from __future__ import annotations

import json

from kit.link import KERNEL_NAME, kernel_python
from kit.paths import venv_python
from kit.setup import ensure_kernel


def test_setup_takes_the_kernel_back_from_another_clone(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path))  # not the user's real kernels
    spec = tmp_path / "kernels" / KERNEL_NAME / "kernel.json"
    spec.parent.mkdir(parents=True)
    elsewhere = "/elsewhere/ml-production-kit/.venv/bin/python"
    argv = [elsewhere, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec.write_text(json.dumps({"argv": argv, "display_name": "other", "language": "python"}))
    assert kernel_python(venv_python()) == elsewhere

    ensure_kernel()

    assert kernel_python(venv_python()) == str(venv_python())
