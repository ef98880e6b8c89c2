#!/usr/bin/python3
"""tests/integration/lance_stdin.py - talks to the LanceDB helper over a socket whose end the
helper reads is blocking (as vbadmin's) or non-blocking (a helper started some other way), each
request sent in two pieces with a pause between, so a frame arrives cut in the middle.

    lance_stdin.py blocking|nonblocking HELPER DIR

Opens DIR, lists its tables, prints them one a line, and exits 0; any other answer exits 1."""
import socket
import struct
import subprocess
import sys
import time


def s(text):
    b = text.encode()
    return b'S' + struct.pack('<I', len(b)) + b


def frame(pairs):
    body = b'M' + struct.pack('<I', len(pairs)) + b''.join(s(k) + v for k, v in pairs)
    return struct.pack('<I', len(body)) + body


def value(buf, pos):
    tag = chr(buf[pos])
    pos += 1
    if tag in 'NTF':
        return {'N': None, 'T': True, 'F': False}[tag], pos
    if tag in 'ID':
        return struct.unpack_from('<q' if tag == 'I' else '<d', buf, pos)[0], pos + 8
    n = struct.unpack_from('<I', buf, pos)[0]
    pos += 4
    if tag == 'S':
        return buf[pos:pos + n].decode(), pos + n
    out = [] if tag == 'L' else {}
    for _ in range(n):
        if tag == 'L':
            v, pos = value(buf, pos)
            out.append(v)
        else:
            k, pos = value(buf, pos)
            out[k], pos = value(buf, pos)
    return out, pos


def ask(ours, pairs):
    data = frame(pairs)
    ours.sendall(data[:3])  # cut inside the length prefix
    time.sleep(0.05)
    ours.sendall(data[3:])
    head = ours.recv(4, socket.MSG_WAITALL)
    n = struct.unpack('<I', head)[0]
    return value(ours.recv(n, socket.MSG_WAITALL), 0)[0]


def main():
    mode, helper, directory = sys.argv[1:4]
    ours, theirs = socket.socketpair()
    theirs.setblocking(mode == 'blocking')
    proc = subprocess.Popen(['node', helper], stdin=theirs.fileno(), stdout=theirs.fileno())
    theirs.close()
    opened = ask(ours, [('op', s('open')), ('dir', s(directory))])
    listed = ask(ours, [('op', s('tables'))])
    ours.shutdown(socket.SHUT_WR)
    proc.wait(timeout=60)
    if not opened.get('ok') or not listed.get('ok'):
        print(opened, listed)
        return 1
    print('\n'.join(sorted(listed['names'])))
    return 0 if proc.returncode == 0 else 1


sys.exit(main())
