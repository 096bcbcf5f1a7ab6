#!/usr/bin/env bash
# The test command (README): builds everything, fetches the two models the parity tests need
# (sha256-verified; a no-op when present), and runs every test, the real-model ones included.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --workspace --bins
./target/release/judge models fetch smollm2-135m-instruct
./target/release/judge models fetch qwen2.5-coder-0.5b-instruct
JUDGE_REAL_MODELS=1 cargo test --release --workspace
