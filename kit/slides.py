"""``python -m kit slides``: build each deck in ``slides/`` into one self-contained HTML file.

A deck is a Markdown file (``slides/NN_name.md``). A line holding only ``---`` starts the next
slide, a line holding only ``--`` starts a slide below the current one (a vertical slide), and
a line holding only ``Note:`` starts the speaker notes of the slide. Code fences are left alone.

Every built file works with no network: reveal.js (from the pinned ``sphinx-revealjs`` package),
its notes plugin, the theme, its fonts and every image are written into the HTML itself.
"""

from __future__ import annotations

import argparse
import base64
import html
import importlib.util
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from kit.errors import KitError
from kit.paths import ROOT

SOURCE = ROOT / "slides"
BUILD = SOURCE / "build"
SUPPORTED_REVEAL = (4, 5)
IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg"}
FONTS = [  # (file in the theme's fonts folder, CSS weight, CSS style)
    ("source-sans-pro-regular.woff", "normal", "normal"),
    ("source-sans-pro-italic.woff", "normal", "italic"),
    ("source-sans-pro-semibold.woff", "600", "normal"),
]
REVEAL_OPTIONS = {
    "hash": True,
    "width": 1280,
    "height": 720,
    "margin": 0.04,
    "transition": "fade",
    "transitionSpeed": "fast",
    "slideNumber": "c/t",
    "showNotes": False,
}
_FENCE = re.compile(r"^(```|~~~)")


@dataclass
class Slide:
    """One slide: its Markdown body, its speaker notes, and the slides stacked below it."""

    body: str
    notes: str = ""
    below: list[Slide] = field(default_factory=list)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source", type=Path, default=SOURCE, help="folder of deck sources (default: slides/)"
    )
    parser.add_argument(
        "--out", type=Path, default=BUILD, help="where to write the HTML (default: slides/build/)"
    )


def run(args: argparse.Namespace) -> int:
    for path in build_all(args.source, args.out):
        print(f"built {_shown(path)}")
    return 0


def build_all(source: Path, out: Path) -> list[Path]:
    """Build every ``*.md`` deck in ``source`` (except README/INSTRUCTOR) into ``out``."""
    decks = deck_sources(source)
    if not decks:
        raise KitError(f"no decks (NN_name.md) found in {_shown(source)}")
    reveal = RevealFiles.find()
    out.mkdir(parents=True, exist_ok=True)
    built = []
    for deck in decks:
        target = out / f"{deck.stem}.html"
        target.write_text(build_deck(deck, reveal), encoding="utf-8")
        built.append(target)
    return built


def deck_sources(source: Path) -> list[Path]:
    """The deck files: Markdown files whose names start with a number, in order."""
    return sorted(path for path in source.glob("[0-9]*.md") if path.is_file())


def build_deck(deck: Path, reveal: RevealFiles) -> str:
    """The whole HTML page of one deck, with nothing left to fetch."""
    slides = split_slides(deck.read_text(encoding="utf-8"))
    renderer = _Renderer(deck)
    sections = "\n".join(_section(slide, renderer) for slide in slides)
    title = _title(slides)
    return _PAGE.format(
        title=html.escape(title),
        css=reveal.css() + _pygments_css() + _kit_css(deck.parent),
        sections=sections,
        reveal_js=_script(reveal.read("dist/reveal.js")),
        notes_js=_script(reveal.read("plugin/notes/notes.js")),
        options=json.dumps(REVEAL_OPTIONS),
    )


def split_slides(text: str) -> list[Slide]:
    """Cut a deck's Markdown into slides at ``---`` / ``--`` lines outside code fences."""
    slides: list[Slide] = []
    current: list[str] = []
    notes: list[str] | None = None
    vertical = False
    in_fence = False

    def close() -> None:
        slide = Slide("\n".join(current).strip(), "\n".join(notes or []).strip())
        if vertical and slides:
            slides[-1].below.append(slide)
        else:
            slides.append(slide)

    for line in text.splitlines():
        if _FENCE.match(line.strip()):
            in_fence = not in_fence
        stripped = line.strip()
        if not in_fence and stripped in ("---", "--"):
            close()
            current, notes, vertical = [], None, stripped == "--"
        elif not in_fence and stripped == "Note:":
            notes = []
        elif notes is not None:
            notes.append(line)
        else:
            current.append(line)
    close()
    return [slide for slide in slides if slide.body or slide.below]


class RevealFiles:
    """The reveal.js distribution shipped inside the ``sphinx-revealjs`` package."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def find(cls) -> RevealFiles:
        spec = importlib.util.find_spec("sphinx_revealjs")
        if spec is None or not spec.submodule_search_locations:
            raise KitError(
                "sphinx-revealjs (its reveal.js) is a maintainer's tool, not installed here: "
                "run `make setup MAINTAINER=1` (python -m kit setup --maintainer)"
            )
        files = cls(Path(next(iter(spec.submodule_search_locations))) / "_static" / "revealjs")
        major = files.version()[0]
        if major not in SUPPORTED_REVEAL:
            raise KitError(
                f"sphinx-revealjs ships reveal.js {'.'.join(map(str, files.version()))}; "
                f"the decks are tested with reveal.js {' or '.join(map(str, SUPPORTED_REVEAL))}"
            )
        return files

    def read(self, relative: str) -> str:
        return (self.root / relative).read_text(encoding="utf-8")

    def version(self) -> tuple[int, ...]:
        match = re.search(r"reveal\.js (\d+)\.(\d+)\.(\d+)", self.read("dist/reveal.js")[:400])
        if match is None:
            raise KitError(f"cannot read reveal.js's version in {self.root / 'dist/reveal.js'}")
        return tuple(int(part) for part in match.groups())

    def css(self) -> str:
        theme = re.sub(r"@import url\([^)]*\);", "", self.read("dist/theme/white.css"))
        leftover = re.search(r"url\((?!data:)[^)]*\)", theme)
        if leftover:
            raise KitError(f"the reveal.js theme still refers to {leftover.group(0)}")
        return self.read("dist/reset.css") + self.read("dist/reveal.css") + self._fonts() + theme

    def _fonts(self) -> str:
        folder = self.root / "dist" / "theme" / "fonts" / "source-sans-pro"
        faces = []
        for name, weight, style in FONTS:
            data = base64.b64encode((folder / name).read_bytes()).decode("ascii")
            faces.append(
                "@font-face{font-family:'Source Sans Pro';"
                f"src:url(data:font/woff;base64,{data}) format('woff');"
                f"font-weight:{weight};font-style:{style}}}"
            )
        return "".join(faces)


def _section(slide: Slide, renderer: _Renderer) -> str:
    own = _content(slide, renderer)
    if not slide.below:
        return own
    stacked = "".join(_content(below, renderer) for below in slide.below)
    return f"<section>{own}{stacked}</section>"


def _content(slide: Slide, renderer: _Renderer) -> str:
    notes = f'<aside class="notes">{renderer.render(slide.notes)}</aside>' if slide.notes else ""
    return f"<section>{renderer.render(slide.body)}{notes}</section>"


def _title(slides: list[Slide]) -> str:
    for slide in slides:
        match = re.search(r"^#\s+(.+)$", slide.body, flags=re.MULTILINE)
        if match:
            return match.group(1).strip()
    return "Slides"


class _Renderer:
    """Markdown to HTML, with images inlined as data URIs and code highlighted by Pygments."""

    def __init__(self, deck: Path) -> None:
        import mistune

        self.deck = deck
        owner = self

        class Html(mistune.HTMLRenderer):
            def image(self, text: str, url: str, title: str | None = None) -> str:
                return owner.image(text, url)

            def block_code(self, code: str, info: str | None = None) -> str:
                return owner.code(code, info)

        self._markdown = mistune.create_markdown(
            renderer=Html(escape=False), plugins=["table", "strikethrough"]
        )

    def render(self, text: str) -> str:
        return str(self._markdown(text))

    def image(self, alt: str, url: str) -> str:
        path = (self.deck.parent / url).resolve()
        kind = IMAGE_TYPES.get(path.suffix.lower())
        if "://" in url or kind is None:
            raise KitError(
                f"{_shown(self.deck)}: image {url!r} must be a local .svg/.png/.jpg file"
            )
        if not path.is_file():
            raise KitError(
                f"{_shown(self.deck)}: image {url} not found (looked for {_shown(path)})"
            )
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'<img class="diagram" alt="{html.escape(alt)}" src="data:{kind};base64,{data}">'

    def code(self, code: str, info: str | None) -> str:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import TextLexer, get_lexer_by_name
        from pygments.util import ClassNotFound

        language = (info or "").split()[0] if info else ""
        try:
            lexer = get_lexer_by_name(language) if language else TextLexer()
        except ClassNotFound:
            lexer = TextLexer()
        body = highlight(code, lexer, HtmlFormatter(nowrap=True))
        return f'<pre class="code"><code>{body}</code></pre>\n'


def _pygments_css() -> str:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(style="default").get_style_defs(".reveal pre.code")


def _kit_css(folder: Path) -> str:
    """The kit's look (bigger code, diagrams sized to the slide): the deck's own, else the kit's."""
    own = folder / "kit.css"
    return (own if own.is_file() else SOURCE / "kit.css").read_text(encoding="utf-8")


def _script(source: str) -> str:
    """JavaScript safe to put between <script> tags."""
    return source.replace("</script", "<\\/script")


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return path.as_posix()


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<div class="reveal"><div class="slides">
{sections}
</div></div>
<script>{reveal_js}</script>
<script>{notes_js}</script>
<script>Reveal.initialize(Object.assign({options}, {{plugins: [RevealNotes]}}));</script>
</body>
</html>
"""
