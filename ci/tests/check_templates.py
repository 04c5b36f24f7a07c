#!/usr/bin/env python3
"""Checks the CI templates: each parses as YAML, has what its CI needs (reports
kept even on failure, JUnit wired in), and every gate.sh call in it is accepted
by gate.sh's own option parser (gate.sh dry run), with its reports going where
the template collects them.

Each call is checked with the template's variables expanded as its shell
would ($V, ${V}, ${V:-default}; a variable the template does not set is an
error), and, when it chooses steps (--steps), once more with every step on, so
the optional interop and fuzz steps are checked too: each tamtam-run command
the dry run prints writes JSON and JUnit (and fuzz its findings) into the
collected report dir, interop and fuzz get two or more implementations, and
an implementation the suite builds (SUITE_BUILD/bin/PROGRAM) is a target the
template builds.

usage: check_templates.py GATE_SH GITHUB_YML GITLAB_YML

Run mode runs a template's gate.sh call for real, as the template's job
would, in WORKDIR (the suite at .tamtam/suite and its build at .tamtam/build,
as the template fetches and builds them; an empty known-failures file), with
SHIM_CMD as the project's shim and every step on (TAMTAM_STEPS), then checks
the verdict of each step, the overall exit status, and that the reports and
fuzz findings are where the template uploads them:

usage: check_templates.py run pass|red TEMPLATE_YML SUITE_SRC SUITE_BUILD SHIM_CMD WORKDIR
"""
import glob
import os
import re
import shlex
import shutil
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


VAR = re.compile(r"\$(?:\{(\w+)(?::-([^}]*))?\}|(\w+))")
ALL_STEPS = "conformance interop fuzz"


def expand(word, variables, name):
    """WORD with the template's variables substituted as the shell would."""
    def value(m):
        var = m.group(1) or m.group(3)
        if var not in variables:
            fail(f"{name}: a gate.sh call uses ${var}, which the template does not set")
            return ""
        v = str(variables[var])
        return m.group(2) if m.group(2) is not None and v == "" else v
    return VAR.sub(value, word)


def option(args, opt):
    """The values of every OPT in ARGS."""
    return [args[i + 1] for i, a in enumerate(args[:-1]) if a == opt]


def check_calls(gate, name, doc, variables):
    """Runs each call through gate.sh's parser; returns the report dirs used."""
    calls = gate_calls(doc)
    if not calls:
        fail(f"{name}: no gate.sh call")
    targets = set()
    for text in strings(doc):
        for m in re.finditer(r"--target((?:\s+[\w.+-]+)+)", text):
            targets.update(m.group(1).split())
    dirs = []
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TAMTAM_GATE_DRY_RUN": "1"}
    for raw in calls:
        args = [expand(a, variables, name) for a in raw]
        variants = [args]
        if "--steps" in args:
            i = args.index("--steps") + 1
            variants.append(args[:i] + [ALL_STEPS] + args[i + 1:])
        report_dir = args[args.index("--report-dir") + 1] if "--report-dir" in args else "tamtam-report"
        dirs.append(report_dir)
        for v in variants:
            shown = "gate.sh " + " ".join(shlex.quote(a) for a in v)
            r = subprocess.run(["sh", gate] + v, env=env, capture_output=True, text=True)
            if r.returncode != 0:
                fail(f"{name}: gate.sh rejects `{shown}`: {r.stderr.strip()}")
                continue
            steps = check_dry_run(name, shown, r.stdout, report_dir, targets)
            print(f"ok   {name}: {shown}\n       runs {', '.join(steps)}")
            if v is not args and steps != ALL_STEPS.split():
                fail(f"{name}: with --steps '{ALL_STEPS}', `{shown}` runs {steps}")
    return dirs


def check_dry_run(name, shown, stdout, report_dir, targets):
    """Checks the tamtam-run commands a dry run printed; returns their steps."""
    steps = []
    for line in stdout.splitlines():
        cmd = shlex.split(line)
        step = cmd[1] if len(cmd) > 1 and cmd[1] in ("interop", "fuzz") else "conformance"
        steps.append(step)
        for opt in ("--json", "--junit") + (("--out",) if step == "fuzz" else ()):
            where = option(cmd, opt)
            if len(where) != 1 or not under(where[0], [report_dir]):
                fail(f"{name}: `{shown}`: {step} writes {opt} {where}, not into {report_dir}/")
        if step == "conformance":
            continue
        impls = option(cmd, "--impl")
        if len(impls) < 2:
            fail(f"{name}: `{shown}`: {step} has {len(impls)} implementations")
        for impl in impls:
            program = shlex.split(impl.split("=", 1)[1])[0]
            if "/bin/" in program and os.path.basename(program) not in targets:
                fail(f"{name}: {step} runs {program}, but the template builds only {sorted(targets)}")
    return steps


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


def variables(doc):
    """The variables a template's scripts see: GitHub env (workflow, jobs),
    GitLab variables (global, jobs)."""
    found = {}
    for key in ("env", "variables"):
        found.update(doc.get(key) or {})
    for job in doc.get("jobs", doc).values():
        if isinstance(job, dict):
            for key in ("env", "variables"):
                if isinstance(job.get(key), dict):
                    found.update(job[key])
    return found


def run_template(want, path, suite_src, suite_build, shim, workdir):
    """Run mode: the template's own gate.sh call, run in a copy of its job's
    workspace. Random frames and fuzz iterations are cut through gate.sh's
    environment (TAMTAM_INTEROP_RANDOM, TAMTAM_FUZZ_ITERATIONS) to keep the
    test short; everything else is the template's."""
    name = os.path.basename(os.path.dirname(path)) + "/" + os.path.basename(path)
    with open(path) as f:
        doc = yaml.safe_load(f)
    calls = gate_calls(doc)
    if len(calls) != 1:
        fail(f"{name}: expected one gate.sh call, found {len(calls)}")
        return
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(os.path.join(workdir, ".tamtam"))
    os.symlink(os.path.abspath(suite_src), os.path.join(workdir, ".tamtam", "suite"))
    os.symlink(os.path.abspath(suite_build), os.path.join(workdir, ".tamtam", "build"))
    open(os.path.join(workdir, "tamtam-known-failures.txt"), "w").close()
    variables_ = variables(doc)
    variables_.update(TAMTAM_SHIM=shim, TAMTAM_STEPS=ALL_STEPS, TAMTAM_NODE="", TAMTAM_NODE_CMD="")
    args = [expand(a, variables_, name) for a in calls[0]]
    report_dir = args[args.index("--report-dir") + 1]
    env = dict(os.environ, TAMTAM_INTEROP_RANDOM="0", TAMTAM_FUZZ_ITERATIONS="100")
    env.pop("TAMTAM_GATE_DRY_RUN", None)
    print(f"{name}: gate.sh " + " ".join(shlex.quote(a) for a in args))
    r = subprocess.run(["sh", os.path.join(".tamtam", "suite", "ci", "gate.sh")] + args, cwd=workdir, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(r.stdout)
    print("---- template run checks ----")
    verdict, status = ("PASS", 0) if want == "pass" else ("REGRESSION", 1)
    if r.returncode == status:
        print(f"ok   exit {status}")
    else:
        fail(f"{name}: the template's gate call exited {r.returncode}, expected {status}")
    m = re.search(r"^-- gate summary: all --\n((?:  .*\n)+)result:    (.*)$", r.stdout, re.M)
    steps = dict(re.findall(r"^  (\w+) +(.*)$", m.group(1), re.M)) if m else {}
    want_steps = {s: f"{verdict} (exit {status})" for s in ALL_STEPS.split()}
    if m and steps == want_steps and m.group(2) == f"{verdict} (exit {status})":
        print(f"ok   every step {verdict}: " + ", ".join(steps))
    else:
        fail(f"{name}: overall summary {steps}, expected {want_steps}")
    reports = os.path.join(workdir, report_dir)
    for step in ALL_STEPS.split():
        for ext in ("json", "junit.xml", "log", "summary.md"):
            if not os.path.isfile(os.path.join(reports, f"{step}.{ext}")):
                fail(f"{name}: no {report_dir}/{step}.{ext} to upload")
    findings = glob.glob(os.path.join(reports, "fuzz.findings", "fuzz-*", "core-*.json"))
    if want == "red" and not findings:
        fail(f"{name}: no fuzz findings under {report_dir}/ (the uploaded directory)")
    elif want == "pass" and findings:
        fail(f"{name}: fuzz findings on a passing run: {findings}")
    else:
        print(f"ok   reports in {report_dir}/" + (f", findings {len(findings)} files" if findings else ""))


def main():
    if len(sys.argv) == 8 and sys.argv[1] == "run" and sys.argv[2] in ("pass", "red"):
        run_template(*sys.argv[2:])
        print("check_templates run: " + ("all passed" if not failures else f"{len(failures)} problem(s)"))
        return 1 if failures else 0
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
        check(name, doc, check_calls(gate, name, doc, variables(doc)))
    print("check_templates: " + ("all passed" if not failures else f"{len(failures)} problem(s)"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
