"""Listening sockets for servers started on a socket we bind ourselves (to learn a free port)."""

from __future__ import annotations

import socket


def tcp_listener(host: str, port: int) -> socket.socket:
    """A bound, listening TCP socket; port 0 picks a free one.

    The protocol is named on purpose: asyncio sets TCP_NODELAY on accepted connections only when
    the socket says IPPROTO_TCP, and without it every HTTP answer written in two parts waited
    ~40 ms for the peer's delayed ACK (``socket.create_server`` leaves the protocol at 0).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen()
    except OSError:
        sock.close()
        raise
    return sock
