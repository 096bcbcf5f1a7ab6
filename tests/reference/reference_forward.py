"""Exact float64 reference forward pass for the llama and qwen2 GGUF models.

The weights are dequantized with gguf-py (gguf.quants.dequantize), which gives
the exact values the quantized blocks encode, and the whole transformer is then
evaluated in float64 numpy: RMSNorm, RoPE, grouped-query causal attention and
the SwiGLU feed-forward. For every prompt of tests/reference/prompts.json, the
token ids are taken from tests/golden/tokens.<model-name>.json (so run
golden_tokens.py first), and the 20 most likely next tokens at the last
position are written with their log-probabilities to
tests/golden/logprobs.<model-name>.json.

When llama_cpp is importable, llama.cpp's log-probabilities for the same 20 ids
are stored next to them ("llama_cpp_top"). llama.cpp rounds activations to
8 bits inside its matrix products and keeps the KV cache in float16, so it
differs from this exact reference: up to about 0.25 nats for
qwen2.5-coder-0.5b-instruct and up to about 0.75 nats for the more sensitive
smollm2-135m-instruct, always on tokens well below the top one. A layout
error is far larger (the wrong RoPE pairing gives over 6 nats, the wrong GQA
head mapping over 18), so the script exits with an error when the largest
difference exceeds --tolerance or the mean one exceeds --mean-tolerance.

Regenerate, from the repository root:

    python3 tests/reference/reference_forward.py

Model paths may be given as arguments; by default both known models are read
from $JUDGE_MODELS_DIR, or from models/cache when that variable is unset.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import sys
from pathlib import Path

import gguf
import numpy as np
from gguf.quants import dequantize

from common import (
    GOLDEN_DIR,
    checked_sha256,
    command_line,
    load_prompts,
    model_name,
    resolve_models,
    write_json,
)

try:
    import llama_cpp
except ImportError:  # The comparison with llama.cpp is optional.
    llama_cpp = None

TOP_K = 20


class GGUFModel:
    """Hyperparameters and lazily dequantized float64 weights of one GGUF file."""

    def __init__(self, path: Path):
        self.reader = gguf.GGUFReader(str(path))
        self.tensors = {t.name: t for t in self.reader.tensors}
        self.arch = self.meta("general.architecture")
        if self.arch not in ("llama", "qwen2"):
            raise ValueError(f"unsupported architecture {self.arch!r}")
        a = self.arch
        self.n_embd = int(self.meta(f"{a}.embedding_length"))
        self.n_layer = int(self.meta(f"{a}.block_count"))
        self.n_head = int(self.meta(f"{a}.attention.head_count"))
        self.n_head_kv = int(self.meta(f"{a}.attention.head_count_kv"))
        self.eps = float(self.meta(f"{a}.attention.layer_norm_rms_epsilon"))
        self.rope_base = float(self.meta(f"{a}.rope.freq_base"))
        self.n_ff = int(self.meta(f"{a}.feed_forward_length"))
        self.head_dim = self.n_embd // self.n_head
        # RoPE may rotate only the first n_rot dimensions of each head; both
        # supported models rotate all of them.
        self.n_rot = int(self.meta(f"{a}.rope.dimension_count", self.head_dim))
        # GGUF files converted by llama.cpp permute the q/k rows of llama
        # models so that ggml's NORM rope (adjacent pairs) applies; qwen2 keeps
        # the Hugging Face layout and uses NEOX rope (pairs half a head apart).
        self.rope_neox = self.arch == "qwen2"
        # Without output.weight, the output projection is tied to the embedding.
        self.output_name = "output.weight" if "output.weight" in self.tensors else "token_embd.weight"
        self.vocab_size = int(self.tensors["token_embd.weight"].shape[1])

    def meta(self, key: str, default=None):
        field = self.reader.fields.get(key)
        if field is None:
            if default is None:
                raise KeyError(f"missing GGUF metadata {key}")
            return default
        return field.contents()

    def has(self, name: str) -> bool:
        return name in self.tensors

    def weight(self, name: str) -> np.ndarray:
        """Dequantize a whole tensor to float64, in numpy (row-major) shape.

        ggml lists dimensions innermost first (ne = [n_in, n_out]), so the
        numpy shape is the reverse: (n_out, n_in) for a matrix.
        """
        t = self.tensors[name]
        shape = tuple(int(n) for n in reversed(t.shape))
        return dequantize(t.data, t.tensor_type).reshape(shape).astype(np.float64)

    def rows(self, name: str, row_ids) -> np.ndarray:
        """Dequantize only the given rows of a matrix (one row per quantized block run)."""
        t = self.tensors[name]
        n_in = int(t.shape[0])
        data = np.asarray(t.data)[np.asarray(row_ids)]
        return dequantize(data, t.tensor_type).reshape(len(row_ids), n_in).astype(np.float64)


def rms_norm(x: np.ndarray, w: np.ndarray, eps: float) -> np.ndarray:
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w


def silu(x: np.ndarray) -> np.ndarray:
    return x / (1.0 + np.exp(-x))


def log_softmax(x: np.ndarray) -> np.ndarray:
    m = np.max(x)
    return x - m - np.log(np.sum(np.exp(x - m)))


def rope(x: np.ndarray, model: GGUFModel) -> np.ndarray:
    """Apply rotary embeddings to x of shape (T, heads, head_dim), positions 0..T-1."""
    n_tok = x.shape[0]
    n_rot = model.n_rot
    half = n_rot // 2
    # Pair i (0 <= i < n_rot/2) turns by pos * base^(-2i/n_rot).
    inv_freq = model.rope_base ** (-np.arange(half, dtype=np.float64) * 2.0 / n_rot)
    angle = np.arange(n_tok, dtype=np.float64)[:, None] * inv_freq[None, :]
    cos = np.cos(angle)[:, None, :]
    sin = np.sin(angle)[:, None, :]
    out = x.copy()
    if model.rope_neox:
        a, b = x[..., :half], x[..., half:n_rot]
        out[..., :half] = a * cos - b * sin
        out[..., half:n_rot] = a * sin + b * cos
    else:
        a, b = x[..., 0:n_rot:2], x[..., 1:n_rot:2]
        out[..., 0:n_rot:2] = a * cos - b * sin
        out[..., 1:n_rot:2] = a * sin + b * cos
    return out


def attention(h: np.ndarray, model: GGUFModel, w: dict) -> np.ndarray:
    """Causal grouped-query self-attention over one sequence h of shape (T, n_embd)."""
    n_tok, hd = h.shape[0], model.head_dim
    q = h @ w["q"].T
    k = h @ w["k"].T
    v = h @ w["v"].T
    if "q_bias" in w:
        q, k, v = q + w["q_bias"], k + w["k_bias"], v + w["v_bias"]
    q = rope(q.reshape(n_tok, model.n_head, hd), model)
    k = rope(k.reshape(n_tok, model.n_head_kv, hd), model)
    v = v.reshape(n_tok, model.n_head_kv, hd)
    # Query head j reads key/value head j // group.
    group = model.n_head // model.n_head_kv
    k = np.repeat(k, group, axis=1)
    v = np.repeat(v, group, axis=1)
    scores = np.einsum("thd,shd->hts", q, k) / np.sqrt(hd)
    future = np.triu(np.ones((n_tok, n_tok), dtype=bool), k=1)
    scores[:, future] = -np.inf
    scores -= scores.max(axis=-1, keepdims=True)
    p = np.exp(scores)
    p /= p.sum(axis=-1, keepdims=True)
    out = np.einsum("hts,shd->thd", p, v).reshape(n_tok, model.n_embd)
    return out @ w["o"].T


def reference_logprobs(model: GGUFModel, sequences: list[list[int]]) -> list[np.ndarray]:
    """Float64 log-probabilities over the vocabulary at the last position of each sequence.

    The loop runs layer by layer over all sequences, so each layer is
    dequantized once and only one layer is held in float64 at a time.
    """
    xs = [model.rows("token_embd.weight", ids) for ids in sequences]
    for il in range(model.n_layer):
        p = f"blk.{il}."
        w = {
            "attn_norm": model.weight(p + "attn_norm.weight"),
            "q": model.weight(p + "attn_q.weight"),
            "k": model.weight(p + "attn_k.weight"),
            "v": model.weight(p + "attn_v.weight"),
            "o": model.weight(p + "attn_output.weight"),
            "ffn_norm": model.weight(p + "ffn_norm.weight"),
            "gate": model.weight(p + "ffn_gate.weight"),
            "up": model.weight(p + "ffn_up.weight"),
            "down": model.weight(p + "ffn_down.weight"),
        }
        if model.has(p + "attn_q.bias"):
            for n in ("q", "k", "v"):
                w[n + "_bias"] = model.weight(p + f"attn_{n}.bias")
        for i, x in enumerate(xs):
            x = x + attention(rms_norm(x, w["attn_norm"], model.eps), model, w)
            h = rms_norm(x, w["ffn_norm"], model.eps)
            x = x + (silu(h @ w["gate"].T) * (h @ w["up"].T)) @ w["down"].T
            xs[i] = x
    last = np.stack([rms_norm(x[-1], model.weight("output_norm.weight"), model.eps) for x in xs])
    # The output matrix is dequantized in slices of rows to bound memory.
    logits = np.empty((len(xs), model.vocab_size), dtype=np.float64)
    step = 16384
    for start in range(0, model.vocab_size, step):
        ids = np.arange(start, min(start + step, model.vocab_size))
        logits[:, ids] = last @ model.rows(model.output_name, ids).T
    return [log_softmax(row) for row in logits]


def llama_cpp_logprobs(path: Path, sequences: list[list[int]]) -> list[np.ndarray]:
    """llama.cpp's log-probabilities at the last position, log_softmax taken in float64."""
    llm = llama_cpp.Llama(model_path=str(path), n_ctx=512, logits_all=False, n_threads=2, verbose=False)
    out = []
    for ids in sequences:
        llm.reset()
        llm.eval(ids)
        # With logits_all=False, llama-cpp-python 0.3.x no longer copies the
        # logits into llm.scores, so they are read from the context directly:
        # index -1 is the last token of the batch, the only one with logits.
        ptr = llama_cpp.llama_get_logits_ith(llm.ctx, -1)
        logits = np.ctypeslib.as_array(ptr, shape=(llm.n_vocab(),)).astype(np.float64)
        out.append(log_softmax(logits))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="*", help="GGUF files (default: both known models)")
    parser.add_argument("--tolerance", type=float, default=1.0,
                        help="largest accepted |reference - llama.cpp| in nats (default 1.0)")
    parser.add_argument("--mean-tolerance", type=float, default=0.25,
                        help="largest accepted mean |reference - llama.cpp| in nats (default 0.25)")
    args = parser.parse_args()

    prompts = {p["name"]: p["text"] for p in load_prompts()}
    failed = False
    for path in resolve_models(args.models):
        name = model_name(path)
        with open(GOLDEN_DIR / f"tokens.{name}.json", encoding="utf-8") as f:
            tokens = json.load(f)
        cases = tokens["cases"]
        # The token goldens must describe the current prompts, or they are stale.
        if [c["name"] for c in cases] != list(prompts) or any(prompts[c["name"]] != c["text"] for c in cases):
            sys.exit(f"tokens.{name}.json does not match prompts.json: rerun golden_tokens.py")
        sequences = [c["ids"] for c in cases]

        model = GGUFModel(path)
        ref = reference_logprobs(model, sequences)
        cpp = llama_cpp_logprobs(path, sequences) if llama_cpp is not None else None

        out_cases = []
        diffs, top1_agree = [], 0
        for i, case in enumerate(cases):
            # Sort by descending log-probability; the stable sort breaks ties by lower id.
            top = np.argsort(-ref[i], kind="stable")[:TOP_K]
            entry = {
                "name": case["name"],
                "ids": case["ids"],
                "top": [{"id": int(t), "logprob": float(ref[i][t])} for t in top],
            }
            if cpp is not None:
                entry["llama_cpp_top"] = [{"id": int(t), "logprob": float(cpp[i][t])} for t in top]
                diffs.append(np.abs(ref[i][top] - cpp[i][top]))
                top1_agree += int(np.argmax(cpp[i]) == top[0])
            out_cases.append(entry)

        golden = {
            "model": name,
            "sha256": checked_sha256(path),
            "generated_by": command_line("reference_forward.py"),
            "precision": "float64",
            "gguf_py": importlib.metadata.version("gguf"),
            "numpy": np.__version__,
            "llama_cpp_python": llama_cpp.__version__ if llama_cpp is not None else None,
        }
        if cpp is not None:
            # The observed deviation of llama.cpp from this reference, over the
            # top-20 ids of every case, for tests that compare with llama.cpp.
            max_diff, mean_diff = float(np.max(diffs)), float(np.mean(diffs))
            worst = cases[int(np.argmax([d.max() for d in diffs]))]["name"]
            golden["llama_cpp_max_abs_diff"] = max_diff
            golden["llama_cpp_mean_abs_diff"] = mean_diff
        golden["cases"] = out_cases
        out = GOLDEN_DIR / f"logprobs.{name}.json"
        write_json(out, golden)
        print(f"{name}: {len(out_cases)} cases -> {out}")
        if cpp is not None:
            print(f"{name}: max |reference - llama.cpp| over top-{TOP_K} = {max_diff:.4f} nats "
                  f"(worst case {worst}), mean {mean_diff:.4f}; "
                  f"top-1 agrees on {top1_agree}/{len(out_cases)}")
            if max_diff > args.tolerance or mean_diff > args.mean_tolerance:
                print(f"{name}: difference above tolerance", file=sys.stderr)
                failed = True
        else:
            print(f"{name}: llama_cpp not importable, no comparison made", file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
