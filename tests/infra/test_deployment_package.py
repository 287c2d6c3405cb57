"""The Lambda deployment package `make synth` builds: within Lambda's size limits, only the app and its pinned
requirements, native code for the functions' runtime and architecture (infra/package_check.py, which also stops
`make synth`); and the checker itself catches what it must."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from tests.infra.summary import SUMMARY
from tests.infra.synthesized import BUILD, ROOT, infra_module, synthesize, template

package_check = infra_module("package_check")


@pytest.fixture(scope="module")
def built() -> Path:
    synthesize()
    return BUILD / "dev" / "deployment.zip"


def _runtime(stage: str) -> tuple[str, list[str]]:
    functions = [r["Properties"] for r in template(stage)["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    [(runtime, architectures)] = {(f["Runtime"], tuple(f["Architectures"])) for f in functions}
    return runtime, list(architectures)


def test_the_package_fits_lambda_and_holds_only_the_app_and_its_requirements_built_for_its_runtime(built) -> None:
    runtime, architectures = _runtime("dev")
    assert (runtime, architectures) == ("python3.12", ["x86_64"])
    report = package_check.check(built, (ROOT / "requirements.txt").read_text(), runtime, architectures)
    SUMMARY.append(f"deployment package ({runtime}, {architectures[0]}): {report.summary()}")
    assert report.problems == []
    assert report.zipped < package_check.ZIPPED_LIMIT and report.unzipped < package_check.UNZIPPED_LIMIT
    names = zipfile.ZipFile(built).namelist()
    assert "app.py" in names and "chalicelib/container.py" in names
    assert "tzdata/zoneinfo/Europe/Paris" in names, "the time zone database (Lambda's runtime may lack one)"
    assert not [name for name in names if name.split("/")[0] in ("local_stack", "tests", "bench", "dashboard",
                                                                  "infra", "tools", "docs", ".chalice")]
    assert not set(package_check.CLI_ONLY) & set(names)


def _wheel(files: dict[str, bytes], dist: str, tags: list[str], purelib: bool) -> dict[str, bytes]:
    info = f"{dist}.dist-info"
    record = "\n".join(f"{name},," for name in files) + f"\n{info}/RECORD,,\n"
    wheel = f"Root-Is-Purelib: {str(purelib).lower()}\n" + "".join(f"Tag: {tag}\n" for tag in tags)
    name, version = dist.split("-")
    return {**files, f"{info}/WHEEL": wheel.encode(), f"{info}/RECORD": record.encode(),
            f"{info}/METADATA": f"Name: {name}\nVersion: {version}\n".encode()}


def test_the_checker_names_everything_that_should_not_ship(tmp_path: Path) -> None:
    aarch64_elf = b"\x7fELF\x02\x01\x01" + b"\x00" * 11 + (183).to_bytes(2, "little")
    files = {"app.py": b"from chalicelib import container\n",
             "chalicelib/__init__.py": b"", "chalicelib/container.py": b"from local_stack import stack\n",
             "chalicelib/cli.py": b"", "local_stack/stack.py": b"", "tests/test_app.py": b"",
             **_wheel({"fastthing/_speed.so": aarch64_elf}, "fastthing-1.0", ["cp312-cp312-manylinux_2_17_aarch64"],
                      purelib=False),
             **_wheel({"newglibc/_x.abi3.so": aarch64_elf[:18] + (62).to_bytes(2, "little")}, "newglibc-2.0",
                      ["cp311-abi3-manylinux_2_39_x86_64"], purelib=False),
             **_wheel({"moto/__init__.py": b""}, "moto-5.2.5", ["py3-none-any"], purelib=True)}
    package = tmp_path / "deployment.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    package.write_bytes(buffer.getvalue())
    report = package_check.check(package, "pynamodb==6.1.0\nfastthing==1.0\n", "python3.12", ["x86_64"])
    found = "\n".join(report.problems)
    for expected in ("local_stack/stack.py is neither the app nor installed", "tests/test_app.py is neither",
                     "chalicelib/cli.py runs only on an operator's machine",
                     "chalicelib/container.py imports local_stack",
                     "fastthing-1.0.dist-info is built for cp312-cp312-manylinux_2_17_aarch64",
                     "fastthing/_speed.so is not an x86_64 ELF", "newglibc-2.0.dist-info is built for",
                     "requirements.txt pins pynamodb==6.1.0; the package has none",
                     "the package holds moto 5.2.5"):
        assert expected in found, f"{expected!r} not reported:\n{found}"
    assert "fastthing==" not in found  # pinned and present
