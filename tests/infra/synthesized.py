"""The deployment as `make synth` builds it (through the Makefile's stamp: only when an input changed), and infra/'s
modules (scripts, not a package) for the tests to import."""
from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
BUILD = INFRA / "build"


def synthesize() -> None:
    if shutil.which("make") is None:
        pytest.fail("the template tests need `make` (GNU make) to run `make synth`: install make")
    done = subprocess.run(["make", "--no-print-directory", "infra/build/.synthesized"], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    if done.returncode:
        pytest.fail("`make synth` failed (it needs the packages of requirements-infra.txt in .venv-infra, which the "
                    "Makefile installs from PyPI, and python3.12 in .venv):\n"
                    f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


def template(stage: str) -> dict[str, Any]:
    return json.loads((BUILD / stage / "template.json").read_text())


def infra_module(name: str) -> ModuleType:
    """infra/<name>.py (iam, package_check, synth: standard library only at import)."""
    if str(INFRA) not in sys.path:
        sys.path.insert(0, str(INFRA))
    return importlib.import_module(name)


def function_roles(template: dict[str, Any]) -> dict[str, str]:
    """Function logical id -> what triggers it, as infra/iam.py names it (schedule, trigger, export, dead_letter,
    api), read from the template."""
    by_queue = {queue: role for role, queue in infra_module("synth").QUEUE_RESOURCES.items()}
    roles = {}
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::Events::Rule":
            roles[properties["Targets"][0]["Arn"]["Fn::GetAtt"][0]] = "schedule"
        if resource["Type"] == "AWS::Lambda::EventSourceMapping":
            queue = properties["EventSourceArn"]["Fn::Sub"].strip("${}").split(".")[0]
            roles[properties["FunctionName"]["Ref"]] = by_queue[queue]
    return {name: roles.get(name, "api") for name, resource in template["Resources"].items()
            if resource["Type"] == "AWS::Lambda::Function"}


def function_of(template: dict[str, Any], role: str) -> str:
    """The logical id of the one function with that role (e.g. "export": the export queue's consumer)."""
    [function] = [name for name, its in function_roles(template).items() if its == role]
    return function
