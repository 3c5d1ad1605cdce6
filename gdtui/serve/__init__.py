"""The lab server: each student who connects over SSH gets a gdtui of their own.

Kept apart from the app: the server knows gdtui only as a program to run on a
pseudo-terminal, and the app knows nothing of the server.
"""

import warnings

# cryptography 51 deprecates DSA, which asyncssh (2.24.1, its newest release) still names as it is
# imported. The lab neither offers nor accepts a DSA key (see access.py): the notice would tell a
# teacher nothing, at every start.
warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"asyncssh\.")
