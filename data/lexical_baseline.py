"""The lexical baseline of the labeled-set generators (`--check`): TF-IDF of input + output
(lowercased word 1-2 grams, `?` kept as a word, terms in at least two training documents,
smooth idf, sublinear tf, unit rows) with L2 logistic regression, under 5-fold
cross-validation grouped by `meta.scenario`. Standard library only, deterministic.
"""
import math
import random
import re
from collections import Counter


TOK_RE = re.compile(r"[a-z0-9$%']+|\?")


def feats(text):
    toks = TOK_RE.findall(text.lower())
    grams = toks + [a + " " + b for a, b in zip(toks, toks[1:])]
    return Counter(grams)


def tfidf(train_docs, test_docs):
    df = Counter()
    for d in train_docs:
        df.update(d.keys())
    vocab = {t: i for i, t in enumerate(sorted(t for t, c in df.items() if c >= 2))}
    n = len(train_docs)
    idf = {t: math.log((1 + n) / (1 + df[t])) + 1 for t in vocab}

    def vec(d):
        v = {vocab[t]: (1 + math.log(c)) * idf[t] for t, c in d.items() if t in vocab}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {k: x / norm for k, x in v.items()}

    return [vec(d) for d in train_docs], [vec(d) for d in test_docs], len(vocab)


def fit_logreg(X, y, dim, C=1.0, iters=600, lr=2.0):
    # minimise (1/n) * [sum logloss + ||w||^2 / (2C)]; Nesterov-accelerated gradient descent
    n = len(X)
    w = [0.0] * dim
    b = 0.0
    vw = [0.0] * dim
    vb = 0.0
    mu = 0.9
    for _ in range(iters):
        lw = [wi + mu * vi for wi, vi in zip(w, vw)]
        lb = b + mu * vb
        gw = [wi / (C * n) for wi in lw]
        gb = 0.0
        for x, t in zip(X, y):
            z = lb + sum(lw[k] * v for k, v in x.items())
            p = 1 / (1 + math.exp(-z)) if z > -35 else 0.0
            g = (p - t) / n
            gb += g
            for k, v in x.items():
                gw[k] += g * v
        vw = [mu * vi - lr * gi for vi, gi in zip(vw, gw)]
        vb = mu * vb - lr * gb
        w = [wi + vi for wi, vi in zip(w, vw)]
        b += vb
    return w, b


def auc(scores, labels):
    pairs = sorted(zip(scores, labels))
    ranks = [0.0] * len(pairs)
    i = 0
    while i < len(pairs):
        j = i
        while j + 1 < len(pairs) and pairs[j + 1][0] == pairs[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        i = j + 1
    npos = sum(l for _, l in pairs)
    nneg = len(pairs) - npos
    rsum = sum(r for r, (_, l) in zip(ranks, pairs) if l == 1)
    return (rsum - npos * (npos + 1) / 2) / (npos * nneg)


def grouped_scores(recs, rubric, seed, iters=600):
    """Out-of-fold baseline scores, 5 folds of whole scenarios (shuffled with `seed`).

    Returns (scores, labels, rows): parallel lists, `rows` the index of each record in `recs`.
    """
    scen = sorted({r["meta"]["scenario"] for r in recs})
    random.Random(seed).shuffle(scen)
    fold_of = {s: i % 5 for i, s in enumerate(scen)}
    docs = [feats(r["input"] + "\n" + r["output"]) for r in recs]
    y = [1 if r["labels"][rubric] == "pass" else 0 for r in recs]
    scores, labels, rows = [], [], []
    for f in range(5):
        tr = [i for i, r in enumerate(recs) if fold_of[r["meta"]["scenario"]] != f]
        te = [i for i, r in enumerate(recs) if fold_of[r["meta"]["scenario"]] == f]
        Xtr, Xte, dim = tfidf([docs[i] for i in tr], [docs[i] for i in te])
        w, b = fit_logreg(Xtr, [y[i] for i in tr], dim, iters=iters)
        for i, x in zip(te, Xte):
            scores.append(b + sum(w[k] * v for k, v in x.items()))
            labels.append(y[i])
            rows.append(i)
    return scores, labels, rows
