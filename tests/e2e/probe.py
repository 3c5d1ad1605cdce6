"""Run by the zygote in tests, in place of the app: reports what it was given, then waits.

It prints one JSON line about itself on its terminal, then reads a line and
exits with the status that line gives.
"""

import ctypes
import json
import os
import random
import resource
import signal
import sys
from pathlib import Path

import numpy as np

from gdtui.core.files import cache_home

libc = ctypes.CDLL(None)
libc.getenv.restype = ctypes.c_char_p
report = {
    "environ": dict(os.environ),
    # What C code sees: the environment the process itself holds, not only Python's copy.
    "c_home": (libc.getenv(b"HOME") or b"").decode(),
    "c_has_zygote_cache": libc.getenv(b"XDG_CACHE_HOME") is not None,
    "home": str(Path.home()),
    "cache": str(cache_home()),
    "cwd": os.getcwd(),
    "argv": sys.argv[1:],
    "pid": os.getpid(),
    "sid": os.getsid(0),
    "pgrp": os.getpgrp(),
    "tty": os.ttyname(0),
    # The terminal's device number, as the kernel keeps it for the process's session.
    "controlling_tty": int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[4]) == os.fstat(0).st_rdev,
    "sigint_default": signal.getsignal(signal.SIGINT) is signal.default_int_handler,
    "others_default": all(signal.getsignal(s) == signal.SIG_DFL for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD)),
    "open_files": resource.getrlimit(resource.RLIMIT_NOFILE)[0],
    "main": __name__,
    "random": [random.getrandbits(64), int(np.random.randint(2**62))],
    # What the zygote did once for every session: the data set's cache checked, the first screen's CSS parsed.
    "data_checked_ahead": bool(getattr(sys.modules.get("gdtui.core.dataset"), "_checked", None)),
    "css_parsed_ahead": bool(getattr(sys.modules.get("gdtui.ui.parsed_css"), "_parsed", None)),
}
report["fds"] = sorted(int(fd) for fd in os.listdir("/proc/self/fd"))
print(json.dumps(report))
sys.exit(int(sys.stdin.readline()))
