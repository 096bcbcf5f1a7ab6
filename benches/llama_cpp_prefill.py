"""Prefill throughput of llama.cpp (llama-cpp-python) on the same token ids as the Rust bench.

Called by `cargo run --release -p benches --bin prefill`: argv = model path, threads, reps;
the prompt's token ids come as JSON in $PROMPT_IDS. Prints the median tokens per second.
"""

import json
import os
import statistics
import sys
import time

from llama_cpp import Llama


def main() -> None:
    path, threads, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    ids = json.loads(os.environ["PROMPT_IDS"])
    llm = Llama(
        model_path=path,
        n_ctx=len(ids) + 8,
        n_batch=len(ids),
        n_ubatch=len(ids),
        n_threads=threads,
        n_threads_batch=threads,
        logits_all=False,
        verbose=False,
    )
    llm.eval(ids)  # warm-up
    seconds = []
    for _ in range(reps):
        llm.reset()
        start = time.perf_counter()
        llm.eval(ids)
        seconds.append(time.perf_counter() - start)
    print(len(ids) / statistics.median(seconds))


if __name__ == "__main__":
    main()
