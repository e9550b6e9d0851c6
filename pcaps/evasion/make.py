#!/usr/bin/python3
"""Attacks on the sensor's TCP layer: each capture is a real capture of this repository with the
attacker's forged packets added (scapy). Forging is the attack here; every other packet is the
real traffic, untouched except where a class says so (the checksum-fixed base, see below).

The base is pcaps/dcerpc/psexec-svcctl.pcap: impacket's psexec-style client creating the
service HwSvc on Samba over \\PIPE\\svcctl (RCreateServiceW, opnum 12, in frame 31). It was
recorded on a veth whose checksums are filled in after capture (offload: every TCP checksum in
it is "wrong"), which is the case `checksum_validation = "auto"` must keep working.

Usage: /usr/bin/python3 pcaps/evasion/make.py [OUTDIR]   (default: this folder)
CI never runs it; the captures it writes are committed beside it.
"""

import os
import sys

from scapy.all import IP, TCP, Ether, Raw, fragment, rdpcap, wrpcap  # noqa: F401 (Raw is used through pkt[Raw])

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else HERE
BASE = os.path.join(HERE, "..", "dcerpc", "psexec-svcctl.pcap")

CLIENT = "10.77.0.20"
# Frame numbers (1-based, as tshark shows them) in the base capture.
CREATE_SERVICE = 31  # client: SMB2 WRITE carrying the DCE/RPC request RCreateServiceW
CREATE_SERVICE_ACK = 32  # server: the first packet acknowledging it
CREATE_PIPE_RESPONSE = 18  # server: the svcctl pipe is open (its FileId is known from here)
SERVER_FIN = 37
DECOY_OPNUM = 2  # ControlService: what the decoys claim the call was


def base():
    return list(rdpcap(BASE))


def frame(packets, number):
    return packets[number - 1]


def forged(template, *, at, **tcp_fields):
    """A copy of `template` with TCP fields changed; checksums recomputed unless given."""
    p = template.copy()
    for field, value in tcp_fields.items():
        if field == "ttl":
            p[IP].ttl = value
        elif field == "payload":
            p[TCP].remove_payload()
            if value:
                p[TCP].add_payload(value)
        else:
            setattr(p[TCP], field, value)
    del p[IP].len
    del p[IP].chksum
    if "chksum" not in tcp_fields:
        del p[TCP].chksum
    p = p.__class__(bytes(p))
    p.time = at
    return p


def payload(p):
    return bytes(p[TCP].payload)


def with_opnum(data, opnum):
    """The same SMB2 WRITE with the DCE/RPC request's opnum changed (header offset 22)."""
    dce = data.index(b"\x05\x00\x00\x03")
    out = bytearray(data)
    out[dce + 22 : dce + 24] = opnum.to_bytes(2, "little")
    return bytes(out)


def just_before(packets, number):
    """A time between the frame before `number` and it."""
    return (frame(packets, number - 1).time + frame(packets, number).time) / 2


def insert(packets, number, *new):
    """The capture with `new` placed just before frame `number`."""
    return packets[: number - 1] + list(new) + packets[number - 1 :]


def forged_ack():
    """The server 'acknowledges' the RCreateServiceW bytes before the client has sent them."""
    p = base()
    ack = frame(p, CREATE_SERVICE_ACK)
    real = frame(p, CREATE_SERVICE)
    fake = forged(ack, at=just_before(p, CREATE_SERVICE), payload=b"", ack=real[TCP].seq + len(payload(real)), flags="A")
    return insert(p, CREATE_SERVICE, fake)


def decoy_syn():
    """A SYN with another ISN and a TTL that expires before the server, before the real one."""
    p = base()
    syn = frame(p, 1)
    decoy = forged(syn, at=syn.time - 0.001, seq=(syn[TCP].seq + 0x40000000) % 2**32, ttl=2)
    return [decoy] + p


def out_of_window(flags):
    """An RST from the client (or a FIN from each side) with a sequence number far outside the
    window, once the svcctl pipe is open and before the service is created."""
    p = base()
    client, server = frame(p, CREATE_PIPE_RESPONSE + 1), frame(p, CREATE_PIPE_RESPONSE)
    at = just_before(p, CREATE_PIPE_RESPONSE + 1)
    senders = [client] if flags == "R" else [client, server]
    fakes = [forged(t, at=at, payload=b"", seq=(t[TCP].seq + 0x7000_0000) % 2**32, flags=flags) for t in senders]
    return insert(p, CREATE_PIPE_RESPONSE + 1, *fakes)


def ttl_decoy():
    """A copy of the RCreateServiceW request with another opnum and a TTL that expires before
    the server, sent first: the server never sees it."""
    p = base()
    real = frame(p, CREATE_SERVICE)
    decoy = forged(real, at=just_before(p, CREATE_SERVICE), payload=with_opnum(payload(real), DECOY_OPNUM), ttl=3)
    return insert(p, CREATE_SERVICE, decoy)


def checksums_right(packets):
    """The capture as a SPAN port would show it: checksums filled in (what the card did)."""
    out = []
    for p in packets:
        q = p.copy()
        del q[IP].chksum
        del q[TCP].chksum
        q = q.__class__(bytes(q))
        q.time = p.time
        out.append(q)
    return out


def bad_checksum():
    """On a capture whose checksums are right, a copy of the request with another opnum and a
    wrong checksum, sent first: the server drops it."""
    p = checksums_right(base())
    real = frame(p, CREATE_SERVICE)
    decoy = forged(real, at=just_before(p, CREATE_SERVICE), payload=with_opnum(payload(real), DECOY_OPNUM), chksum=0xBAD)
    return insert(p, CREATE_SERVICE, decoy)


def overlap():
    """A second copy of the request with another opnum, same TTL, right checksum, after the
    real one and before the server's acknowledgement: which one did the server take?"""
    p = base()
    real = frame(p, CREATE_SERVICE)
    copy = forged(real, at=just_before(p, CREATE_SERVICE_ACK), payload=with_opnum(payload(real), DECOY_OPNUM))
    return insert(p, CREATE_SERVICE_ACK, copy)


def port_reuse():
    """The session, whose end the capture misses (no FIN from the server), then the same
    session again on the same ports with new ISNs, a minute later."""
    p = base()
    first = p[: SERVER_FIN - 1]
    second = []
    # by "sent by the client": far from the old ISNs, as a new connection's are
    shift = {True: 0x9234_5678, False: 0x8ABC_DEF0}
    for q in p:
        r = q.copy()
        by_client = r[IP].src == CLIENT
        r[TCP].seq = (r[TCP].seq + shift[by_client]) % 2**32
        if r[TCP].flags.A:
            r[TCP].ack = (r[TCP].ack + shift[not by_client]) % 2**32
        del r[TCP].chksum
        r = r.__class__(bytes(r))
        r.time = q.time + 60
        second.append(r)
    return first + second


def one_sided():
    """Only what the client sent: a SPAN port that sees one direction."""
    return [q for q in base() if q[IP].src == CLIENT]


FLOOD = 20_000


def flood():
    """Before the request, a flood of one-byte segments ahead in the client's window (never
    acknowledged), then the request itself cut into one-byte segments sent last byte first."""
    p = base()
    real = frame(p, CREATE_SERVICE)
    data = payload(real)
    seq = real[TCP].seq
    at = just_before(p, CREATE_SERVICE)
    far = seq + len(data) + 4096
    junk = [forged(real, at=at, payload=bytes([0x41 + i % 26]), seq=(far + i) % 2**32) for i in range(FLOOD)]
    pieces = [forged(real, at=at, payload=data[i : i + 1], seq=(seq + i) % 2**32) for i in reversed(range(len(data)))]
    out = p[: CREATE_SERVICE - 1] + junk + pieces + p[CREATE_SERVICE:]
    return out


FRAGMENT_SIZE = 64


def fragmented():
    """The RCreateServiceW request cut into IPv4 fragments of 64 bytes of IP payload, sent last
    fragment first: only the first fragment carries the ports, so a sensor that picks a worker
    by port sends the others elsewhere (or drops them). Not forged bytes: the same datagram, as
    a router with a small MTU (or an attacker's stack) would send it."""
    p = base()
    real = frame(p, CREATE_SERVICE)
    ip = real[IP].copy()
    ip.flags = 0  # the real datagram said "don't fragment"
    ip.id = 0x4857
    del ip.chksum
    pieces = [Ether(src=real[Ether].src, dst=real[Ether].dst) / f for f in fragment(ip, fragsize=FRAGMENT_SIZE)]
    pieces = [q.__class__(bytes(q)) for q in reversed(pieces)]
    for i, q in enumerate(pieces):
        q.time = real.time + i * 0.0001
    return p[: CREATE_SERVICE - 1] + pieces + p[CREATE_SERVICE:]


CAPTURES = {
    "forged-ack.pcap": forged_ack,
    "decoy-syn.pcap": decoy_syn,
    "rst-out-of-window.pcap": lambda: out_of_window("R"),
    "fin-out-of-window.pcap": lambda: out_of_window("FA"),
    "ttl-decoy.pcap": ttl_decoy,
    "bad-checksum.pcap": bad_checksum,
    "overlap-conflict.pcap": overlap,
    "port-reuse.pcap": port_reuse,
    "one-sided.pcap": one_sided,
    "one-byte-flood.pcap": flood,
    "fragmented.pcap": fragmented,
}

if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for name, make in CAPTURES.items():
        wrpcap(os.path.join(OUT, name), make())
        print(name)
