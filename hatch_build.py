"""Compiles the PDQ core (src/accord/signals/_pdqcore.c) when hatchling builds Accord, for ``pip install -e .``
(``make install``) as for a wheel. The C compiler is the one Python was built with (``sysconfig``), overridable
with ``CC``; the flags keep floating-point arithmetic in source order (no FMA contraction, no fast-math), which is
what makes the hashes bit for bit those of pdqhash (docs/decisions.md)."""

from __future__ import annotations

import os
import shlex
import subprocess
import sysconfig
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCE = Path("src/accord/signals/_pdqcore.c")
FLAGS = ["-O3", "-std=c11", "-ffp-contract=off", "-fno-fast-math", "-fPIC", "-shared", "-Wall"]


def compile_core(root: Path) -> Path:
    """Build the extension beside its source and return its path."""
    source = root / SOURCE
    target = source.with_name("_pdqcore" + str(sysconfig.get_config_var("EXT_SUFFIX")))
    compiler = shlex.split(os.environ.get("CC") or str(sysconfig.get_config_var("CC") or "cc"))
    include = sysconfig.get_paths()["include"]
    command = [*compiler, *FLAGS, f"-I{include}", str(source), "-o", str(target), "-lm"]
    subprocess.run(command, check=True)  # noqa: S603  # the compiler Python was built with, on our own source
    return target


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        target = compile_core(Path(self.root))
        if self.target_name == "wheel" and version != "editable":
            build_data["pure_python"] = False
            build_data["infer_tag"] = True
            build_data["force_include"][str(target)] = f"accord/signals/{target.name}"
