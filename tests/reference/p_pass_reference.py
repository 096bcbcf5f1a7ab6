"""Float64 reference P(pass) for a few real judging prompts (the golden file of the scoring
parity test, `judge/tests` via `tests/it/p_pass.rs`).

Reads prompts written by `judge score --prompts-out` (token ids of the whole prompt and the two
verdict token ids), runs the exact float64 forward of `reference_forward.py` on the first N,
and writes P(pass) = softmax over the two verdict log-probs, with llama.cpp's for comparison:

    ./target/release/judge score --input data/sample/records.jsonl --rubric escalates-ambiguity \\
        --store /tmp/p.db --prompts-out /tmp/prompts.jsonl
    python3 tests/reference/p_pass_reference.py /tmp/prompts.jsonl --n 6
"""

import argparse
import json
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import common  # noqa: E402
import reference_forward  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("prompts", type=Path)
    parser.add_argument("--n", type=int, default=6)
    parser.add_argument("--model", default="smollm2-135m-instruct")
    args = parser.parse_args()

    items = [json.loads(line) for line in args.prompts.read_text().splitlines()][: args.n]
    path = common.models_dir() / f"{args.model}.gguf"
    sha256 = common.checked_sha256(path)
    model = reference_forward.GGUFModel(path)
    sequences = [item["tokens"] for item in items]
    reference = reference_forward.reference_logprobs(model, sequences)
    cases = []
    for item, logprobs in zip(items, reference):
        lp, lf = float(logprobs[item["pass_id"]]), float(logprobs[item["fail_id"]])
        cases.append({
            "record_id": item["record_id"],
            "rubric": item["rubric"],
            "pass_id": item["pass_id"],
            "fail_id": item["fail_id"],
            "tokens": item["tokens"],
            "logprob_pass": lp,
            "logprob_fail": lf,
            "p_pass": 1.0 / (1.0 + math.exp(lf - lp)),
        })
    out = Path(__file__).parent.parent / "golden" / f"p_pass.{args.model}.json"
    common.write_json(out, {
        "model": args.model,
        "sha256": sha256,
        "generated_by": common.command_line("p_pass_reference.py"),
        "precision": "float64",
        "cases": cases,
    })
    for case in cases:
        print(f"{case['record_id']:<16} {case['rubric']:<22} p_pass {case['p_pass']:.6f}")


if __name__ == "__main__":
    main()
