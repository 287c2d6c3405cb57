"""What the Lambda deployment package must be: within Lambda's size limits, only what runs in Lambda, and native
code built for the function's runtime and architecture. `make synth` stops on any violation (infra/synth.py);
tests/infra/ check the package the stack's functions actually run. Standard library only.
"""
from __future__ import annotations

import ast
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MIB = 1024 * 1024
ZIPPED_LIMIT = 50 * MIB  # Lambda's quota for a package uploaded directly
UNZIPPED_LIMIT = 250 * MIB  # code and layers, unzipped (also for a package deployed from S3)
# Lambda's python3.12 runtime runs on Amazon Linux 2023 (glibc 2.34): a manylinux wheel may need at most that.
RUNTIME_GLIBC = {"python3.12": (2, 34)}
ELF_MACHINES = {"x86_64": 62, "arm64": 183}  # e_machine of the shared objects for a Lambda Architectures value
WHEEL_ARCHES = {"x86_64": "x86_64", "arm64": "aarch64"}
# The app (app.py, chalicelib/), what pip installed (each file listed in its distribution's RECORD) and the copy of
# Chalice's runtime that `chalice package` adds: anything else is something that should not ship.
APP_FILES = ("app.py", "chalicelib/")
CHALICE_RUNTIME = {"chalice/__init__.py", "chalice/app.py"}
# Run only on an operator's machine (the catalog-sync console script and its password sign-in): synth leaves them
# out, and no shipped module may import them.
CLI_ONLY = ("chalicelib/cli.py", "chalicelib/cli_resync.py", "chalicelib/cli_progress.py",
            "chalicelib/adapters/cognito_sign_in.py")
NEVER_IMPORTED = ("local_stack", "tests", "bench", "moto", "pytest", "chalicelib.cli", "chalicelib.cli_resync",
                  "chalicelib.cli_progress", "chalicelib.adapters.cognito_sign_in")


@dataclass
class PackageReport:
    zipped: int
    unzipped: int
    files: int
    distributions: dict[str, str]  # normalised name -> version
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.zipped / MIB:.1f} MiB zipped (limit {ZIPPED_LIMIT // MIB}), {self.unzipped / MIB:.1f} MiB "
                f"unzipped (limit {UNZIPPED_LIMIT // MIB}), {self.files} files, "
                f"{len(self.distributions)} distributions")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(requirements: str) -> dict[str, str]:
    """name -> version of each ``name[extras]==version`` line."""
    found = {}
    for line in requirements.splitlines():
        match = re.match(r"^\s*([A-Za-z0-9_.-]+)(\[[^\]]*\])?\s*==\s*([^\s;#]+)", line)
        if match:
            found[normalise(match.group(1))] = match.group(3)
    return found


def _glibc(tag: str) -> tuple[int, int] | None:
    legacy = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
    for name, version in legacy.items():
        if tag.startswith(name + "_"):
            return version
    match = re.match(r"manylinux_(\d+)_(\d+)_", tag)
    return (int(match.group(1)), int(match.group(2))) if match else None


def _wheel_fits(tags: list[str], python: str, arch: str, glibc: tuple[int, int]) -> bool:
    minor = int(python.removeprefix("python3."))
    for tag in tags:
        interpreter, abi, platform = tag.split("-")
        interpreters_ok = interpreter == f"cp3{minor}" or (abi == "abi3" and interpreter.startswith("cp3")
                                                          and int(interpreter[3:]) <= minor)
        needs = _glibc(platform)
        if interpreters_ok and platform.endswith(WHEEL_ARCHES[arch]) and needs is not None and needs <= glibc:
            return True
    return False


def _imports(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _relative_imports(path: str, source: str) -> set[str]:
    """Relative imports of a chalicelib module, made absolute (``from ..x import y`` in chalicelib/api/a.py)."""
    package = list(PurePosixPath(path).parent.parts)
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - node.level + 1]
            module = ".".join(base + ([node.module] if node.module else []))
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _native_problems(archive: zipfile.ZipFile, names: list[str], python: str, arch: str) -> list[str]:
    problems, glibc = [], RUNTIME_GLIBC[python]
    for name in names:
        if name.endswith(".dist-info/WHEEL"):
            text = archive.read(name).decode()
            tags = re.findall(r"^Tag: (.+)$", text, re.MULTILINE)
            if "Root-Is-Purelib: false" in text and not _wheel_fits(tags, python, arch, glibc):
                problems.append(f"{name.split('/')[0]} is built for {', '.join(tags)}, not {python} on {arch} "
                                f"(glibc <= {glibc[0]}.{glibc[1]})")
        if name.endswith(".so") or ".so." in name:
            header = archive.read(name)[:20]
            machine = int.from_bytes(header[18:20], "little") if header[:4] == b"\x7fELF" else None
            if machine != ELF_MACHINES[arch]:
                problems.append(f"{name} is not an {arch} ELF shared object (e_machine {machine})")
    return problems


def _file_problems(archive: zipfile.ZipFile, names: list[str], recorded: set[str]) -> list[str]:
    problems = []
    for name in names:
        shipped = (name.startswith(APP_FILES) or name in CHALICE_RUNTIME or name in recorded
                   or re.match(r"^[^/]+\.(dist-info|data)/", name))
        if not shipped:
            problems.append(f"{name} is neither the app nor installed from requirements.txt: it should not ship")
        if name in CLI_ONLY:
            problems.append(f"{name} runs only on an operator's machine: it should not ship")
        if name.startswith(APP_FILES) and name.endswith(".py"):
            source = archive.read(name).decode()
            imported = _imports(source) | _relative_imports(name, source)
            for forbidden in NEVER_IMPORTED:
                if any(module == forbidden or module.startswith(forbidden + ".") for module in imported):
                    problems.append(f"{name} imports {forbidden}, which is not in the package")
    return problems


def _dependency_problems(distributions: dict[str, str], requirements: str) -> list[str]:
    problems = []
    for requirement, version in pinned(requirements).items():
        if distributions.get(requirement) != version:
            problems.append(f"requirements.txt pins {requirement}=={version}; the package has "
                            f"{distributions.get(requirement, 'none')}")
    for dev_only in ("chalice", "moto", "pytest"):
        if dev_only in distributions:
            problems.append(f"the package holds {dev_only} {distributions[dev_only]} (a development tool)")
    return problems


def check(package: str | Path, requirements: str, python: str, architectures: list[str]) -> PackageReport:
    """Inspect a deployment zip for a function with ``python`` (e.g. python3.12) on ``architectures``."""
    [arch] = architectures
    with zipfile.ZipFile(package) as archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        names = sorted(info.filename for info in infos)
        recorded: set[str] = set()
        distributions: dict[str, str] = {}
        for name in names:
            if name.endswith(".dist-info/RECORD"):
                recorded.update(line.split(",")[0] for line in archive.read(name).decode().splitlines() if line)
            if name.endswith(".dist-info/METADATA"):
                fields = dict(re.findall(r"^(Name|Version): (.+)$", archive.read(name).decode(), re.MULTILINE))
                distributions[normalise(fields["Name"])] = fields["Version"].strip()
        problems = (_native_problems(archive, names, python, arch) + _file_problems(archive, names, recorded)
                    + _dependency_problems(distributions, requirements))
    report = PackageReport(os.path.getsize(package), sum(info.file_size for info in infos), len(infos),
                           distributions, problems)
    if report.zipped > ZIPPED_LIMIT:
        problems.append(f"the package is {report.zipped / MIB:.1f} MiB zipped, over Lambda's {ZIPPED_LIMIT // MIB}")
    if report.unzipped > UNZIPPED_LIMIT:
        problems.append(f"the package is {report.unzipped / MIB:.1f} MiB unzipped, over Lambda's "
                        f"{UNZIPPED_LIMIT // MIB}")
    return report
