#!/usr/bin/env python3
"""Two RFC 6455 cases where Qt 6.4's QWebSocketServer and CDC Scope's own WebSocket layer differ.

   python3 bench/baseline/qt/rfc6455_differences.py PORT

Against a server of this protocol on PORT (cdcscope --headless, or build/bench/cdcscope-qt-baseline):
1. an unmasked client frame: RFC 6455 §5.1 says the server MUST close the connection (1002);
2. a text message whose valid UTF-8 is split inside a character across two fragments: §8.1 judges
   the whole message, so it is valid and must not be closed with 1007.
Prints what the server answered. Not a test (tests/integration/tst_hostile.cpp holds ours to it).
"""
import socket
import sys
import time

port = int(sys.argv[1])


def connect():
    conn = socket.create_connection(("127.0.0.1", port))
    conn.sendall(
        b"GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nX-Athena-Client: rfc\r\n\r\n"
    )
    time.sleep(0.3)
    conn.recv(65536)  # the 101 and the greeting
    conn.settimeout(0.5)
    return conn


def masked(opcode, payload, fin=True):
    key = b"\x01\x02\x03\x04"
    return bytes([(0x80 if fin else 0) | opcode, 0x80 | len(payload)]) + key + bytes(
        byte ^ key[i % 4] for i, byte in enumerate(payload)
    )


def answer(conn):
    time.sleep(0.3)
    try:
        data = conn.recv(200)
    except socket.timeout:
        return "nothing (the frame was taken)"
    if data[:1] == b"\x88":
        return f"close {int.from_bytes(data[2:4], 'big')} {data[4:].decode(errors='replace')!r}"
    return f"a text frame {data[2:].decode(errors='replace')!r}"


conn = connect()
conn.sendall(b"\x81\x02{}")
print("unmasked client frame:", answer(conn))

conn = connect()
message = '{"type":"subscribe","organization_id":"price\u20ac"}'.encode()
cut = message.index(b"\xe2") + 1
conn.sendall(masked(0x1, message[:cut], fin=False) + masked(0x0, message[cut:]))
print("UTF-8 split inside a character across fragments:", answer(conn))
