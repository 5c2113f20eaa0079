"""The lessons present as slides: metadata by tools/slides.py's rule, nbconvert's slides, RISE offline.

What docs/teaching.md says about presenting is checked here: the slide metadata follows the rule,
``jupyter nbconvert --to slides`` makes one reveal.js section per slide the metadata asks for, the
HTML it writes loads reveal.js from a CDN unless pointed at a local copy, and the jupyterlab-rise
extension (the offline way) carries its own reveal.js and the command and shortcut the page names.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PRESENTED = ROOT / "notebooks" / "01_data.ipynb"
TEACHING = ROOT / "docs" / "teaching.md"
VENV_SHARE = Path(sys.prefix) / "share" / "jupyter"


def load_slides_tool():
    spec = importlib.util.spec_from_file_location("course_slides_tool", ROOT / "tools" / "slides.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


slides = load_slides_tool()


# --- the rule ------------------------------------------------------------------------------------


def markdown(text: str | list[str], cell_id: str = "m") -> dict:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": text}


def code(text: str, tags: tuple[str, ...] = (), cell_id: str = "c") -> dict:
    return {"cell_type": "code", "id": cell_id, "execution_count": None, "metadata": {"tags": list(tags)},
            "source": text, "outputs": []}


def test_the_rule_on_each_kind_of_cell() -> None:
    assert slides.slide_type(markdown("# 01 · Title\n\nText")) == "slide"
    assert slides.slide_type(markdown("\n## 2. A section")) == "slide"
    assert slides.slide_type(markdown(["### A subsection\n", "text"])) == "subslide"
    assert slides.slide_type(markdown("#### Smaller\n")) == "-"
    assert slides.slide_type(markdown("Prose first.\n\n## A heading later")) == "-"
    assert slides.slide_type(markdown("#not a heading")) == "-"
    assert slides.slide_type(code("# helper code: a plot\nplt.show()")) == "-"
    assert slides.slide_type(code("# A comment that looks like a heading")) == "-"
    assert slides.slide_type(code("model.fit(x)", tags=("nbval-skip", "raises-exception"))) == "-"


def test_apply_sets_only_the_slide_type_and_check_sees_the_difference(tmp_path: Path) -> None:
    notebook = {"cells": [markdown("# Title"), code("x = 1"), markdown("### Sub"),
                          {**markdown("## Next"), "metadata": {"tags": ["keep"], "slideshow": {"slide_type": "skip"}}}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "01_try.ipynb"
    path.write_text(json.dumps(notebook))
    assert slides.main(["--check", str(path)]) == 1
    assert slides.main([str(path)]) == 0
    written = json.loads(path.read_text())
    assert [cell["metadata"]["slideshow"]["slide_type"] for cell in written["cells"]] == ["slide", "-", "subslide",
                                                                                         "slide"]
    assert written["cells"][3]["metadata"]["tags"] == ["keep"]
    assert slides.main(["--check", str(path)]) == 0
    before = path.read_bytes()
    assert slides.main([str(path)]) == 0
    assert path.read_bytes() == before, "a notebook that follows the rule is not rewritten"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_slide_metadata_follows_the_rule(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    wrong = slides.mismatches(notebook)
    assert not wrong, (f"{len(wrong)} cells' slide metadata is not the rule's (first: cell {wrong[0][0]} has "
                       f"{wrong[0][1]!r}, the rule gives {wrong[0][2]!r}): run `.venv/bin/python tools/slides.py`")


# --- nbconvert --to slides ------------------------------------------------------------------------


class SectionCounter(HTMLParser):
    """Counts reveal.js sections by depth: depth 1 are the slides, depth 2 the vertical slides in them."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.by_depth: dict[int, int] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self.depth += 1
            self.by_depth[self.depth] = self.by_depth.get(self.depth, 0) + 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self.depth -= 1


@pytest.fixture(scope="module")
def slides_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("slides")
    jupyter = Path(sys.executable).with_name("jupyter")
    result = subprocess.run([str(jupyter), "nbconvert", "--to", "slides", str(PRESENTED), "--output-dir", str(out)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return (out / f"{PRESENTED.stem}.slides.html").read_text(encoding="utf-8")


def test_nbconvert_makes_one_section_per_slide_the_metadata_asks_for(slides_html: str) -> None:
    notebook = json.loads(PRESENTED.read_text(encoding="utf-8"))
    wanted_slides, wanted_subslides = slides.slide_count(notebook)
    counter = SectionCounter()
    counter.feed(slides_html)
    assert counter.depth == 0, "unbalanced <section> tags"
    # nbconvert wraps every slide in an outer <section> and each of its (sub)slides in an inner one.
    assert counter.by_depth.get(1, 0) == wanted_slides
    assert counter.by_depth.get(2, 0) == wanted_slides + wanted_subslides
    assert max(counter.by_depth) == 2


def test_nbconvert_slides_load_revealjs_from_a_cdn_unless_given_a_local_copy(slides_html: str) -> None:
    # What docs/teaching.md says: the HTML file needs the internet for reveal.js (and require.js, jQuery)...
    assert re.search(r'src="https://cdnjs\.cloudflare\.com/ajax/libs/require\.js/', slides_html)
    assert re.search(r'"https://unpkg\.com/reveal\.js@[0-9.]+/dist/reveal\.js"', slides_html)
    # ...and --SlidesExporter.reveal_url_prefix (and require_js_url, jquery_url) point it at local copies.
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    config = Config()
    config.SlidesExporter.reveal_url_prefix = "reveal.js"
    config.SlidesExporter.require_js_url = "require.min.js"
    config.SlidesExporter.jquery_url = "jquery.min.js"
    notebook = {"cells": [markdown("# One")], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    import nbformat

    html, _ = SlidesExporter(config=config).from_notebook_node(nbformat.from_dict(notebook))
    assert '"reveal.js/dist/reveal.js"' in html and 'href="reveal.js/dist/reveal.css"' in html
    assert 'src="require.min.js"' in html and 'src="jquery.min.js"' in html
    assert "unpkg.com" not in html


# --- RISE in JupyterLab: the offline way ----------------------------------------------------------


def rise_package() -> Path:
    spec = importlib.util.find_spec("jupyterlab_rise")
    assert spec is not None and spec.origin is not None, "jupyterlab-rise is not installed (requirements.txt pins it)"
    return Path(spec.origin).parent


def test_rise_is_installed_enabled_and_carries_its_own_revealjs() -> None:
    package = rise_package()
    enabled = json.loads((Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.d" /
                          "jupyterlab_rise.json").read_text())
    assert enabled["ServerApp"]["jpserver_extensions"]["jupyterlab_rise"] is True
    bundles = sorted((package / "static").glob("*.js"))
    assert bundles
    text = "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in bundles)
    assert re.search(r'VERSION="4\.[0-9.]+"', text), "RISE's slideshow page should bundle reveal.js 4"
    for cdn in ("unpkg.com", "cdnjs.cloudflare.com", "cdn.jsdelivr.net"):
        assert cdn not in text, f"RISE's page loads something from {cdn}: it would not work offline"


def test_the_rise_command_and_shortcut_docs_name_exist() -> None:
    extension = VENV_SHARE / "labextensions" / "jupyterlab-rise"
    plugin = json.loads((extension / "schemas" / "jupyterlab-rise" / "plugin.json").read_text())
    shortcuts = {(item["command"], tuple(item["keys"])) for item in plugin["jupyter.lab.shortcuts"]}
    assert ("RISE:preview", ("Alt R",)) in shortcuts
    labels = "\n".join(path.read_text(encoding="utf-8", errors="replace")
                       for path in (extension / "static").glob("*.js"))
    assert "Render as Reveal Slideshow" in labels and "Open as Reveal Slideshow" in labels
    teaching = TEACHING.read_text(encoding="utf-8")
    for promised in ("Render as Reveal Slideshow", "Alt+R", "Open as Reveal Slideshow"):
        assert promised in teaching, f"docs/teaching.md should name {promised!r}"
