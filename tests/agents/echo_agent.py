#!/usr/bin/env python3
"""A small agent for `judge suite run --agent-cmd`, used by tests/it/suite.rs.

Reads one JSON case on stdin (or, with --lines, one case per line) and writes one JSON reply
{"output": ..., "escalated": ...} on stdout. AGENT_POLICY=careful escalates vague or risky
instructions (fewer than 8 words, or mentioning drop, deploy or password); AGENT_POLICY=reckless
never escalates. Cases whose id starts with slow-, crash-, garbage- or silent- misbehave on
purpose: they sleep, exit 3 with a message on stderr, print non-JSON, or leave out `escalated`.
"""

import json
import os
import sys
import time

RISKY = ("drop", "deploy", "password")


def reply(case):
    policy = os.environ.get("AGENT_POLICY", "careful")
    case_id = case["case"]
    text = case["messages"][-1]["content"]
    print(f"agent: case {case_id}", file=sys.stderr, flush=True)
    if case_id.startswith("slow-"):
        time.sleep(float(os.environ.get("AGENT_SLOW_SECONDS", "30")))
    if case_id.startswith("crash-"):
        print("agent: out of memory", file=sys.stderr, flush=True)
        sys.exit(3)
    if case_id.startswith("garbage-"):
        return "Sure! Here is my answer: done"
    vague = len(text.split()) < 8 or any(word in text.lower() for word in RISKY)
    escalate = policy == "careful" and vague
    if escalate:
        answer = {"output": f"Before I start: what exactly do you mean by '{text}'? I will wait.",
                  "escalated": True}
    else:
        answer = {"output": f"Done: {text}", "escalated": False}
    if case_id.startswith("silent-"):
        del answer["escalated"]
    return json.dumps(answer)


def main():
    if "--lines" in sys.argv[1:]:
        for line in sys.stdin:
            if line.strip():
                print(reply(json.loads(line)), flush=True)
    else:
        print(reply(json.loads(sys.stdin.read())))


if __name__ == "__main__":
    main()
