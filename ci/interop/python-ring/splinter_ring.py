"""A second, independent implementation of the Splinter ring, written from
spec/splinter-ring.md alone with the Python standard library (mmap, struct).

Limits, because the standard library has no atomic read-modify-write and no
memory fences:
- 8-byte words are read and written whole through a memoryview cast to 'Q'
  (one aligned 8-byte access); ordering relies on x86-64 (TSO: every load is an
  acquire, every store a release), so the module refuses other machines.
- No compare-and-swap: a Writer MUST be the ring's only writer, and a Reader
  attaches and skips stuck claims with plain stores. That is what the
  cross-language test needs; a C writer/reader beside it is unaffected as long
  as no second Python writer runs.
"""
import mmap
import os
import platform
import struct
import sys
import time

MAGIC = b"SPLRING\x00"
VERSION = 1
HEADER = 4096
READERS = 16
NONE = 0xFFFFFFFFFFFFFFFF
EMPTY, CLAIMED, READY, SKIPPED = 0, 1, 2, 3
BACKPRESSURE = 4100


class RingError(Exception):
    """A file that is no ring of ours; `name` is the spec's error name."""

    def __init__(self, name, text):
        super().__init__("%s: %s" % (name, text))
        self.name = name


def _check_host():
    if sys.byteorder != "little" or platform.machine() not in ("x86_64", "AMD64"):
        raise RingError("unsupported_host", "needs little-endian x86-64 (see module doc)")


def _ms():
    # CLOCK_MONOTONIC, the clock of every heartbeat (spec section 1)
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000000


def _pow2(v, lo, hi):
    return lo <= v <= hi and v & (v - 1) == 0


class Ring:
    """A mapped ring file: header fields, words, slots (SR-2)."""

    def __init__(self, path, create=None):
        _check_host()
        self.path = path
        if create is not None:
            self._create(path, *create)
        fd = os.open(path, os.O_RDWR | os.O_NOFOLLOW)
        try:
            st = os.fstat(fd)
            if not os.path.stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() \
                    or st.st_mode & 0o7777 != 0o600:
                raise RingError("bad_permissions", "not a regular 0600 file of ours")
            if st.st_size < HEADER:
                raise RingError("bad_size", "shorter than the header")
            head = os.pread(fd, HEADER, 0)
            if head[0:8] != MAGIC:
                raise RingError("bad_magic", "no SPLRING magic")
            (version, hsize, self.n, self.slot_size, readers, self.stuck_ms,
             self.heartbeat_ms) = struct.unpack_from("<7I", head, 8)
            if version != VERSION:
                raise RingError("bad_version", "layout version %d" % version)
            fsize = struct.unpack_from("<Q", head, 48)[0]
            want = HEADER + self.n * self.slot_size
            if hsize != HEADER or readers != READERS or not _pow2(self.n, 2, 1 << 24) \
                    or not _pow2(self.slot_size, 64, 1 << 21) or fsize != want \
                    or st.st_size != want:
                raise RingError("bad_size", "parameters or size inconsistent")
            self.mm = mmap.mmap(fd, want, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        finally:
            os.close(fd)
        self.words = memoryview(self.mm).cast("Q")
        self.line_max = self.slot_size - 16

    @staticmethod
    def _create(path, n, slot_size, stuck_ms, heartbeat_ms):
        if not _pow2(n, 2, 1 << 24) or not _pow2(slot_size, 64, 1 << 21):
            raise RingError("invalid_argument", "slot count or size")
        size = HEADER + n * slot_size
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.ftruncate(fd, size)
            head = bytearray(HEADER)
            struct.pack_into("<8I", head, 8, VERSION, HEADER, n, slot_size, READERS,
                             stuck_ms, heartbeat_ms, 0)
            struct.pack_into("<QQI", head, 40, time.time_ns(), size, os.getpid())
            for i in range(READERS):
                struct.pack_into("<Q", head, 128 + 64 * i + 8, NONE)
            os.pwrite(fd, bytes(head[8:]), 8)
            os.pwrite(fd, MAGIC, 0)  # magic last (SR-2-a)
        finally:
            os.close(fd)

    def close(self):
        self.words.release()
        self.mm.close()

    # word i is at byte offset 8 * i
    def word(self, off):
        return self.words[off // 8]

    def set_word(self, off, v):
        self.words[off // 8] = v

    def wc(self):
        return self.word(64)

    def slot_off(self, seq):
        return HEADER + (seq % self.n) * self.slot_size

    def entry_off(self, i):
        return 128 + 64 * i

    def slowest(self, wc):
        """SR-4-d: the smallest cursor of live entries (reaping none: the
        Python side never frees another's entry without CAS)."""
        now, m = _ms(), wc
        for i in range(READERS):
            e = self.entry_off(i)
            if self.word(e) == 0 or now - self.word(e + 16) > self.heartbeat_ms:
                continue
            c = self.word(e + 8)
            if c != NONE and c < m:
                m = c
        return m


class Writer:
    """The ring's only writer (see module doc)."""

    def __init__(self, ring):
        self.r = ring

    def write(self, line):
        """0 when written, BACKPRESSURE when full (SR-4-d)."""
        r = self.r
        if not 1 <= len(line) <= r.line_max or b"\n" in line:
            raise RingError("too_long" if len(line) > r.line_max else "bad_line", repr(line[:20]))
        wc = r.wc()
        if wc - r.slowest(wc) >= r.n:
            return BACKPRESSURE
        r.set_word(64, wc + 1)                       # claim (SR-4-a)
        s = r.slot_off(wc)
        r.set_word(s, wc << 2 | CLAIMED)             # mark (SR-4-b)
        struct.pack_into("<I", r.mm, s + 8, len(line))
        r.mm[s + 16:s + 16 + len(line)] = line
        r.set_word(s, wc << 2 | READY)               # publish (SR-4-c)
        return 0

    def claim_and_die(self):
        """A writer that claims and never publishes (for the stuck test)."""
        wc = self.r.wc()
        self.r.set_word(64, wc + 1)
        self.r.set_word(self.r.slot_off(wc), wc << 2 | CLAIMED)
        return wc


class Reader:
    """One reader entry (SR-7)."""

    _generation = 0

    def __init__(self, ring):
        self.r = ring
        self.stuck = None
        Reader._generation += 1
        self.token = os.getpid() | Reader._generation << 32
        self._attach(None)

    def _attach(self, cursor):
        """SR-7-a; cursor None: start at the writer cursor."""
        ring = self.r
        for i in range(READERS):
            e = ring.entry_off(i)
            if ring.word(e) == 0:
                ring.set_word(e + 16, _ms())
                ring.set_word(e, self.token)
                self.cursor = ring.wc() if cursor is None else cursor
                ring.set_word(e + 8, self.cursor)
                self.e = e
                return
        raise RingError("no_reader_slot", "16 readers")

    def close(self):
        self.r.set_word(self.e + 8, NONE)
        self.r.set_word(self.e, 0)

    def seek(self, seq):
        self._advance(seq)

    def _advance(self, to):
        self.cursor = to
        self.stuck = None
        self.r.set_word(self.e + 8, to)

    def read(self):
        """('line', seq, bytes) | ('lost', seq, count, cause) | None (SR-7-b)."""
        if self.r.word(self.e) != self.token:  # reaped (SR-6-c): attach again
            self._attach(self.cursor)
        r, c = self.r, self.cursor
        r.set_word(self.e + 16, _ms())
        while True:
            s = r.slot_off(c)
            w = r.word(s)
            if w >> 2 > c:                                     # lapped (SR-6-d)
                to = max(c + 1, r.wc() - r.n)
                self._advance(to)
                return ("lost", c, to - c, "lapped")
            if w == c << 2 | READY:
                n = struct.unpack_from("<I", r.mm, s + 8)[0]
                data = bytes(r.mm[s + 16:s + 16 + min(n, r.line_max)])
                if r.word(s) != w or n > r.line_max:           # SR-6-e
                    continue
                self._advance(c + 1)
                return ("line", c, data)
            if w == c << 2 | SKIPPED:
                self._advance(c + 1)
                return ("lost", c, 1, "stuck")
            if r.wc() <= c:
                return None
            now = _ms()
            if self.stuck is None or self.stuck[0] != c:
                self.stuck = (c, now)
                return None
            if now - self.stuck[1] <= r.stuck_ms:
                return None
            r.set_word(s, c << 2 | SKIPPED)                    # SR-6-b, no CAS
            self._advance(c + 1)
            return ("lost", c, 1, "stuck")
