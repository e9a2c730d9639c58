"""Run one text-producing job in a forked child while the caller does other work.

Two jobs of a whole-corpus build split well over two processors: reading the record
files (a child parses part of them while the parent parses the rest) and, in
`kbtool site`, building the open-data downloads (JSON, JSON Lines and CSV of every
record) while the parent builds the pages. The child shares what the parent already
holds (fork copies nothing until it is written) and hands back plain text: names and
UTF-8 bytes in an unnamed temporary file that only this process can reach. Nothing is
pickled and no code crosses over.

Where there is no fork (Windows), only one processor, or the job is small, or anything
goes wrong in the child, the job simply runs in the caller: the result is the same,
only slower. `KBTOOL_PARALLEL=0` turns it off, `=1` forces it (tests).
"""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Callable

ENV = "KBTOOL_PARALLEL"
_HEADER_LIMIT = 1 << 20  # the header lists file names and sizes: never this long


def processors() -> int:
    """Processors this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worth_it(size: int, threshold: int) -> bool:
    """Whether to fork for a job over `size` items: a fork, a second processor, a job big
    enough to pay for the fork (`threshold` items), unless KBTOOL_PARALLEL says otherwise."""
    setting = os.environ.get(ENV, "")
    if setting == "0" or not hasattr(os, "fork"):
        return False
    if setting == "1":
        return True
    return size >= threshold and processors() >= 2


class Pending:
    """A job's result, from the child when it succeeded, else by running the job here."""

    def __init__(self, job: Callable[[], dict[str, str]], fork: bool) -> None:
        self.job = job
        self.pid: int | None = None
        self.out = None
        if fork:
            self._start()

    def _start(self) -> None:
        import tempfile  # only when forking: commands that never fork do not load it

        try:
            out = tempfile.TemporaryFile()  # noqa: SIM115 - unnamed: nothing else can open it
        except OSError:
            return
        # Objects the collector tracks would each be touched (and their memory copied) by
        # a collection in the child: freeze them first, and collect nothing in the child.
        gc.freeze()
        try:
            pid = os.fork()
        except OSError:
            gc.unfreeze()
            out.close()
            return
        if pid == 0:  # the child: run the job, write the result, leave without cleanup
            gc.disable()
            code = 1
            try:
                _write(out, self.job())
                code = 0
            except BaseException:  # noqa: BLE001 - the parent runs the job again and reports
                pass
            finally:
                os._exit(code)
        gc.unfreeze()
        self.pid, self.out = pid, out

    def result(self) -> dict[str, str]:
        """The job's files; the job runs here if the child did not deliver them."""
        if self.pid is None or self.out is None:
            return self.job()
        try:
            _, status = os.waitpid(self.pid, 0)
            if os.waitstatus_to_exitcode(status) == 0:
                self.out.seek(0)
                files = _read(self.out)
                if files is not None:
                    return files
        except (OSError, ValueError):
            pass
        finally:
            self.out.close()
            self.pid = self.out = None
        return self.job()

    def cancel(self) -> None:
        """Stop the child (the caller failed and will not ask for the result)."""
        if self.pid is not None:
            import signal

            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
        if self.out is not None:
            self.out.close()
        self.pid = self.out = None


def _write(out, files: dict[str, str]) -> None:
    blobs = [(name, text.encode("utf-8")) for name, text in files.items()]
    header = json.dumps([[name, len(blob)] for name, blob in blobs]).encode("utf-8")
    out.write(len(header).to_bytes(8, "big"))
    out.write(header)
    for _, blob in blobs:
        out.write(blob)
    out.flush()


def _read(out) -> dict[str, str] | None:
    """The files `_write` wrote, or None when the file is not whole (a child killed
    mid-write, say)."""
    size = int.from_bytes(out.read(8), "big")
    if not 0 < size <= _HEADER_LIMIT:
        return None
    raw = out.read(size)
    try:
        header = json.loads(raw.decode("utf-8")) if len(raw) == size else None
    except ValueError:
        return None
    if not isinstance(header, list):
        return None
    files: dict[str, str] = {}
    for entry in header:
        if not (isinstance(entry, list) and len(entry) == 2):
            return None
        name, length = entry
        if not isinstance(name, str) or not isinstance(length, int) or length < 0:
            return None
        blob = out.read(length)
        if len(blob) != length:
            return None
        try:
            files[name] = blob.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return files


def start(job: Callable[[], dict[str, str]], fork: bool) -> Pending:
    """Start `job` (in a forked child when `fork`); `.result()` gives its files."""
    return Pending(job, fork)
