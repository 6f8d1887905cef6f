"""make doctor: one line per check, and a fix for every problem it finds."""

import json
import subprocess
import sys

from kit import doctor
from kit.errors import KitError
from kit.link import KERNEL_NAME
from kit.paths import ROOT, venv_python


def test_doctor_passes_on_the_kits_own_environment():
    result = subprocess.run(
        [sys.executable, "-m", "kit", "doctor"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    checks = [line for line in result.stdout.splitlines() if not line.startswith("      fix:")]
    assert all(line.split()[0] in ("ok", "note") for line in checks[:-1]), result.stdout
    assert "JupyterLab starts and answers" in result.stdout
    assert f"runs {venv_python()}, with this clone's kit ({ROOT})" in result.stdout
    assert checks[-1].startswith("Ready for the workshop"), checks[-1]


def test_a_venv_that_differs_from_the_lock_is_a_failure_with_its_fix(monkeypatch):
    monkeypatch.setattr(doctor, "_locked_versions", lambda: {"scikit-learn": "0.1.0"})
    finding = doctor.check_venv_matches_lock()
    assert not finding.ok and finding.required
    assert "scikit-learn" in finding.what and "(lock: 0.1.0)" in finding.what
    assert finding.fix == "run `make setup`"


def test_a_busy_port_is_a_note_not_a_failure(monkeypatch):
    monkeypatch.setattr(doctor, "port_is_free", lambda port: False)
    finding = doctor.check_port("serve")
    assert not finding.ok and not finding.required and "make serve PORT=8001" in finding.fix


def test_the_ports_checked_are_the_ones_kit_ports_gives(monkeypatch):
    monkeypatch.setenv("KIT_PORTS", "21000-21999")
    checked = [doctor.check_port(server).what for server in doctor.WORKSHOP_SERVERS]
    assert all("port 2100" in what for what in checked), checked


def test_a_user_level_kernel_from_an_older_kit_is_a_note_with_the_command_to_remove_it(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path))  # not the user's real kernels
    older = tmp_path / "kernels" / KERNEL_NAME
    older.mkdir(parents=True)
    argv = ["/another/clone/.venv/bin/python", "-m", "ipykernel_launcher"]
    (older / "kernel.json").write_text(json.dumps({"argv": argv, "language": "python"}))
    finding = doctor.check_no_user_level_kernel()
    assert not finding.ok and not finding.required
    assert str(older) in finding.what and "/another/clone/.venv/bin/python" in finding.what
    assert finding.fix == f"remove it: `rm -r '{older}'`"
    assert older.exists(), "the doctor only says so; it deletes nothing"


def test_a_kernel_that_imports_another_clones_kit_is_a_failure(monkeypatch):
    monkeypatch.setattr(doctor, "kit_imported_by", lambda python: ROOT / "elsewhere")
    finding = doctor.check_kernel()
    assert not finding.ok and finding.required
    assert f"with the kit of {ROOT / 'elsewhere'}, not this clone's" in finding.what
    assert finding.fix.startswith("run `make setup`")


def test_without_a_browser_the_doctor_says_which_check_will_be_partial(monkeypatch):
    monkeypatch.setattr(doctor, "find_chromium", lambda: None)
    finding = doctor.check_browser()
    assert not finding.ok and not finding.required
    assert "stage 7 exercise 4" in finding.what and "NOT CHECKED" in finding.what


def test_a_joined_room_that_does_not_answer_is_a_note_with_what_to_do(monkeypatch):
    joined = {"room": "http://127.0.0.1:9", "code": "X", "nickname": "ada"}
    monkeypatch.setattr(doctor, "joined_room", lambda: joined)

    def no_answer(joining, timeout):
        raise KitError("no room answered at http://127.0.0.1:9 (refused)")

    monkeypatch.setattr(doctor, "take_seat", no_answer)
    finding = doctor.check_joined_room()
    assert not finding.ok and not finding.required
    assert "make leave" in finding.fix and "refused" in finding.what


def test_not_being_in_a_room_is_fine(monkeypatch):
    monkeypatch.setattr(doctor, "joined_room", lambda: None)
    assert doctor.check_joined_room().ok
