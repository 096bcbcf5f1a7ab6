#!/usr/bin/env bash
# The test command (README): builds everything, fetches the two models the parity tests need
# (sha256-verified; a no-op when present), and runs every test, the real-model ones included.
set -euo pipefail
cd "$(dirname "$0")/.."

# The browser test of the HTML report needs Debian's chromium (we run as root).
if [ "${JUDGE_BROWSER_TESTS:-}" = "1" ] && ! command -v chromium >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi

cargo build --release --workspace --bins
./target/release/judge models fetch smollm2-135m-instruct
./target/release/judge models fetch qwen2.5-coder-0.5b-instruct
JUDGE_REAL_MODELS=1 cargo test --release --workspace
