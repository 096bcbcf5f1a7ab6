"""Scoring throughput and agreement: `judge score` against llama.cpp on the same prompts.

judge scores the sample records (batched, the rubric prefix computed once); llama.cpp
(llama-cpp-python) computes the same verdict probabilities for the same token ids one prompt at
a time, as a user of llama.cpp would. Prints items/s of both, the ratio, the average prompt
length, and how far the two P(pass) are apart.

    python3 benches/score_vs_llama_cpp.py [--model smollm2-135m-instruct] [--limit N] [--rubric ID]

Needs target/release/judge (cargo build --release -p judge) and llama-cpp-python.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="smollm2-135m-instruct")
    parser.add_argument("--input", default=os.path.join(ROOT, "data/sample/records.jsonl"))
    parser.add_argument("--limit", type=int, default=0, help="score only the first N records")
    parser.add_argument("--rubric", action="append", default=[],
                        help="score only these rubrics (default: the whole library)")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()

    judge = os.path.join(ROOT, "target/release/judge")
    with tempfile.TemporaryDirectory() as tmp:
        records = args.input
        if args.limit:
            records = os.path.join(tmp, "records.jsonl")
            with open(args.input) as src, open(records, "w") as dst:
                for i, line in enumerate(src):
                    if i >= args.limit:
                        break
                    dst.write(line)
        store, out, prompts = (os.path.join(tmp, n) for n in ("s.db", "scores.jsonl", "prompts.jsonl"))
        env = dict(os.environ, RAYON_NUM_THREADS=str(args.threads))
        # The prompts are written (tokenization only) before scoring starts; judge's own clock
        # covers scoring alone, so run once to write prompts and time a second, fresh run.
        cmd = [judge, "score", "--input", records, "--model", args.model, "--device", "cpu"]
        for rubric in args.rubric:
            cmd += ["--rubric", rubric]
        subprocess.run(cmd + ["--store", store, "--prompts-out", prompts], check=True,
                       env=env, stdout=subprocess.DEVNULL)
        os.remove(store)
        start = time.perf_counter()
        subprocess.run(cmd + ["--store", store, "--out", out], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        judge_seconds = time.perf_counter() - start
        ours = {}
        with open(out) as f:
            for line in f:
                row = json.loads(line)
                ours[(row["record_id"], row["rubric"])] = row["p_pass"]
        with open(prompts) as f:
            items = [json.loads(line) for line in f]

    from llama_cpp import Llama, llama_get_logits_ith

    model_path = subprocess.run([judge, "models", "list"], capture_output=True, text=True).stdout
    path = next(l.split()[-1] for l in model_path.splitlines() if l.startswith(args.model))
    n_ctx = max(len(i["tokens"]) for i in items) + 8
    llm = Llama(model_path=path, n_ctx=n_ctx, n_batch=n_ctx, n_ubatch=n_ctx,
                n_threads=args.threads, n_threads_batch=args.threads, verbose=False)
    diffs = []
    start = time.perf_counter()
    for item in items:
        llm.reset()
        llm.eval(item["tokens"])
        logits = llama_get_logits_ith(llm.ctx, -1)
        lp, lf = logits[item["pass_id"]], logits[item["fail_id"]]
        p = 1.0 / (1.0 + math.exp(lf - lp))
        mine = ours.get((item["record_id"], item["rubric"]))
        if mine is not None:
            diffs.append(abs(p - mine))
    peer_seconds = time.perf_counter() - start

    n = len(items)
    avg_len = sum(len(i["tokens"]) for i in items) / n
    print(f"pairs: {n}, average prompt length {avg_len:.0f} tokens, {args.threads} threads")
    print(f"judge     {n / judge_seconds:7.2f} pairs/s  ({judge_seconds:.1f} s, model load included)")
    print(f"llama.cpp {n / peer_seconds:7.2f} pairs/s  ({peer_seconds:.1f} s, one prompt at a time)")
    print(f"judge/llama.cpp = {peer_seconds / judge_seconds:.2f}x")
    within = sum(d <= 0.05 for d in diffs)
    print(f"|P(pass) judge - llama.cpp|: max {max(diffs):.4f}, mean {sum(diffs) / len(diffs):.4f}, "
          f"{within} of {len(diffs)} within 0.05")


if __name__ == "__main__":
    sys.exit(main())
