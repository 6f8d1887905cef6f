"""The decks: their sources follow the kit's rules, and every built slide shows, offline.

The browser tests build every deck into a temporary folder, open each one in headless Chromium
with every request outside ``file:`` and ``data:`` refused, and step through every slide,
vertical ones included. Set ``SLIDES_SCREENSHOTS=folder`` to keep a PNG of each slide.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from kit.browser import INSTALL_CHROMIUM, chromium, find_chromium, offline_context
from kit.cli import main
from kit.errors import KitError
from kit.notebooks import SOLUTIONS
from kit.slides import SOURCE, build_all, deck_sources, split_slides

DECKS = deck_sources(SOURCE)
TIMING = re.compile(r"Time:\s*(\d+)\s*min")
EXERCISES = re.compile(r"Exercises:\s*(\d+)\s*min")
MAX_CODE_LINES = 12
MAX_CODE_WIDTH = 84  # characters that fit a 1280-pixel-wide slide at the kit's code size

needs_chromium = pytest.mark.skipif(
    find_chromium() is None,
    reason=INSTALL_CHROMIUM,
)


def _slides(deck: Path):
    for slide in split_slides(deck.read_text(encoding="utf-8")):
        yield slide
        yield from slide.below


def _code_blocks(markdown: str) -> list[list[str]]:
    blocks, current = [], None
    for line in markdown.splitlines():
        if line.strip().startswith("```"):
            if current is None:
                current = []
            else:
                blocks.append(current)
                current = None
        elif current is not None:
            current.append(line)
    return blocks


def test_there_is_one_deck_per_stage():
    stages = [int(path.name[:2]) for path in sorted(SOLUTIONS.glob("[0-9][0-9]_*.ipynb"))]
    assert [int(deck.name[:2]) for deck in DECKS] == stages


@pytest.mark.parametrize("deck", DECKS, ids=lambda deck: deck.stem)
def test_deck_has_8_to_14_slides_each_with_timed_notes(deck: Path):
    slides = list(_slides(deck))
    assert 8 <= len(slides) <= 14, f"{deck.name}: expected 8-14 slides, got {len(slides)}"
    untimed = [slide.body.splitlines()[0] for slide in slides if not TIMING.search(slide.notes)]
    assert not untimed, f"{deck.name}: slides without 'Time: N min' in their notes: {untimed}"


@pytest.mark.parametrize("deck", DECKS, ids=lambda deck: deck.stem)
def test_code_on_a_slide_fits_a_projector(deck: Path):
    for slide in _slides(deck):
        for block in _code_blocks(slide.body):
            assert len(block) <= MAX_CODE_LINES, (
                f"{deck.name}, slide '{slide.body.splitlines()[0]}': expected at most "
                f"{MAX_CODE_LINES} lines of code, got {len(block)}"
            )
            too_wide = [line for line in block if len(line) > MAX_CODE_WIDTH]
            assert not too_wide, f"{deck.name}: code over {MAX_CODE_WIDTH} characters: {too_wide}"


def test_a_missing_image_is_one_line_naming_the_deck(tmp_path: Path, capsys):
    (tmp_path / "01_broken.md").write_text("# A deck\n\n![map](images/gone.svg)\n")
    with pytest.raises(KitError, match=r"01_broken\.md: image images/gone\.svg not found"):
        build_all(tmp_path, tmp_path / "build")

    code = main(["slides", "--source", str(tmp_path), "--out", str(tmp_path / "build")])

    assert code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "01_broken.md" in error


def test_the_schedule_adds_up_to_the_day_and_each_deck_fits_its_slot():
    """The first day's rows add up to its hours; day 2's schedule grows with its stages."""
    guide = (SOURCE / "INSTRUCTOR.md").read_text(encoding="utf-8")
    rows = []
    for schedule in _day_schedules(guide):
        day = int(re.search(r"day of (\d+) hours", schedule).group(1)) * 60
        day_rows = re.findall(SCHEDULE_ROW, schedule, flags=re.MULTILINE)
        assert sum(int(minutes) for _, _, minutes in day_rows) == day, schedule.splitlines()[0]
        rows += day_rows
    for deck in DECKS:
        stage = int(deck.name[:2])
        slot = [int(m) for _, what, m in rows if what.strip().startswith(f"Stage {stage}")]
        notes = "\n".join(slide.notes for slide in _slides(deck))
        needed = sum(int(m) for m in TIMING.findall(notes) + EXERCISES.findall(notes))
        assert slot, f"INSTRUCTOR.md has no schedule row starting 'Stage {stage}'"
        assert EXERCISES.search(notes), f"{deck.name}: no 'Exercises: N min' in its notes"
        assert needed <= slot[0], (
            f"{deck.name}: slides and exercises take {needed} min, the schedule gives {slot[0]}"
        )


SCHEDULE_ROW = r"^\| (\d\d:\d\d) \| ([^|]+) \| (\d+) \|"


def _day_schedules(guide: str) -> list[str]:
    """The guide's ``## `` sections that give a day's schedule (a table of start times)."""
    sections = re.split(r"^(?=## )", guide, flags=re.MULTILINE)
    schedules = [section for section in sections if re.search(SCHEDULE_ROW, section, re.M)]
    assert schedules, "INSTRUCTOR.md has no schedule"
    return schedules


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return build_all(SOURCE, tmp_path_factory.mktemp("slides"))


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as opened:
        yield opened


_SLIDE_PROBLEMS = """() => {
    const slide = Reveal.getCurrentSlide();
    const { width, height } = Reveal.getConfig();
    const problems = [];
    const images = [...slide.querySelectorAll('img')];
    for (const image of images) {
        if (!image.complete || image.naturalWidth === 0) problems.push('broken image ' + image.alt);
    }
    const text = slide.innerText.replace(/\\s+/g, ' ').trim();
    if (!text && images.length === 0) problems.push('blank slide');
    const first = slide.querySelector('h1, h2, h3, p, li, pre, img, table');
    if (first) {
        const box = first.getBoundingClientRect();
        const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
        if (!hit || !slide.contains(hit)) problems.push('content not visible: ' + first.tagName);
    }
    if (slide.scrollHeight > height) problems.push(`too tall: ${slide.scrollHeight}px`);
    if (slide.scrollWidth > width) problems.push(`too wide: ${slide.scrollWidth}px`);
    for (const pre of slide.querySelectorAll('pre')) {
        if (pre.scrollWidth > pre.clientWidth) problems.push('code wider than its box');
    }
    return { title: text.slice(0, 40), problems };
}"""


def _problems(browser, decks: list[Path], shots: str | None = None) -> list[str]:
    """Everything wrong on any slide of ``decks``, one line each; empty when all is well."""
    context, outside = offline_context(browser)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    found = []
    for deck in decks:
        page.goto(deck.as_uri())
        page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=10_000)
        page.evaluate("Reveal.configure({ transition: 'none', backgroundTransition: 'none' })")
        positions = page.evaluate("Reveal.getSlides().map(slide => Reveal.getIndices(slide))")
        for position in positions:
            h, v = position["h"], position.get("v") or 0
            page.evaluate(f"Reveal.slide({h}, {v})")
            result = page.evaluate(_SLIDE_PROBLEMS)
            found += [f"{deck.name} slide {h}/{v}: {problem}" for problem in result["problems"]]
            if shots:
                Path(shots).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(Path(shots) / f"{deck.stem}_{h:02d}_{v}.png"))
    context.close()
    found += [f"request that would leave the machine: {url}" for url in outside]
    found += [f"console error: {error}" for error in errors]
    return found


@needs_chromium
def test_every_slide_shows_offline_with_no_errors(built: list[Path], browser):
    problems = _problems(browser, built, shots=os.environ.get("SLIDES_SCREENSHOTS"))

    assert not problems, "\n".join(problems)


@needs_chromium
def test_the_browser_check_catches_a_bad_deck(tmp_path: Path, browser):
    long_code = "\n".join(f"line_{n} = {n}" for n in range(30))
    (tmp_path / "01_bad.md").write_text(
        "# Title\n\n---\n\n<div></div>\n\n---\n\n"
        '<img alt="remote" src="https://example.com/x.png">\n\n---\n\n'
        f"```python\n{long_code}\n```\n\n---\n\n<script>undefinedCall()</script>\n\nok\n"
    )
    problems = "\n".join(_problems(browser, build_all(tmp_path, tmp_path / "build")))

    assert "slide 1/0: blank slide" in problems
    assert "broken image remote" in problems
    assert "https://example.com/x.png" in problems
    assert "slide 3/0: too tall" in problems
    assert "undefinedCall" in problems


@needs_chromium
def test_speaker_view_opens_offline_with_the_notes(built: list[Path], browser):
    context, outside = offline_context(browser)
    page = context.new_page()
    page.goto(built[1].as_uri() + "#/1")
    page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=10_000)
    with context.expect_page() as opened:
        page.keyboard.press("s")
    speaker = opened.value
    speaker.wait_for_function(
        "document.querySelector('.speaker-controls-notes .value')?.innerText.includes('Time:')",
        timeout=10_000,
    )
    context.close()
    assert not outside, f"the speaker view asked the network for {outside}"
