#!/usr/bin/env bash
# Reproduces the shipped trained judges, rubrics/trained/RUBRIC.MODEL.json, from the shipped
# labeled sets (data/labeled/, each written by its generator under data/): for each rubric the
# demo scores, `judge calibrate` extracts the probe's features from every labeled record with
# MODEL, cross-validates by scenario, fits the probe on all of them and exports it. The demo's
# judge.toml imports these files instead of training (training takes about 25 minutes on a
# 2-core machine); `judge run` retrains whenever the labels or the model differ from the file's.
#
#   bash scripts/train-judges.sh [MODEL]      # default: the demo's model
#
# Training is deterministic: on the same kind of CPU the same labels give the same file, byte
# for byte (`git diff rubrics/trained` shows nothing). Another CPU (AVX2 against AVX-512) sums
# the forward pass in another order and may change the last digits of the fitted weights.
set -euo pipefail
cd "$(dirname "$0")/.."

model=${1:-smollm2-135m-instruct}
cargo build --release -p judge
./target/release/judge models fetch "$model"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# The features each judge reads (README, "Trained judges": chosen by transfer between the labeled
# sets, never by the sample): whether an instruction was ambiguous is in the input, so the
# escalation judge reads the input's tokens as well as the output's; delegation is in the output.
train() {
  local rubric=$1 features=$2
  shift 2
  ./target/release/judge calibrate --rubric "$rubric" --labels "$@" --group-by meta.scenario \
    --features "$features" --model "$model" --store "$scratch/train.db" \
    --export "rubrics/trained/$rubric.$model.json"
}

train escalates-ambiguity mean@0.5,input@0.5 data/labeled/escalation.jsonl \
  data/labeled/escalation-b.jsonl data/labeled/escalation-c.jsonl data/labeled/escalation-d.jsonl
train delegates-work mean@0.5 data/labeled/delegation-a.jsonl data/labeled/delegation-b.jsonl \
  data/labeled/delegation-c.jsonl
