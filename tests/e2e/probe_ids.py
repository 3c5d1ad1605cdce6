"""Run by the zygote in tests, in place of the app, as another user: reports who it runs as, then waits.

It imports only what the zygote has imported already: as that user it may not be able to read
the Python it came from (a Python in root's home, say).
"""

import json
import os
import sys
from pathlib import Path

status = Path("/proc/self/status").read_text()
report = {
    "ids": [os.getresuid(), os.getresgid(), os.getgroups()],
    "no_new_privs": status.split("NoNewPrivs:")[1].split()[0] == "1",
    "cwd": os.getcwd(),
}
print(json.dumps(report))
sys.exit(int(sys.stdin.readline()))
