#!/usr/bin/env bash
# The main job (README): builds judge, fetches the default model (sha256-verified; a no-op when
# present) and scores the bundled sample data, 8 weeks of a foreman and two workers, into
# out/judge.db and out/scores.jsonl (a second run scores nothing new), then runs drift
# detection on that store.
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

# Drift on the same store: the workers' escalations fell from 15 a week to 4, so the
# escalation stream is in alarm and judge drift exits with 3 (its alarm code), which is the
# expected outcome here.
status=0
./target/release/judge drift --store out/judge.db --chart-dir out/charts \
  --metrics-file out/judge.prom || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then
  exit "$status"
fi
echo "charts in out/charts, metrics in out/judge.prom"
