"""The domain manifest is complete and true: every table, job module, router, command and demo seeder in the
source is registered in ``accord.manifest``, every entry names something real, and every package has its layer
in the import-linter contract."""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from fastapi import APIRouter

from accord import manifest

ROOT = Path(__file__).parents[2]
SRC = ROOT / "src" / "accord"


def _module(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, ast.Module]:
    return {_module(p): ast.parse(p.read_text(encoding="utf-8")) for p in sorted(SRC.rglob("*.py"))
            if "migrations" not in p.parts}


SOURCES = _sources()


def _modules_where(found: Callable[[ast.Module], bool]) -> set[str]:
    return {name for name, tree in SOURCES.items() if found(tree)}


def _declares_tables(tree: ast.Module) -> bool:
    return any(isinstance(node, ast.ClassDef) and any(isinstance(b, ast.Name) and b.id == "Base" for b in node.bases)
               for node in tree.body)


def _assigns(tree: ast.Module, name: str) -> bool:
    return any(isinstance(node, ast.Assign | ast.AnnAssign) and name in _targets(node) for node in tree.body)


def _targets(node: ast.Assign | ast.AnnAssign) -> set[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return {t.id for t in targets if isinstance(t, ast.Name)}


def _registers_jobs(tree: ast.Module) -> bool:
    return any(isinstance(d, ast.Call) and isinstance(d.func, ast.Name) and d.func.id in {"handler", "periodic"}
               for node in tree.body if isinstance(node, ast.FunctionDef) for d in node.decorator_list)


def test_every_module_declaring_tables_is_registered() -> None:
    assert _modules_where(_declares_tables) - {"accord.db"} == set(manifest.modules("models"))


def test_every_module_declaring_jobs_or_duties_is_registered() -> None:
    assert _modules_where(_registers_jobs) == set(manifest.modules("jobs"))


@pytest.mark.parametrize("part", ["api", "ui"])
def test_every_router_is_registered(part: manifest.Part) -> None:
    package = f"accord.web.{part}."
    routers = {name for name in _modules_where(lambda tree: _assigns(tree, "router")) if name.startswith(package)}
    assert routers == set(manifest.modules(part))


def test_every_demo_module_is_registered_once() -> None:
    seeders = {name for name in SOURCES if name.startswith("accord.demo.")}
    assert sorted(manifest.modules("demo")) == sorted(seeders)


def _typer_apps(tree: ast.Module) -> set[str]:
    return {target for node in tree.body if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
            and ast.unparse(node.value.func) == "typer.Typer" for target in _targets(node)}


def _nested(tree: ast.Module) -> set[str]:
    """Typer applications a module adds under another of its own (``authority_app.add_typer(exposure_app)``)."""
    return {ast.unparse(node.args[0]) for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr == "add_typer" and node.args}


def test_every_command_group_is_registered() -> None:
    targets = {command.target for command in manifest.commands()}
    for name, tree in SOURCES.items():
        if name.startswith("accord.cli.") and name != "accord.cli.main":
            missing = {app for app in _typer_apps(tree) - _nested(tree) if f"{name}:{app}" not in targets}
            assert missing == set(), f"{name}: {missing} not in accord.manifest"


def test_every_entry_names_what_it_should() -> None:
    for module in manifest.load("api") + manifest.load("ui"):
        assert isinstance(module.router, APIRouter), module.__name__
    for module in manifest.load("demo"):
        assert callable(module.seed), module.__name__
    for command in manifest.commands():
        target = manifest.attribute(command.target)
        assert isinstance(target, typer.Typer) or callable(target), command
    assert manifest.only(*manifest.MATCHER), "the matcher role serves some domain"


def test_command_paths_are_unique_and_their_groups_come_first() -> None:
    seen: list[str] = []
    for command in manifest.commands():
        parent = command.path.rpartition(" ")[0]
        assert command.path not in seen
        assert parent == "" or parent in seen, f"{command.path} before its group {parent}"
        seen.append(command.path)


def test_domain_names_are_unique() -> None:
    names = [domain.name for domain in manifest.DOMAINS]
    assert len(names) == len(set(names))


def _layered() -> set[str]:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    layers = next(c["layers"] for c in contracts if c["type"] == "layers")
    return {name.strip() for line in layers for name in line.replace(":", "|").split("|")}


def test_every_package_has_its_layer() -> None:
    packages = {".".join(name.split(".")[:2]) for name in SOURCES if name != "accord"}
    packages.add("accord.migrations")
    assert packages == _layered()


def test_every_top_level_command_lists_the_start_of_its_own_help() -> None:
    """``accord --help`` shows the manifest's text without importing the command: it must not drift."""
    for command in manifest.commands():
        if " " in command.path:
            continue
        target = manifest.attribute(command.target)
        own = target.info.help if isinstance(target, typer.Typer) else getattr(target, "__doc__", None)
        assert command.help, command.path
        assert " ".join(str(own).split()).startswith(command.help.rstrip(".")), command.path
