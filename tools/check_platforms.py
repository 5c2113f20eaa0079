"""Check that every pin in requirements.txt has an installable distribution on each supported Python and platform.

    .venv/bin/python tools/check_platforms.py              # the pins: a table and a summary of gaps
    .venv/bin/python tools/check_platforms.py --markdown   # the same as markdown, for docs/platforms.md
    .venv/bin/python tools/check_platforms.py --resolve    # also run pip's resolver on every cell

For CPython 3.11, 3.12 and 3.13 on Windows x86-64, macOS arm64, Linux x86-64 and Linux aarch64 it
reads the file list of every ``name==version`` pin from the package index (PyPI's JSON simple API,
PEP 691: a few MB in all, no wheel is downloaded) and says per cell whether pip would find

    ✓ wheel   a binary wheel built for that Python and platform
    ✓ pure    only a pure-Python wheel (``py3-none-any``), which installs everywhere
    ~ sdist   only a source archive: pip would have to build it, which may need a compiler
    ✗ none    nothing that installs

then lists the gaps, the nearest versions that have a wheel everywhere, and the oldest OS each
platform needs (glibc on Linux, macOS version on Macs) for the pins' wheels.

``--resolve`` also asks pip's own resolver, once per cell, whether the whole set including
transitive dependencies installs from wheels (``pip install --dry-run --only-binary=:all:``), and
on Linux x86-64 also with ``tensorflow[and-cuda]`` (``course.py --gpu``), and names the oldest OS
the whole environment runs on. The index's project pages are fetched once and served to pip from
memory; pip reads each wheel's metadata with HTTP range requests (``--use-feature=fast-deps``)
instead of downloading it. The fifteen runs take about seven minutes and 150 MB of traffic on two
cores, so this is off by default.

The index is asked directly (``--index-url``, PyPI by default): pip runs with ``--isolated``, so a
pip.conf with extra indexes, local wheel folders or a constraints file cannot change the answer.

This is not part of ``python3 course.py test``: it needs the network and its answer changes
whenever a package publishes or yanks files, while the tests must run offline and repeatably.
Exit code 0 whatever the gaps (they are information for whoever chooses the pins); 2 when the
index cannot be reached. Needs ``packaging`` (in the course's .venv); ``--resolve`` needs pip.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements.txt"
PYPI_SIMPLE = "https://pypi.org/simple"
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
HTTP_TIMEOUT_SECONDS = 60
PIP_TIMEOUT_SECONDS = 900

SUPPORTED_PYTHONS = ((3, 11), (3, 12), (3, 13))
# The newest OS a wheel may ask for and still count: wheels for anything newer would not install on
# a current system. glibc 2.41 is Debian 13's; macOS 26 is the current release.
NEWEST_GLIBC = (2, 41)
NEWEST_MACOS = (26, 0)
MANYLINUX_LEGACY_GLIBC = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}

WHEEL, PURE, SDIST, NONE = "✓ wheel", "✓ pure", "~ sdist", "✗ none"
INSTALLABLE_FROM_WHEEL = {WHEEL, PURE}

OsFloor = tuple[int, ...]  # the oldest OS a wheel runs on: (glibc major, minor), (macOS major, minor), ()


@dataclass(frozen=True)
class Platform:
    label: str
    column: str
    os_name: str  # what OsFloor counts, "" when wheels name no OS version
    floor_of: Callable[[str], OsFloor | None]  # platform tag -> OS floor, None when the tag is not this platform
    pip_platform_tags: tuple[str, ...]  # what pip --platform needs to accept every wheel up to the newest OS


def manylinux_floor(platform_tag: str, arch: str) -> OsFloor | None:
    """(2, 27) for manylinux_2_27_<arch>, (2, 17) for manylinux2014_<arch>, None for another platform."""
    modern = re.fullmatch(rf"manylinux_(\d+)_(\d+)_{arch}", platform_tag)
    if modern:
        floor = (int(modern[1]), int(modern[2]))
        return floor if floor <= NEWEST_GLIBC else None
    legacy, _, tag_arch = platform_tag.partition("_")
    return MANYLINUX_LEGACY_GLIBC.get(legacy) if tag_arch == arch else None


def macos_arm64_floor(platform_tag: str) -> OsFloor | None:
    """(12, 0) for macosx_12_0_arm64 (or universal2), None for another platform or a newer macOS."""
    match = re.fullmatch(r"macosx_(\d+)_(\d+)_(arm64|universal2)", platform_tag)
    if not match:
        return None
    floor = (int(match[1]), int(match[2]))
    return floor if floor <= NEWEST_MACOS else None


def manylinux_pip_tags(arch: str) -> tuple[str, ...]:
    """pip --platform does not widen manylinux_2_X to older glibc versions: list them all."""
    modern = [f"manylinux_{NEWEST_GLIBC[0]}_{minor}_{arch}" for minor in range(NEWEST_GLIBC[1], 4, -1)]
    return (*modern, *(f"{legacy}_{arch}" for legacy in MANYLINUX_LEGACY_GLIBC))


PLATFORMS = (
    Platform("Windows x86-64", "win", "", lambda tag: () if tag == "win_amd64" else None, ("win_amd64",)),
    Platform(
        "macOS arm64",
        "mac arm64",
        "macOS",
        macos_arm64_floor,
        (f"macosx_{NEWEST_MACOS[0]}_{NEWEST_MACOS[1]}_arm64",),  # pip widens this to older macOS itself
    ),
    Platform(
        "Linux x86-64",
        "linux x86-64",
        "glibc",
        lambda tag: manylinux_floor(tag, "x86_64"),
        manylinux_pip_tags("x86_64"),
    ),
    Platform(
        "Linux aarch64",
        "linux aarch64",
        "glibc",
        lambda tag: manylinux_floor(tag, "aarch64"),
        manylinux_pip_tags("aarch64"),
    ),
)
LINUX_X86_64 = PLATFORMS[2]
TARGETS = [(platform, python) for platform in PLATFORMS for python in SUPPORTED_PYTHONS]


class IndexUnreachable(Exception):
    """The package index did not answer (network, TLS, server error)."""


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    requirement_line: str


@dataclass(frozen=True)
class Distribution:
    filename: str
    version: Version
    tags: frozenset[Tag]  # empty for a source archive
    requires_python: str
    yanked: bool


@dataclass(frozen=True)
class Cell:
    verdict: str  # WHEEL, PURE, SDIST or NONE
    os_floor: OsFloor = ()
    yanked: bool = False


@dataclass
class Project:
    name: str
    on_index: bool
    distributions: list[Distribution] = field(default_factory=list)

    def releases(self) -> dict[Version, list[Distribution]]:
        by_version: dict[Version, list[Distribution]] = {}
        for distribution in self.distributions:
            by_version.setdefault(distribution.version, []).append(distribution)
        return by_version


@dataclass(frozen=True)
class Resolution:
    verdict: str  # "✓ N pkgs" or "✗ fails"
    installed: tuple[tuple[str, str], ...] = ()  # (name, version) of every package pip would install
    errors: tuple[str, ...] = ()


def read_pins(requirements: Path) -> list[Pin]:
    """The ``name==version`` lines of a requirements file, comments and blank lines skipped."""
    pins = []
    for raw_line in requirements.read_text(encoding="utf-8").splitlines():
        line = raw_line.split("#", 1)[0].strip()
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*==\s*([^\s;]+)", line)
        if match:
            pins.append(Pin(match[1], match[3], line))
        elif line:
            print(f"note: not a name==version pin, not checked: {line}", file=sys.stderr)
    return pins


def parse_distribution(file_entry: dict) -> Distribution | None:
    """A PEP 691 file entry as a Distribution; None for installers, eggs and unparsable names."""
    filename = file_entry["filename"]
    try:
        if filename.endswith(".whl"):
            _, version, _, tags = parse_wheel_filename(filename)
        elif filename.endswith((".tar.gz", ".zip")):
            _, version = parse_sdist_filename(filename)
            tags = frozenset()
        else:
            return None
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None
    return Distribution(
        filename=filename,
        version=version,
        tags=tags,
        requires_python=file_entry.get("requires-python") or "",
        yanked=bool(file_entry.get("yanked")),
    )


class IndexPages:
    """The index's PEP 691 project pages, each fetched once and kept in memory.

    The pin check reads them, and so do pip's resolver runs through ``serve_locally``: without that,
    each of the fifteen runs would fetch the same 40 MB of pages again (PyPI sends no cache headers).
    """

    def __init__(self, index_url: str) -> None:
        self.index_url = index_url.rstrip("/")
        self._pages: dict[str, bytes | None] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    def get(self, name: str) -> bytes | None:
        """The page of a project as PEP 691 JSON, None when the index has no such project."""
        name = canonicalize_name(name)
        with self._locks_lock:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            if name not in self._pages:
                self._pages[name] = self._download(f"{self.index_url}/{name}/")
            return self._pages[name]

    @staticmethod
    def _download(url: str) -> bytes | None:
        request = urllib.request.Request(url, headers={"Accept": SIMPLE_JSON, "User-Agent": "check_platforms.py"})
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:
                content_type = response.headers.get("Content-Type", "")
                if SIMPLE_JSON not in content_type:
                    raise IndexUnreachable(f"{url} answered {content_type!r}, not PEP 691 JSON ({SIMPLE_JSON})")
                return response.read()
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise IndexUnreachable(f"{url}: HTTP {error.code} {error.reason}") from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise IndexUnreachable(f"{url}: {error}") from error


@contextlib.contextmanager
def serve_locally(pages: IndexPages) -> Iterator[str]:
    """Serve the cached project pages on 127.0.0.1 as a PEP 691 index; yields its URL for pip --index-url.

    Only the pages go through it: the files they list keep their absolute URLs on the real index.
    """

    class ProjectPageHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = [part for part in self.path.split("?", 1)[0].split("/") if part]
            try:
                body = pages.get(parts[1]) if len(parts) == 2 and parts[0] == "simple" else None
            except IndexUnreachable as error:
                self.send_error(502, str(error))
                return
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", SIMPLE_JSON)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # pip's requests are not news

    server = ThreadingHTTPServer(("127.0.0.1", 0), ProjectPageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple"
    finally:
        server.shutdown()
        server.server_close()


def fetch_project(pages: IndexPages, name: str) -> Project:
    """Every file the index lists for a project (PEP 691 JSON simple API)."""
    body = pages.get(name)
    if body is None:
        return Project(name, on_index=False)
    try:
        page = json.loads(body)
    except json.JSONDecodeError as error:
        raise IndexUnreachable(f"{pages.index_url}/{canonicalize_name(name)}/: not JSON ({error})") from error
    distributions = [parse_distribution(entry) for entry in page.get("files", [])]
    return Project(name, on_index=True, distributions=[d for d in distributions if d is not None])


def fetch_projects(pages: IndexPages, names: Iterable[str]) -> dict[str, Project]:
    names = sorted(set(names))
    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(zip(names, pool.map(lambda name: fetch_project(pages, name), names), strict=True))


def python_accepts(requires_python: str, python: tuple[int, int]) -> bool:
    if not requires_python:
        return True
    try:
        return SpecifierSet(requires_python).contains(f"{python[0]}.{python[1]}", prereleases=True)
    except InvalidSpecifier:
        return True  # pip, too, ignores a Requires-Python it cannot parse


def interpreter_abi_pairs(python: tuple[int, int]) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(interpreter, abi) pairs CPython 3.X accepts in binary wheels, and in pure ``-any`` wheels."""
    placeholder = "the_platform"
    abi = f"cp{python[0]}{python[1]}"
    tags = [
        *cpython_tags(python_version=python, abis=[abi], platforms=[placeholder]),
        *compatible_tags(python_version=python, interpreter=abi, platforms=[placeholder]),
    ]
    binary = {(tag.interpreter, tag.abi) for tag in tags if tag.platform == placeholder}
    pure = {(tag.interpreter, tag.abi) for tag in tags if tag.platform == "any"}
    return binary, pure


def classify(distributions: list[Distribution], platform: Platform, python: tuple[int, int]) -> Cell:
    """What pip would install from these files of one release on this platform and Python."""
    binary_pairs, pure_pairs = interpreter_abi_pairs(python)
    usable = [d for d in distributions if python_accepts(d.requires_python, python)]
    wheel_floors: list[tuple[OsFloor, bool]] = []  # (OS floor, yanked) of each binary wheel that fits
    pure_wheels_yanked: list[bool] = []
    for distribution in usable:
        for tag in distribution.tags:
            if tag.platform == "any" and (tag.interpreter, tag.abi) in pure_pairs:
                pure_wheels_yanked.append(distribution.yanked)
            elif (tag.interpreter, tag.abi) in binary_pairs:
                floor = platform.floor_of(tag.platform)
                if floor is not None:
                    wheel_floors.append((floor, distribution.yanked))
    if wheel_floors:
        # pip prefers the binary wheel; on an older OS than it needs, a pure wheel beside it still installs.
        floor = () if pure_wheels_yanked else min(floor for floor, _ in wheel_floors)
        return Cell(WHEEL, floor, yanked=all(yanked for _, yanked in wheel_floors))
    if pure_wheels_yanked:
        return Cell(PURE, yanked=all(pure_wheels_yanked))
    sdists = [d for d in usable if not d.tags]
    if sdists:
        return Cell(SDIST, yanked=all(d.yanked for d in sdists))
    return Cell(NONE)


def check_pin(pin: Pin, project: Project) -> dict[tuple[Platform, tuple[int, int]], Cell]:
    release = project.releases().get(Version(pin.version), [])
    return {(platform, python): classify(release, platform, python) for platform, python in TARGETS}


def nearest_complete_versions(pin: Pin, project: Project) -> tuple[Version | None, Version | None]:
    """The closest older and newer releases with a wheel (binary or pure) for every target, not yanked."""
    pinned = Version(pin.version)
    complete = []
    for version, distributions in project.releases().items():
        if version == pinned or (version.is_prerelease and not pinned.is_prerelease):
            continue
        unyanked = [d for d in distributions if not d.yanked]
        if all(classify(unyanked, platform, python).verdict in INSTALLABLE_FROM_WHEEL for platform, python in TARGETS):
            complete.append(version)
    older = max((v for v in complete if v < pinned), default=None)
    newer = min((v for v in complete if v > pinned), default=None)
    return older, newer


def pip_resolve(index_url: str, requirements: list[str], platform: Platform, python: tuple[int, int]) -> Resolution:
    """pip's resolver, wheels only, for another platform and Python: does the whole set install?"""
    abi = f"cp{python[0]}{python[1]}"
    with tempfile.TemporaryDirectory(prefix="check_platforms_") as scratch:
        report_path = Path(scratch) / "report.json"
        command = [
            sys.executable, "-m", "pip", "install", "--isolated", "--dry-run", "--ignore-installed", "--quiet",
            "--use-feature=fast-deps", "--report", str(report_path), "--only-binary=:all:",
            "--index-url", index_url, "--python-version", f"{python[0]}.{python[1]}",
            "--implementation", "cp", "--abi", abi, "--cache-dir", str(Path(scratch) / "cache"),
            *(argument for tag in platform.pip_platform_tags for argument in ("--platform", tag)),
            *requirements,
        ]  # fmt: skip
        try:
            completed = subprocess.run(command, capture_output=True, text=True, timeout=PIP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            return Resolution("✗ timeout", errors=(f"pip did not finish within {PIP_TIMEOUT_SECONDS} s",))
        if completed.returncode != 0 or not report_path.exists():
            output_lines = (completed.stderr + completed.stdout).splitlines()
            errors = (
                tuple(
                    line.removeprefix("ERROR: ")
                    for line in output_lines
                    if line.startswith("ERROR")
                    and "No matching distribution found" not in line  # repeats the line before
                )
                or tuple(output_lines[-3:])
            )
            return Resolution("✗ fails", errors=errors)
        report = json.loads(report_path.read_text(encoding="utf-8"))
    installed = tuple((item["metadata"]["name"], item["metadata"]["version"]) for item in report.get("install", []))
    return Resolution(f"✓ {len(installed)} pkgs", installed)


def format_floor(platform: Platform, floor: OsFloor) -> str:
    return f"{platform.os_name} ≥ {'.'.join(map(str, floor))}"


def render_table(row_titles: list[str], rows: list[list[str]], markdown: bool) -> str:
    """Rows by columns, a column per (platform, Python); markdown, or aligned text with a platform header line."""
    if markdown:
        titles = ["", *(f"{platform.column} {python[0]}.{python[1]}" for platform, python in TARGETS)]
        table = [titles, *([title, *row] for title, row in zip(row_titles, rows, strict=True))]
        lines = ["| " + " | ".join(row) + " |" for row in table]
        lines.insert(1, "|" + "|".join(["---"] + [":-:"] * len(TARGETS)) + "|")
        return "\n".join(lines)
    python_titles = [f"{python[0]}.{python[1]}" for _, python in TARGETS]
    title_width = max(map(len, row_titles))
    cell_width = max(len(text) for text in [*python_titles, *(cell for row in rows for cell in row)])
    group_width = len(SUPPORTED_PYTHONS) * (cell_width + 2) - 2
    lines = [
        " " * title_width + "  " + "  ".join(platform.label.center(group_width) for platform in PLATFORMS),
        " " * title_width + "  " + "  ".join(title.ljust(cell_width) for title in python_titles),
    ]
    lines += [
        title.ljust(title_width) + "  " + "  ".join(cell.ljust(cell_width) for cell in row)
        for title, row in zip(row_titles, rows, strict=True)
    ]
    return "\n".join(line.rstrip() for line in lines)


def describe_targets(targets: list[tuple[Platform, tuple[int, int]]]) -> str:
    """'Windows x86-64 (3.11, 3.12); macOS arm64 (3.13)'."""
    by_platform: dict[Platform, list[str]] = {}
    for platform, python in targets:
        by_platform.setdefault(platform, []).append(f"{python[0]}.{python[1]}")
    return "; ".join(f"{platform.label} ({', '.join(pythons)})" for platform, pythons in by_platform.items())


def summarize_pins(
    pins: list[Pin], projects: dict[str, Project], cells: dict[Pin, dict[tuple[Platform, tuple[int, int]], Cell]]
) -> list[str]:
    lines = []
    for pin in pins:
        project = projects[pin.name]
        if not project.on_index:
            lines.append(f"- {pin.requirement_line}: the index has no project {pin.name!r}.")
            continue
        if Version(pin.version) not in project.releases():
            lines.append(f"- {pin.requirement_line}: the index has no release {pin.version} of {pin.name}.")
            continue
        nothing = [target for target, cell in cells[pin].items() if cell.verdict == NONE]
        sdist_only = [target for target, cell in cells[pin].items() if cell.verdict == SDIST]
        if nothing or sdist_only:
            older, newer = nearest_complete_versions(pin, project)
            parts = []
            if nothing:
                parts.append(f"nothing installs on {describe_targets(nothing)}")
            if sdist_only:
                parts.append(f"only an sdist, which pip must build, on {describe_targets(sdist_only)}")
            parts.append(f"nearest releases with a wheel everywhere: older {older or 'none'}, newer {newer or 'none'}")
            lines.append(f"- {pin.requirement_line}: " + "; ".join(parts) + ".")
        yanked = [target for target, cell in cells[pin].items() if cell.yanked]
        if yanked:
            lines.append(f"- {pin.requirement_line}: yanked on the index (pip installs it, with a warning).")
    if not lines:
        lines.append("- none: every pin has a wheel for every supported Python and platform.")
    return lines


def summarize_floors(pins: list[Pin], cells: dict[Pin, dict[tuple[Platform, tuple[int, int]], Cell]]) -> list[str]:
    """Per platform, the oldest OS that every pin's wheels run on, and which pins ask for it."""
    lines = []
    for platform in PLATFORMS:
        if not platform.os_name:
            continue
        floors_by_pin = {
            pin.name: max(cells[pin][(platform, python)].os_floor for python in SUPPORTED_PYTHONS) for pin in pins
        }
        highest = max(floors_by_pin.values(), default=())
        if highest:
            needing = sorted(name for name, floor in floors_by_pin.items() if floor == highest)
            lines.append(f"- {platform.label}: {format_floor(platform, highest)}, for {', '.join(needing)}")
    return lines or ["- none: no pinned wheel names an OS version"]


def resolve_all(pages: IndexPages, pins: list[Pin], jobs: int) -> tuple[list[str], list[list[str]], list[str]]:
    """pip's resolver on every cell (and with tensorflow[and-cuda] on Linux x86-64): rows and notes."""
    pinned = [pin.requirement_line for pin in pins]
    tensorflow = next((pin for pin in pins if canonicalize_name(pin.name) == "tensorflow"), None)
    runs: list[tuple[str, Platform, tuple[int, int], list[str]]] = [
        ("all pins, with dependencies", platform, python, []) for platform, python in TARGETS
    ]
    if tensorflow:
        runs += [
            ("… + tensorflow[and-cuda]", LINUX_X86_64, python, [f"tensorflow[and-cuda]=={tensorflow.version}"])
            for python in SUPPORTED_PYTHONS
        ]
    print(f"running pip's resolver {len(runs)} times, {jobs} at a time …", file=sys.stderr)
    with serve_locally(pages) as local_index, ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(lambda run: pip_resolve(local_index, pinned + run[3], run[1], run[2]), runs))
    row_titles: list[str] = []
    rows: list[list[str]] = []
    notes: list[str] = []
    needs: dict[Platform, dict[str, OsFloor]] = {}  # per platform, what each resolved package needs at least
    for (title, platform, python, _), result in zip(runs, results, strict=True):
        if title not in row_titles:
            row_titles.append(title)
            rows.append(["—"] * len(TARGETS))
        rows[row_titles.index(title)][TARGETS.index((platform, python))] = result.verdict
        for error in result.errors:
            notes.append(f"- {title}, {platform.label} {python[0]}.{python[1]}: {error}")
        # pip picks the wheel for the newest OS it was told of; the oldest OS is what the least demanding wheel needs.
        package_needs = needs.setdefault(platform, {})
        for name, version in result.installed:
            release = fetch_project(pages, name).releases().get(Version(version), [])
            floor = classify(release, platform, python).os_floor
            package_needs[name] = max(package_needs.get(name, ()), floor)
    for platform, package_needs in needs.items():
        highest = max(package_needs.values(), default=())
        if highest:
            needing = sorted(name for name, floor in package_needs.items() if floor == highest)
            notes.append(
                f"- {platform.label}: the whole environment needs {format_floor(platform, highest)}, "
                f"for {', '.join(needing)}"
            )
    return row_titles, rows, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requirements", type=Path, default=REQUIREMENTS, help="default: requirements.txt")
    parser.add_argument("--index-url", default=PYPI_SIMPLE, help=f"a PEP 691 simple index (default {PYPI_SIMPLE})")
    parser.add_argument("--markdown", action="store_true", help="print markdown tables (for docs/platforms.md)")
    parser.add_argument("--resolve", action="store_true", help="also run pip's resolver per cell (slow)")
    parser.add_argument("--jobs", type=int, default=3, help="pip resolvers at a time with --resolve (default 3)")
    arguments = parser.parse_args(argv)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(encoding="utf-8")  # ✓ and ✗ on a Windows console

    pins = read_pins(arguments.requirements)
    pages = IndexPages(arguments.index_url)
    try:
        projects = fetch_projects(pages, (pin.name for pin in pins))
    except IndexUnreachable as error:
        print(f"error: cannot read the package index {arguments.index_url}: {error}", file=sys.stderr)
        return 2
    cells = {pin: check_pin(pin, projects[pin.name]) for pin in pins}

    heading = "### " if arguments.markdown else ""
    print(f"{heading}Pins in {arguments.requirements.name}, per platform and Python, on {arguments.index_url}\n")
    rows = [[cells[pin][target].verdict for target in TARGETS] for pin in pins]
    pin_titles = [f"`{pin.requirement_line}`" if arguments.markdown else pin.requirement_line for pin in pins]
    print(render_table(pin_titles, rows, arguments.markdown))
    print(f"\n{heading}Gaps\n")
    print("\n".join(summarize_pins(pins, projects, cells)))
    print(f"\n{heading}Oldest OS the pinned wheels need\n")
    print("\n".join(summarize_floors(pins, cells)))

    if arguments.resolve:
        try:
            row_titles, rows, notes = resolve_all(pages, pins, arguments.jobs)
        except IndexUnreachable as error:
            print(f"error: cannot read the package index {arguments.index_url}: {error}", file=sys.stderr)
            return 2
        print(f"\n{heading}pip's resolver, wheels only, transitive dependencies included\n")
        print(render_table(row_titles, rows, arguments.markdown))
        if notes:
            print()
            print("\n".join(notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
