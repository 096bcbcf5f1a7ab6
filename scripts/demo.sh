#!/usr/bin/env bash
# The main job (README): builds judge, fetches the default model (sha256-verified; a no-op when
# present) and scores the bundled sample data, 8 weeks of a foreman and two workers, into
# out/judge.db and out/scores.jsonl. A second run scores nothing new.
#
# It scores the two rubrics this sample is about (the workers' escalation of ambiguous
# instructions, the foreman's delegation), about 400 pairs; drop the --rubric flags to score
# the whole library (about 2,300 pairs, some 10 minutes on two cores).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release -p judge
./target/release/judge models fetch
mkdir -p out
./target/release/judge score \
  --input data/sample/records.jsonl \
  --rubric escalates-ambiguity --rubric delegates-work \
  --store out/judge.db --out out/scores.jsonl
