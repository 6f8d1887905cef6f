"""The wheelhouse served as a package index (PEP 503, "simple"), so pip installs from the room.

``/simple/`` lists the projects, ``/simple/<project>/`` links each of its files with its
SHA-256 (pip checks it), ``/files/<name>`` serves the file. pip is pointed here alone
(``--index-url``), so a laptop with no internet sets up from the instructor's wheelhouse.
"""

from __future__ import annotations

import hashlib
import html
import re
import threading
from pathlib import Path

from flask import Blueprint, Response, abort, send_from_directory

DISTRIBUTIONS = (".whl", ".tar.gz", ".zip")


def project_name(filename: str) -> str:
    """The normalized project a distribution file belongs to (PEP 503).

    A wheel's name ends at its first dash (dashes in names are written as ``_``); an
    sdist's at its last.
    """
    stem = filename.removesuffix(".tar.gz").removesuffix(".zip")
    name = filename.split("-")[0] if filename.endswith(".whl") else stem.rpartition("-")[0]
    return re.sub(r"[-_.]+", "-", name).lower()


class Wheelhouse:
    """The files of one folder, by project; each file's hash is computed once, when asked."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._hashes: dict[str, str] = {}
        self._lock = threading.Lock()

    def projects(self) -> dict[str, list[str]]:
        files: dict[str, list[str]] = {}
        if self.folder is not None and self.folder.is_dir():
            for path in sorted(self.folder.iterdir()):
                if path.name.endswith(DISTRIBUTIONS):
                    files.setdefault(project_name(path.name), []).append(path.name)
        return files

    def sha256(self, filename: str) -> str:
        with self._lock:
            if filename not in self._hashes:
                digest = hashlib.sha256()
                with (self.folder / filename).open("rb") as file:
                    while block := file.read(1 << 20):
                        digest.update(block)
                self._hashes[filename] = digest.hexdigest()
            return self._hashes[filename]


def package_index(folder: Path | None) -> Blueprint:
    """The index's routes over ``folder`` (none: an index with no project)."""
    wheelhouse = Wheelhouse(folder)
    index = Blueprint("index", __name__)

    @index.get("/simple/")
    def projects() -> Response:
        links = [f'<a href="{name}/">{name}</a>' for name in wheelhouse.projects()]
        return _page("Packages of the room", links)

    @index.get("/simple/<project>/")
    def project(project: str) -> Response:
        files = wheelhouse.projects().get(project)
        if files is None:
            abort(404, f"the room's wheelhouse has no project {project!r}")
        links = [
            f'<a href="../../files/{html.escape(name)}#sha256={wheelhouse.sha256(name)}">'
            f"{html.escape(name)}</a>"
            for name in files
        ]
        return _page(f"Files of {html.escape(project)}", links)

    @index.get("/files/<filename>")
    def download(filename: str) -> Response:
        if folder is None or not filename.endswith(DISTRIBUTIONS):
            abort(404, f"the room's wheelhouse has no file {filename!r}")
        return send_from_directory(folder, filename, mimetype="application/octet-stream")

    return index


def _page(title: str, links: list[str]) -> Response:
    head = f"<!DOCTYPE html>\n<html><head><title>{title}</title></head><body>\n"
    text = head + "<br>\n".join(links) + "\n</body></html>\n"
    return Response(text, mimetype="text/html")
