"""The package's layout as the documentation's Architecture page (docs/architecture.md) states it: stage folders that import
only earlier ones, and a folder table that names what the tree holds. AST and text only: fast."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "autograder"

# The folders of autograder/ in the order data passes them (docs/architecture.md); a module may import
# its own folder and earlier ones only. The stages first, then what is built over them.
STAGES = ["course", "checks", "authoring", "intake", "grading", "records", "reports"]
ABOVE_STAGES = ["lms", "exam", "verbs", "hub", "demo", "cli"]
ORDER = STAGES + ABOVE_STAGES


def _folders() -> list[str]:
    return sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__")


def _imported_folders(path: Path) -> list[tuple[int, str]]:
    """(line, folder of autograder/) for each import of the package in one module."""
    package = list(path.relative_to(REPO).parent.parts)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name.split(".") for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = base + (node.module.split(".") if node.module else [])
            # `from autograder import checks` names a folder as an imported name
            targets = [module + [alias.name] for alias in node.names] if module == ["autograder"] else [module]
        else:
            continue
        found += [(node.lineno, target[1]) for target in targets if target[0] == "autograder" and len(target) > 1]
    return found


def test_every_folder_of_the_package_has_its_place_in_the_order():
    assert sorted(ORDER) == _folders()


def test_no_folder_imports_a_later_one():
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if len(parts) == 1:
            continue  # autograder/__init__.py and run_unit.py (an alias of the Slurm task's entry point)
        folder = parts[0]
        for line, target in _imported_folders(path):
            if target in ORDER and ORDER.index(target) > ORDER.index(folder):
                upward.append(f"{path.relative_to(REPO)}:{line} imports autograder.{target} ({folder} comes before it)")
    assert not upward, "\n".join(upward)


def _architecture() -> str:
    return (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")


def _folder_table() -> dict[str, set[str]]:
    """The architecture page's folder table: folder -> the modules (`x.py`) and folders (`x/`) its last column names."""
    rows = {}
    for line in _architecture().splitlines():
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        if len(cells) == 3 and (folder := re.fullmatch(r"`([\w/]+/)`", cells[0])):
            rows[folder.group(1)] = set(re.findall(r"`(\w+\.py|\w+/)`", cells[2]))
    return rows


def _held(folder: Path) -> set[str]:
    return ({p.name for p in folder.glob("*.py")}
            | {p.name + "/" for p in folder.iterdir() if p.is_dir() and p.name != "__pycache__"})


def test_the_architecture_page_names_every_folder_and_module_of_the_package():
    rows = _folder_table()
    assert "autograder/" in rows
    assert {f"autograder/{name}/" for name in _folders()} <= set(rows), "a folder of autograder/ has no row"
    for folder, named in rows.items():
        path = REPO / folder
        assert path.is_dir(), f"the architecture page's table names {folder}, which does not exist"
        held = _held(path)
        assert named == held, (f"{folder}: the architecture page names {sorted(named - held)} that are not there"
                               f" and leaves out {sorted(held - named)}")


def test_the_architecture_page_states_the_same_order():
    stated = re.search(r"^Stage folders, in order: (.*)$", _architecture(), re.M)
    assert stated, "the Architecture section's line 'Stage folders, in order: ...' is missing"
    assert re.findall(r"`(\w+)/`", stated.group(1)) == STAGES
    above = re.search(r"^Above them, in order: (.*)$", _architecture(), re.M)
    assert above and re.findall(r"`(\w+)/`", above.group(1)) == ABOVE_STAGES
