"""A command run with its stderr on a terminal (a pty), as a user at a
shell sees it: what the progress bar draws. Shared by test_cli.py and
test_h5.py."""
import os
import pty
import subprocess
import time


def run_on_terminal(cmd):
    """(exit status, bytes written to the terminal, seconds taken)."""
    leader, follower = pty.openpty()
    start = time.time()
    p = subprocess.Popen(cmd, stderr=follower)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    p.wait()
    os.close(leader)
    return p.returncode, seen, time.time() - start
