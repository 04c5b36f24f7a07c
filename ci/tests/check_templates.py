#!/usr/bin/env python3
"""Checks the CI templates: each parses as YAML, has what its CI needs (reports
kept even on failure, JUnit wired in), and every gate.sh call in it is accepted
by gate.sh's own option parser (gate.sh dry run), with its reports going where
the template collects them.

usage: check_templates.py GATE_SH GITHUB_YML GITLAB_YML
"""
import os
import re
import shlex
import subprocess
import sys

import yaml

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def strings(node):
    """Every string value in a parsed YAML document."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)


def gate_calls(doc):
    """The argument lists of every gate.sh call in the document's scripts."""
    calls = []
    for text in strings(doc):
        text = re.sub(r"\\\n", " ", text)                      # continuations
        text = re.sub(r"\$\{\{.*?\}\}", "GH_EXPRESSION", text)  # ${{ ... }}
        for line in text.splitlines():
            m = re.search(r"(?:^|\s)\S*gate\.sh\s+(.*)$", line)
            if not m:
                continue
            lex = shlex.shlex(m.group(1), posix=True, punctuation_chars=True)
            lex.whitespace_split = True
            args = []
            for tok in lex:
                if tok and all(c in "();<>|&" for c in tok):
                    break
                args.append(tok)
            calls.append(args)
    return calls


def check_calls(gate, name, doc):
    """Runs each call through gate.sh's parser; returns the report dirs used."""
    calls = gate_calls(doc)
    if not calls:
        fail(f"{name}: no gate.sh call")
    dirs = []
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TAMTAM_GATE_DRY_RUN": "1"}
    for args in calls:
        r = subprocess.run(["sh", gate] + args, env=env, capture_output=True, text=True)
        shown = "gate.sh " + " ".join(shlex.quote(a) for a in args)
        if r.returncode != 0:
            fail(f"{name}: gate.sh rejects `{shown}`: {r.stderr.strip()}")
            continue
        if "--junit" not in r.stdout or "--json" not in r.stdout:
            fail(f"{name}: `{shown}` would not write JSON and JUnit reports")
        print(f"ok   {name}: {shown}")
        dirs.append(args[args.index("--report-dir") + 1] if "--report-dir" in args else "tamtam-report")
    return dirs


def under(path, dirs):
    return any(path.rstrip("/") == d.rstrip("/") or path.startswith(d.rstrip("/") + "/") for d in dirs)


def check_github(name, doc, dirs):
    triggers = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` as true
    if not triggers:
        fail(f"{name}: no `on:` triggers")
    jobs = doc.get("jobs") or {}
    if not jobs:
        fail(f"{name}: no jobs")
    steps = []
    for job_name, job in jobs.items():
        if "runs-on" not in job:
            fail(f"{name}: job {job_name} has no runs-on")
        if not isinstance(job.get("steps"), list) or not job["steps"]:
            fail(f"{name}: job {job_name} has no steps")
        steps += job.get("steps") or []
    for step in steps:
        if not isinstance(step, dict) or ("run" in step) == ("uses" in step):
            fail(f"{name}: a step needs exactly one of run/uses: {step}")
    uploads = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    if not uploads:
        fail(f"{name}: no actions/upload-artifact step")
    for s in uploads:
        if "always()" not in str(s.get("if", "")):
            fail(f"{name}: the upload step must run on failure too (if: always())")
        if not under(str(s.get("with", {}).get("path", "")), dirs):
            fail(f"{name}: the upload path is not the gate's report dir {dirs}")
    summary = [s for s in steps if "GITHUB_STEP_SUMMARY" in str(s.get("run", ""))]
    if not summary or "always()" not in str(summary[0].get("if", "")):
        fail(f"{name}: no job summary step that runs on failure too")


def check_gitlab(name, doc, dirs):
    jobs = {k: v for k, v in doc.items() if isinstance(v, dict) and "script" in v}
    if not jobs:
        fail(f"{name}: no job with a script")
    for job_name, job in jobs.items():
        art = job.get("artifacts") or {}
        if art.get("when") != "always":
            fail(f"{name}: {job_name}: artifacts must be kept on failure (when: always)")
        junit = (art.get("reports") or {}).get("junit")
        junit = junit if isinstance(junit, list) else [junit]
        if not junit[0] or not all(under(str(j), dirs) and str(j).endswith(".junit.xml") for j in junit):
            fail(f"{name}: {job_name}: artifacts:reports:junit must be the gate's *.junit.xml in {dirs}")
        if not any(under(str(p), dirs) for p in art.get("paths") or []):
            fail(f"{name}: {job_name}: artifacts:paths must hold the gate's report dir {dirs}")


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    gate, github, gitlab = sys.argv[1:]
    for path, check in ((github, check_github), (gitlab, check_gitlab)):
        name = os.path.basename(os.path.dirname(path)) + "/" + os.path.basename(path)
        try:
            with open(path) as f:
                doc = yaml.safe_load(f)
        except (OSError, yaml.YAMLError) as e:
            fail(f"{name}: {e}")
            continue
        if not isinstance(doc, dict):
            fail(f"{name}: not a YAML mapping")
            continue
        check(name, doc, check_calls(gate, name, doc))
    print("check_templates: " + ("all passed" if not failures else f"{len(failures)} problem(s)"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
