"""Which features transfer: the probe trained on all labeled sets but one, scored on the one left
out (each set in turn), and trained on all of them, scored on an independent test file.

Reads feature files written by `judge agreement --features-out FILE` (the same model and
--features for every file; a record's set is its id without the trailing number, so
`esc-b-0001` is set `esc-b`). For each variant (blocks of the dump, `+`-joined; block names as
in the dump's spec: `final`, `ansL`, `meanL`, `inL` for layer L) the probe is an L2 logistic
regression on the standardized blocks plus the zero-shot score, its L2 strength chosen by
grouped 5-fold cross-validated log-loss on the training sets, as `judge calibrate` does. AUC
and Cohen's kappa at 0.5 come with 95% cluster-bootstrap intervals (groups resampled). numpy
and scikit-learn are needed (`pip install numpy scikit-learn`).

    python3 benches/transfer.py --sets A.features.jsonl B.features.jsonl \
        --test SAMPLE.features.jsonl --variants final mean15 mean15+in15
"""
import argparse

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cohen_kappa_score, log_loss, roc_auc_score
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import StandardScaler

from learning_curve import load

STRENGTHS = [1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0]


def features(data, variant, rows):
    parts = []
    for block in variant.split("+"):
        at = data["names"].index(block) * data["width"]
        parts.append(data["hidden"][rows, at:at + data["width"]])
    return np.hstack(parts + [data["zero_shot"][rows, None]])


def fit(x, y, strength):
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=1.0 / (strength * len(y)), max_iter=3000)
    model.fit(scaler.transform(x), y)
    return lambda z: model.predict_proba(scaler.transform(z))[:, 1]


def train(x, y, groups):
    best = None
    for strength in STRENGTHS:
        p = np.zeros(len(y))
        for fit_rows, held in GroupKFold(5).split(x, y, groups):
            p[held] = fit(x[fit_rows], y[fit_rows], strength)(x[held])
        loss = log_loss(y, np.clip(p, 1e-6, 1 - 1e-6))
        if best is None or loss < best[0]:
            best = (loss, strength)
    return fit(x, y, best[1])


def interval(y, p, groups, metric, resamples=1000):
    rng = np.random.default_rng(0)
    unique = np.unique(groups)
    members = {g: np.flatnonzero(groups == g) for g in unique}
    values = []
    for _ in range(resamples):
        rows = np.concatenate([members[g] for g in rng.choice(unique, len(unique))])
        if len(set(y[rows])) == 2:
            values.append(metric(y[rows], p[rows]))
    return f"{metric(y, p):.3f} [{np.percentile(values, 2.5):.3f}, {np.percentile(values, 97.5):.3f}]"


def auc(y, p):
    return roc_auc_score(y, p)


def kappa(y, p):
    return cohen_kappa_score(y, (p >= 0.5).astype(int))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", nargs="+", required=True)
    parser.add_argument("--test", nargs="*", default=[])
    parser.add_argument("--variants", nargs="+", required=True)
    args = parser.parse_args()
    data = load(args.sets)
    test = load(args.test) if args.test else None
    sets = sorted(set(data["sets"]))
    print("| variant | trained on | scored on | AUC | kappa | judged pass / true pass |")
    print("|---|---|---|---|---|---|")
    for variant in args.variants:
        for held_out in sets + ([None] if test else []):
            fit_rows = data["sets"] != held_out
            judge = train(features(data, variant, fit_rows), data["y"][fit_rows],
                          data["groups"][fit_rows])
            target = test if held_out is None else data
            rows = np.ones(len(target["y"]), bool) if held_out is None else ~fit_rows
            p = judge(features(target, variant, rows))
            y, groups = target["y"][rows], target["groups"][rows]
            name = "test file" if held_out is None else held_out
            trained = "all" if held_out is None else "the others"
            print(f"| {variant} | {trained} | {name} | {interval(y, p, groups, auc)} "
                  f"| {interval(y, p, groups, kappa)} | {np.mean(p >= 0.5):.2f} / {y.mean():.2f} |",
                  flush=True)


if __name__ == "__main__":
    main()
