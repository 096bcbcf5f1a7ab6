"""Shared helpers for the Python reference scripts in tests/reference/.

This module is not run directly. It resolves the repository layout, the
model files, their pinned checksums and the prompt list, so that
golden_tokens.py and reference_forward.py agree on all of them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import sys
from pathlib import Path

# tests/reference/common.py -> repository root is two levels above this folder.
REFERENCE_DIR = Path(__file__).resolve().parent
REPO_ROOT = REFERENCE_DIR.parent.parent
GOLDEN_DIR = REPO_ROOT / "tests" / "golden"
PROMPTS_PATH = REFERENCE_DIR / "prompts.json"

# The golden files are only meaningful for these exact model files. A model
# whose name is listed here must match its checksum, otherwise the scripts
# refuse to write goldens under that name.
KNOWN_MODELS = {
    "smollm2-135m-instruct": "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    "qwen2.5-coder-0.5b-instruct": "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
}


def models_dir() -> Path:
    """Return the folder holding the GGUF files (env JUDGE_MODELS_DIR or models/cache)."""
    env = os.environ.get("JUDGE_MODELS_DIR")
    return Path(env) if env else REPO_ROOT / "models" / "cache"


def resolve_models(args: list[str]) -> list[Path]:
    """Return the model paths given on the command line, or every known model in models_dir()."""
    if args:
        return [Path(a).resolve() for a in args]
    return [models_dir() / f"{name}.gguf" for name in KNOWN_MODELS]


def model_name(path: Path) -> str:
    """The model name used in golden file names is the GGUF file stem."""
    return path.name[: -len(".gguf")] if path.name.endswith(".gguf") else path.name


def sha256_file(path: Path) -> str:
    """Compute the sha256 of a file, reading it in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def checked_sha256(path: Path) -> str:
    """Return the file's sha256, failing if a known model name has a different checksum."""
    digest = sha256_file(path)
    expected = KNOWN_MODELS.get(model_name(path))
    if expected is not None and digest != expected:
        sys.exit(f"{path}: sha256 {digest} does not match the pinned {expected}")
    return digest


def load_prompts() -> list[dict]:
    """Load prompts.json as a list of {"name", "text"} objects."""
    with open(PROMPTS_PATH, encoding="utf-8") as f:
        return json.load(f)


def command_line(script: str) -> str:
    """The command that regenerates an output, as run from the repository root.

    Model paths inside the repository are written relative to it so that the
    recorded command does not depend on where the checkout lives.
    """
    args = []
    for a in sys.argv[1:]:
        p = Path(a).resolve()
        if p.exists() and p.is_relative_to(REPO_ROOT):
            args.append(str(p.relative_to(REPO_ROOT)))
        else:
            args.append(a)
    return shlex.join(["python3", f"tests/reference/{script}", *args])


def write_json(path: Path, obj: dict) -> None:
    """Write a golden file as UTF-8 JSON with a trailing newline.

    The header fields are indented one per line and each entry of "cases" is
    written compactly on its own line, so that diffs show which case changed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    header = {k: v for k, v in obj.items() if k != "cases"}
    lines = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in header.items()]
    cases = [f"    {json.dumps(c, ensure_ascii=False)}" for c in obj.get("cases", [])]
    lines.append('  "cases": [\n' + ",\n".join(cases) + "\n  ]")
    with open(path, "w", encoding="utf-8") as f:
        f.write("{\n" + ",\n".join(lines) + "\n}\n")
