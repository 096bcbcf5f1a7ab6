"""Golden tokenizations from llama.cpp (through llama-cpp-python).

For every model and every prompt of tests/reference/prompts.json, this script
records the token ids produced by llama.cpp's own tokenizer with
add_bos=False and special=True (so "<|im_start|>" and "<|im_end|>" become
their single special tokens). The Rust tokenizer parity tests compare against
tests/golden/tokens.<model-name>.json.

Regenerate, from the repository root:

    python3 tests/reference/golden_tokens.py

Model paths may be given as arguments; by default both known models are read
from $JUDGE_MODELS_DIR, or from models/cache when that variable is unset.
"""

from __future__ import annotations

import sys

import llama_cpp

from common import (
    GOLDEN_DIR,
    checked_sha256,
    command_line,
    load_prompts,
    model_name,
    resolve_models,
    write_json,
)


def tokenize_model(path, prompts: list[dict]) -> dict:
    """Tokenize every prompt with the vocabulary of one model."""
    # vocab_only skips the weights: only the tokenizer is needed here.
    llm = llama_cpp.Llama(model_path=str(path), vocab_only=True, verbose=False)
    cases = []
    for prompt in prompts:
        ids = llm.tokenize(prompt["text"].encode("utf-8"), add_bos=False, special=True)
        # The tokenization must be lossless: detokenizing gives back the exact bytes.
        if llm.detokenize(ids, special=True) != prompt["text"].encode("utf-8"):
            print(f"warning: {model_name(path)}/{prompt['name']} does not round-trip", file=sys.stderr)
        cases.append({"name": prompt["name"], "text": prompt["text"], "ids": list(map(int, ids))})
    return {
        "model": model_name(path),
        "sha256": checked_sha256(path),
        "generated_by": command_line("golden_tokens.py"),
        "llama_cpp_python": llama_cpp.__version__,
        "cases": cases,
    }


def main() -> None:
    prompts = load_prompts()
    for path in resolve_models(sys.argv[1:]):
        golden = tokenize_model(path, prompts)
        out = GOLDEN_DIR / f"tokens.{golden['model']}.json"
        write_json(out, golden)
        longest = max(len(c["ids"]) for c in golden["cases"])
        print(f"{golden['model']}: {len(golden['cases'])} cases, longest {longest} tokens -> {out}")


if __name__ == "__main__":
    main()
