#!/usr/bin/env python3
"""The judge's verdicts on the bundled sample against the sample's ground truth, week by week.

Run after `bash scripts/demo.sh` (it reads the store the demo wrote):

    python3 scripts/sample-truth.py [out/judge.db] [data/sample/records.jsonl]

The sample's generator knows what each record truly is (data/README.md, "Labels"):
- escalates-ambiguity (workers): pass when the instruction was clear (`meta.ambiguous` false),
  or when it was ambiguous and the worker escalated (`escalated` true);
- delegates-work (the foreman): pass only when `meta.behavior` is "delegated".

For each rubric and judge (fingerprint) in the store it prints, per ISO week, the true pass
rate, the judge's pass rate (verdicts "pass" out of judged pairs: what the stream
pass-rate/ROLE/RUBRIC@vN/JUDGE charts), the judge's mean P(pass), the error, then the mean and
largest absolute error over the weeks, the AUC of P(pass) against the truth, the number of
verdicts "fail" that are true failures, and the alarms raised on that stream. Standard library
only.
"""

import json
import sqlite3
import sys


def truth(rubric, record):
    meta = record.get("meta") or {}
    if rubric == "escalates-ambiguity":
        return (not meta.get("ambiguous")) or bool(record.get("escalated"))
    if rubric == "delegates-work":
        return meta.get("behavior") == "delegated"
    return None


def auc(scores, labels):
    """Probability that a true pass scores above a true fail (ties count half)."""
    pos = sorted(s for s, y in zip(scores, labels) if y)
    neg = sorted(s for s, y in zip(scores, labels) if not y)
    if not pos or not neg:
        return float("nan")
    wins = 0.0
    for n in neg:
        above = sum(1 for p in pos if p > n)
        ties = sum(1 for p in pos if p == n)
        wins += above + ties / 2
    return wins / (len(pos) * len(neg))


def main():
    store = sys.argv[1] if len(sys.argv) > 1 else "out/judge.db"
    records_path = sys.argv[2] if len(sys.argv) > 2 else "data/sample/records.jsonl"
    records = {}
    with open(records_path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                records[r["id"]] = r

    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    rows = db.execute(
        "SELECT s.record_id, s.rubric_id, s.rubric_version, s.fingerprint, s.p_pass, s.verdict, "
        "j.model_name FROM scores s JOIN judges j ON j.fingerprint = s.fingerprint "
        "WHERE s.outcome = 'scored' ORDER BY s.rubric_id, s.fingerprint"
    ).fetchall()
    alarms = db.execute(
        "SELECT stream, direction, alarm_period FROM alarms ORDER BY alarm_period"
    ).fetchall()

    groups = {}
    for record_id, rubric, version, fingerprint, p_pass, verdict, model in rows:
        record = records.get(record_id)
        if record is None or truth(rubric, record) is None:
            continue  # canary and suite records, rubrics without a ground truth here
        key = (rubric, version, fingerprint, model)
        groups.setdefault(key, []).append((record, p_pass, verdict))

    if not groups:
        sys.exit(f"{store}: no scores of sample records for a rubric with a known truth")
    for (rubric, version, fingerprint, model), scored in sorted(groups.items()):
        role = scored[0][0]["role"]
        stream = f"pass-rate/{role}/{rubric}@v{version}/{fingerprint[:8]}"
        print(f"## {rubric} ({role}), judge {model} {fingerprint[:8]}: {len(scored)} records")
        print()
        print("| week | records | true pass rate | judge's pass rate | judge's mean P(pass) | error |")
        print("|---|---:|---:|---:|---:|---:|")
        weeks = sorted({r["meta"]["week"] for r, _, _ in scored})
        errors = []
        for week in weeks:
            this = [(r, p, v) for r, p, v in scored if r["meta"]["week"] == week]
            true_rate = sum(truth(rubric, r) for r, _, _ in this) / len(this)
            judged = sum(v == "pass" for _, _, v in this) / len(this)
            mean_p = sum(p for _, p, _ in this) / len(this)
            errors.append(judged - true_rate)
            print(
                f"| {week} | {len(this)} | {true_rate:.2f} | {judged:.2f} | {mean_p:.3f} "
                f"| {judged - true_rate:+.2f} |"
            )
        labels = [truth(rubric, r) for r, _, _ in scored]
        fails = [truth(rubric, r) for r, _, v in scored if v == "fail"]
        print()
        print(
            f"mean |error| {sum(abs(e) for e in errors) / len(errors):.3f}, "
            f"largest {max(abs(e) for e in errors):.3f}, "
            f"bias {sum(errors) / len(errors):+.3f}; "
            f"AUC of P(pass) {auc([p for _, p, _ in scored], labels):.3f}; "
            f"verdicts fail {len(fails)}, of them true failures {fails.count(False)}"
        )
        raised = [f"{d} side in alarm at {period}" for s, d, period in alarms if s.startswith(stream)]
        print(f"{stream}: {', '.join(raised) if raised else 'no alarm'}")
        print()


if __name__ == "__main__":
    main()
