"""Build and verify the Lambda packages without Docker or AWS.

- The zip functions run Chalice's own deployment zip (`chalice package`, made while synthesizing: python3.12).
  `unpack_zip_asset` unpacks the one CDK staged so the checks read exactly what would be uploaded.
- The image functions run the container image of infra/image/Dockerfile. `assemble_image_context` gathers its
  build context (the CDK asset); `build_image_root` installs the same tree the image would hold into a folder
  with the Dockerfile's own install script (pip --platform/--only-binary/--target), then copies the same files.

`python -m infra.packaging report` prints the sizes; infra/tests/test_packages.py checks sizes, glibc needs and
that every handler module imports from its package folder alone.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
IMAGE_CONTEXT = BUILD / "lambda-image"
IMAGE_ROOT = BUILD / "lambda-root"
ZIP_ROOT = BUILD / "lambda-zip"
CDK_OUT = BUILD / "cdk.out"
MODEL_DIR = ROOT / "build" / "models" / "all-minilm-l6-v2"
PIP_CACHE = BUILD / "pip-cache"

MB = 1024 * 1024
ZIP_UNZIPPED_LIMIT = 250 * MB  # Lambda: function + layers, unzipped
ZIP_ZIPPED_LIMIT = 50 * MB  # Lambda: direct upload (CloudFormation uploads via S3, whose limit is the unzipped one)
IMAGE_LIMIT = 10 * 1024 * MB  # Lambda: container image, uncompressed
# glibc of the Lambda runtimes (python3.11 and older: Amazon Linux 2; python3.12+: Amazon Linux 2023).
RUNTIME_GLIBC = {"python3.11": (2, 26), "python3.12": (2, 34)}
TARGET_RUNTIME = "python3.12"


def _copy_tree(src: Path, dest: Path) -> None:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"), dirs_exist_ok=True)


def _chalice_runtime_files() -> list[Path]:
    """What Chalice itself puts in every package: `chalice/__init__.py` and `chalice/app.py` (the runtime)."""
    import chalice

    package = Path(chalice.__file__).parent
    return [package / "__init__.py", package / "app.py"]


def assemble_image_context(dest: Path = IMAGE_CONTEXT) -> Path:
    """The image's build context: Dockerfile, install script, requirements, the app, Chalice's runtime, the model."""
    model = MODEL_DIR / "model.onnx"
    if not model.exists():
        raise FileNotFoundError(f"{model} is missing: run `make bootstrap` (it exports the ONNX model)")
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in ("Dockerfile", "install.sh"):
        shutil.copy2(ROOT / "infra" / "image" / name, dest / name)
    for name in ("requirements.txt", "requirements-ml.txt", "app.py"):
        shutil.copy2(ROOT / name, dest / name)
    _copy_tree(ROOT / "chalicelib", dest / "chalicelib")
    (dest / "chalice").mkdir()
    for path in _chalice_runtime_files():
        shutil.copy2(path, dest / "chalice" / path.name)
    (dest / "models" / MODEL_DIR.name).mkdir(parents=True)
    for name in ("model.onnx", "tokenizer.json"):
        shutil.copy2(MODEL_DIR / name, dest / "models" / MODEL_DIR.name / name)
    return dest


def _requirements_digest(context: Path) -> str:
    digest = hashlib.sha256()
    for name in ("install.sh", "requirements.txt", "requirements-ml.txt"):
        digest.update((context / name).read_bytes())
    return digest.hexdigest()[:16]


def build_image_root(context: Path = IMAGE_CONTEXT, dest: Path = IMAGE_ROOT) -> Path:
    """The image's /var/task without Docker: install.sh into a folder, then the Dockerfile's COPY steps.

    The installed packages are kept while install.sh and the requirements are unchanged; the app's files are
    replaced every time.
    """
    stamp = dest / ".requirements"
    digest = _requirements_digest(context)
    if not stamp.exists() or stamp.read_text() != digest:
        if dest.exists():
            shutil.rmtree(dest)
        env = {**os.environ, "PIP_CACHE_DIR": str(PIP_CACHE)}
        subprocess.run(["sh", str(context / "install.sh"), str(context), str(dest), sys.executable],
                       check=True, env=env)
        stamp.write_text(digest)
    for name in ("models", "chalice", "chalicelib"):
        if (dest / name).exists():
            shutil.rmtree(dest / name)
        _copy_tree(context / name, dest / name)
    shutil.copy2(context / "app.py", dest / "app.py")
    # The Dockerfile's last step: bytecode compiled by the image's Python (Lambda cannot write to /var/task).
    subprocess.run([python312(), "-m", "compileall", "-q", "-j", "0", str(dest)], check=True)
    return dest


def zip_assets(cdk_out: Path = CDK_OUT) -> list[Path]:
    """The Chalice deployment zips CDK staged (one per distinct package; the stages share one)."""
    return sorted(Path(p) for p in glob.glob(str(cdk_out / "asset.*.zip")))


def unpack_zip_asset(zip_path: Path, dest: Path = ZIP_ROOT) -> Path:
    """Unpack a deployment zip as Lambda would into /var/task."""
    if dest.exists():
        shutil.rmtree(dest)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(dest)
    return dest


def tree_size(root: Path) -> int:
    """Bytes of all files under root (what Lambda counts as unzipped size)."""
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def largest(root: Path, count: int = 8) -> list[tuple[str, int]]:
    """The biggest top-level entries (packages) of a tree."""
    sizes = []
    for child in root.iterdir():
        size = tree_size(child) if child.is_dir() else child.stat().st_size
        sizes.append((child.name, size))
    return sorted(sizes, key=lambda s: -s[1])[:count]


_GLIBC = re.compile(rb"GLIBC_(\d+)\.(\d+)")


def glibc_needs(root: Path) -> dict[str, tuple[int, int]]:
    """The newest glibc symbol version each shared library references (ELF files only)."""
    needs = {}
    for path in root.rglob("*"):
        if not path.is_file() or path.is_symlink() or not (path.suffix == ".so" or ".so." in path.name):
            continue
        with path.open("rb") as handle:
            if handle.read(4) != b"\x7fELF":
                continue
            data = handle.read()
        versions = [(int(a), int(b)) for a, b in _GLIBC.findall(data)]
        if versions:
            needs[str(path.relative_to(root))] = max(versions)
    return needs


def python312() -> str:
    """A Python 3.12 interpreter (Lambda's runtime version) for import checks from a package folder."""
    candidates = [os.environ.get("PYTHON312", "")]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.12*/bin/python3.12")), reverse=True)
    candidates += [shutil.which("python3.12") or ""]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            probe = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 12))"],
                                   capture_output=True, text=True)
            if probe.stdout.strip() == "True":
                return candidate
    raise FileNotFoundError("no Python 3.12 found: set PYTHON312 (pyenv install 3.12 works)")


# The probe run inside a package folder: a clean interpreter (-I -S: no site-packages, no PYTHONPATH, no user
# site) whose sys.path is the folder plus the standard library, like /var/task on Lambda.
PROBE = r"""
import importlib, json, sys, time
sys.path.insert(0, sys.argv[1])
spec = json.loads(sys.argv[2])
out = {"modules": {}}
for module in spec["modules"]:
    started = time.perf_counter()
    imported = importlib.import_module(module)
    out["modules"][module] = round(time.perf_counter() - started, 3)
for handler in spec.get("handlers", []):
    module, _, attr = handler.rpartition(".")
    if not callable(getattr(importlib.import_module(module), attr)):
        raise TypeError(handler + " is not callable")
for module in spec.get("absent", []):
    if module in sys.modules:
        raise AssertionError(module + " was imported but must not be")
foreign = sorted({m.__file__ for m in list(sys.modules.values())
                  if getattr(m, "__file__", None) and not (m.__file__.startswith(sys.argv[1])
                  or m.__file__.startswith(sys.base_prefix))})
out["foreign"] = foreign
print(json.dumps(out))
"""


def import_check(root: Path, modules: list[str], handlers: list[str] | None = None,
                 absent: list[str] | None = None, env: dict[str, str] | None = None) -> dict[str, object]:
    """Import modules (and resolve handlers) from `root` alone in a fresh Python 3.12; raises on any failure."""
    spec = json.dumps({"modules": modules, "handlers": handlers or [], "absent": absent or []})
    result = subprocess.run([python312(), "-I", "-S", "-c", PROBE, str(root), spec], capture_output=True, text=True,
                            env={"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1", **(env or {})},
                            timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"import check failed in {root}:\n{result.stderr[-3000:]}")
    parsed: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return parsed


def report() -> dict[str, object]:
    """Sizes of the packages currently built (for docs and the closing note)."""
    out: dict[str, object] = {}
    for path in zip_assets():
        root = unpack_zip_asset(path)
        out[path.name] = {"zipped_mb": round(path.stat().st_size / MB, 1),
                          "unzipped_mb": round(tree_size(root) / MB, 1),
                          "largest_mb": {n: round(s / MB, 1) for n, s in largest(root)}}
    if IMAGE_ROOT.exists():
        out["image /var/task"] = {"mb": round(tree_size(IMAGE_ROOT) / MB, 1),
                                  "largest_mb": {n: round(s / MB, 1) for n, s in largest(IMAGE_ROOT)}}
    return out


def main(argv: list[str] | None = None) -> int:
    """CLI: `context` (assemble the image context), `image-root` (install the image tree), `report`."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["context", "image-root", "report"])
    args = parser.parse_args(argv)
    if args.command == "context":
        sys.stdout.write(f"{assemble_image_context()}\n")
    elif args.command == "image-root":
        sys.stdout.write(f"{build_image_root(assemble_image_context())}\n")
    else:
        sys.stdout.write(json.dumps(report(), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
