"""How many labels a trained judge needs: AUC and Cohen's kappa of the probe against the number
of labeled records it was trained on, scored on a labeled set made independently.

Reads feature files written by `judge agreement --features-out FILE` (one per labeled set, the
same model and --features), draws training subsets of N records by whole scenarios (groups) from
the training files, fits the probe (L2 logistic regression on standardized features plus the
zero-shot score, the L2 strength fixed), and scores every record of the test file. Each size is
drawn --draws times with different seeds; the table gives the mean and the 10th-90th percentile
range. numpy and scikit-learn are needed (`pip install numpy scikit-learn`).

    python3 benches/learning_curve.py --train A.features.jsonl B.features.jsonl \
        --test C.features.jsonl --blocks final,mean7,in7 --sizes 25 50 100 200 400
"""
import argparse
import json

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cohen_kappa_score, roc_auc_score
from sklearn.preprocessing import StandardScaler


def load(paths):
    rows = [json.loads(line) for path in paths for line in open(path)]
    spec = rows[0]["spec"]
    names = (["final"] if spec["final_answer"] else []) + \
        [f"ans{l}" for l in spec["answer_layers"]] + \
        [f"mean{l}" for l in spec["output_mean_layers"]] + \
        [f"in{l}" for l in spec.get("input_mean_layers", [])]
    hidden = np.array([r["hidden"] for r in rows], dtype=np.float64)
    width = hidden.shape[1] // len(names)
    return {
        "names": names, "width": width, "hidden": hidden,
        "zero_shot": np.array([r["zero_shot"] for r in rows]),
        "y": np.array([r["label"] for r in rows], dtype=int),
        "groups": np.array([r["group"] for r in rows]),
        # A record's labeled set: its id without the trailing number (`esc-b-0001`: `esc-b`).
        "sets": np.array([r["id"].rsplit("-", 1)[0] for r in rows]),
    }


def features(data, blocks):
    parts = []
    for block in blocks:
        at = data["names"].index(block) * data["width"]
        parts.append(data["hidden"][:, at:at + data["width"]])
    return np.hstack(parts + [data["zero_shot"][:, None]])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", nargs="+", required=True)
    parser.add_argument("--test", nargs="+", required=True)
    parser.add_argument("--blocks", required=True, help="e.g. final,mean7,in7")
    parser.add_argument("--sizes", nargs="+", type=int, default=[25, 50, 100, 200])
    parser.add_argument("--draws", type=int, default=20)
    parser.add_argument("--l2", type=float, default=0.01, help="inverse of sklearn's C")
    args = parser.parse_args()
    blocks = args.blocks.split(",")
    train, test = load(args.train), load(args.test)
    x_train, x_test = features(train, blocks), features(test, blocks)
    groups = np.unique(train["groups"])
    print(f"| labels | AUC | kappa |  (test: {len(test['y'])} records, {args.draws} draws)")
    print("|---:|---|---|")
    for size in args.sizes:
        aucs, kappas = [], []
        for draw in range(args.draws):
            rng = np.random.default_rng(draw)
            chosen, picked = [], 0
            for group in rng.permutation(groups):
                members = np.flatnonzero(train["groups"] == group)
                chosen.extend(members)
                picked += len(members)
                if picked >= size:
                    break
            chosen = np.array(chosen)
            if len(set(train["y"][chosen])) < 2:
                continue
            scaler = StandardScaler().fit(x_train[chosen])
            model = LogisticRegression(C=1.0 / (args.l2 * len(chosen)), max_iter=3000)
            model.fit(scaler.transform(x_train[chosen]), train["y"][chosen])
            p = model.predict_proba(scaler.transform(x_test))[:, 1]
            aucs.append(roc_auc_score(test["y"], p))
            kappas.append(cohen_kappa_score(test["y"], (p >= 0.5).astype(int)))
        q = lambda v: f"{np.mean(v):.3f} [{np.percentile(v, 10):.3f}, {np.percentile(v, 90):.3f}]"
        print(f"| {size} | {q(aucs)} | {q(kappas)} |")


if __name__ == "__main__":
    main()
