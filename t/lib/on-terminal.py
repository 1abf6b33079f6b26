#!/usr/bin/env python3
"""on-terminal.py <command> [<args>...]: runs the command with its standard input,
output and error on a pseudo-terminal, copies what it wrote there to our
standard output, and exits with its status. For testing what tally does
on a terminal (the pager, colours) where the suite has none."""
import os
import pty
import sys

pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = bytearray()
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
# A terminal turns "\n" into "\r\n": give back what was written.
sys.stdout.buffer.write(bytes(out).replace(b"\r\n", b"\n"))
sys.exit(os.waitstatus_to_exitcode(status))
