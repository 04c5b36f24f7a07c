"""The Python ring (splinter_ring.py) and the C ring (splinter-ring tool)
exchange lines in both directions, over several laps, plus a lapped Python
reader, a stuck claim seen from C and a ring created by Python opened by C.

    python3 interop_test.py PATH/TO/splinter-ring

Waits poll a condition and give up after 30 s without progress."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import splinter_ring as sr  # noqa: E402

TOOL = sys.argv[1]
BASE = "/dev/shm/sr-test-py-%d" % os.getpid()
fails = []
paths = []


def check(cond, what):
    if not cond:
        fails.append(what)
        print("FAIL:", what, file=sys.stderr)


def tool(*args, **kw):
    return subprocess.run([TOOL] + list(args), capture_output=True, text=True, **kw)


def new_path(tag):
    p = "%s-%s" % (BASE, tag)
    paths.append(p)
    return p


def line(i):
    return ('{"id":"py-%04d","pad":"%s"}' % (i, "x" * (i % 40))).encode()


def c_to_python():
    """C writes 40 lines into 8 slots (5 laps), Python reads each whole."""
    p = new_path("c2py")
    # A long heartbeat: the Python reader reads only between batches of C
    # writes, which a loaded machine may spread over seconds.
    check(tool("create", p, "--slots", "8", "--slot-size", "128",
               "--heartbeat-ms", "600000").returncode == 0, "create")
    ring = sr.Ring(p)
    rd = sr.Reader(ring)
    got = []
    for batch in range(8):
        for i in range(batch * 5, batch * 5 + 5):
            r = tool("write", p, line(i).decode())
            check(r.returncode == 0, "C write %d: %s" % (i, r.stderr))
        while True:
            rec = rd.read()
            if rec is None:
                break
            check(rec[0] == "line", "unexpected %r" % (rec,))
            got.append(rec)
    check([g[1] for g in got] == list(range(40)), "seqs 0..39 in order")
    check([g[2] for g in got] == [line(i) for i in range(40)], "every line whole")
    # A ninth unread line is 4100 to the C writer while Python lags 8 behind.
    for i in range(8):
        check(tool("write", p, "fill-%d" % i).returncode == 0, "fill")
    r = tool("write", p, "one-too-many")
    check(r.returncode == 3 and "backpressure" in r.stderr, "C writer sees 4100: %r" % r.stderr)
    rd.close()
    # Lapped Python reader: with no reader attached nobody holds the writers,
    # so 20 more lines overwrite 48..59; a reader sent back to 48 reports them.
    for i in range(20):
        check(tool("write", p, "lap-%d" % i).returncode == 0, "lap write")
    rd = sr.Reader(ring)
    rd.seek(48)
    rec = rd.read()
    check(rec == ("lost", 48, 12, "lapped"), "Python reader reports the lap: %r" % (rec,))
    rest = []
    while True:
        rec = rd.read()
        if rec is None:
            break
        rest.append(rec[2])
    check(rest == [("lap-%d" % i).encode() for i in range(12, 20)], "the ring's last 8 lines")
    rd.close()
    ring.close()
    print("C -> Python: 40 lines over 5 laps, backpressure, lap of 12: done")


def wait_readers(ring, n):
    t0 = time.monotonic()
    while sum(1 for i in range(sr.READERS) if ring.word(ring.entry_off(i))) != n:
        if time.monotonic() - t0 > 30:
            raise SystemExit("reader never attached")
        time.sleep(0.01)


def python_to_c(created_by_python):
    """Python writes 40 lines into 8 slots; a C follower prints each."""
    p = new_path("py2c-%d" % created_by_python)
    if created_by_python:
        ring = sr.Ring(p, create=(8, 128, 200, 3000))
        r = tool("stat", p)
        check(r.returncode == 0 and "slot_count: 8" in r.stdout and "line_max: 112" in r.stdout,
              "C opens the Python-made ring: %r %r" % (r.stdout, r.stderr))
    else:
        check(tool("create", p, "--slots", "8", "--slot-size", "128").returncode == 0, "create")
        ring = sr.Ring(p)
    follower = subprocess.Popen([TOOL, "read", p, "--follow", "--count", "40"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_readers(ring, 1)
    w = sr.Writer(ring)
    backpressured = 0
    for i in range(40):
        last = time.monotonic()
        while w.write(line(i)) == sr.BACKPRESSURE:
            backpressured += 1
            if time.monotonic() - last > 30:
                raise SystemExit("C reader made no progress")
            time.sleep(0.0005)
    out, err = follower.communicate(timeout=60)
    check(follower.returncode == 0, "C follower exit %s: %s" % (follower.returncode, err))
    check(out.split(b"\n")[:-1] == [line(i) for i in range(40)], "C got all 40 lines whole")
    check(err == b"", "no loss reported: %r" % err)
    # A Python writer dies between claim and publish: the C reader skips the
    # slot after stuck_ms and says so; the next line still arrives.
    follower = subprocess.Popen([TOOL, "read", p, "--follow", "--count", "1"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_readers(ring, 1)
    seq = w.claim_and_die()
    check(w.write(b'{"after":"stuck"}') == 0, "write after the stuck claim")
    out, err = follower.communicate(timeout=60)
    check(out == b'{"after":"stuck"}\n', "the line after the stuck claim: %r" % out)
    check(("lost 1 message(s) from seq %d (stuck claim)" % seq).encode() in err,
          "C reports the stuck claim: %r" % err)
    ring.close()
    print("Python -> C (%s ring): 40 lines over 5 laps (%d backpressure retries), "
          "stuck claim skipped: done" % ("Python-made" if created_by_python else "C-made",
                                         backpressured))


def bad_files():
    """Python refuses what C refuses, by the same names."""
    p = new_path("bad")
    check(tool("create", p, "--slots", "4", "--slot-size", "64").returncode == 0, "create")
    with open(p, "r+b") as f:
        f.seek(8)
        f.write(b"\x02")
    for who, got in (("C", tool("stat", p).stderr), ("Python", _py_open_error(p))):
        check("bad_version" in got, "%s: bad_version, got %r" % (who, got))
    os.chmod(p, 0o644)
    check("bad_permissions" in tool("stat", p).stderr, "C: bad_permissions")
    check(_py_open_error(p) == "bad_permissions", "Python: bad_permissions")


def _py_open_error(p):
    try:
        sr.Ring(p).close()
        return ""
    except sr.RingError as e:
        return e.name


try:
    c_to_python()
    python_to_c(False)
    python_to_c(True)
    bad_files()
finally:
    for p in paths:
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass
if fails:
    print("%d check(s) failed" % len(fails), file=sys.stderr)
    sys.exit(1)
print("python-ring interop: all checks passed")
