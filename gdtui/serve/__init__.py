"""The lab server: each student who connects over SSH gets a gdtui of their own.

Kept apart from the app: the server knows gdtui only as a program to run on a
pseudo-terminal, and the app knows nothing of the server.
"""
