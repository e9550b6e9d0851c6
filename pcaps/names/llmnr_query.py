#!/usr/bin/env python3
"""The LLMNR querier of the captures, as a Windows stub resolver sends it (RFC 4795): one A
question to 224.0.0.252:5355 from an ephemeral port, the answers awaited for a second. No
resolver on this Debian machine speaks LLMNR (that would be systemd-resolved, which needs
systemd), so this is the one hand-built message of the captures; the answers come from real
responders. Prints each answer's address.

usage: llmnr_query.py NAME...
"""
import random
import socket
import struct
import sys

for name in sys.argv[1:]:
    ident = random.randrange(1 << 16)
    labels = b''.join(bytes([len(part)]) + part.encode() for part in name.split('.'))
    query = struct.pack('>HHHHHH', ident, 0, 1, 0, 0, 0) + labels + b'\x00' + struct.pack('>HH', 1, 1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    sock.settimeout(1.0)
    sock.sendto(query, ('224.0.0.252', 5355))
    try:
        while True:
            data, peer = sock.recvfrom(2048)
            if data[:2] == query[:2] and len(data) >= 4:
                print(name, 'answered by', peer[0], 'as', socket.inet_ntoa(data[-4:]))
    except socket.timeout:
        pass
