#!/usr/bin/env python3
"""Writes structured seeds with extreme numbers into fuzz/seeds/<target>/extreme-*: lengths,
counts and offsets at 0, 1, their type's largest value and just past it, sums that wrap, and
nesting that goes deep. The fuzzers start from them (besides the captures' seeds), and
tests/fuzz_regressions.rs replays every one of them in the ordinary test suite.
Usage: python3 fuzz/extreme.py   (from the workspace root; rerunnable, same files)"""
import struct
from pathlib import Path

SEEDS = Path(__file__).resolve().parent / "seeds"
U16, U32, U64 = 0xFFFF, 0xFFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF


def save(target, name, data):
    d = SEEDS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / f"extreme-{name}").write_bytes(bytes(data))


def field(length, offset, max_length=None):
    return struct.pack("<HHI", length, length if max_length is None else max_length, offset)


def ntlm(kind, fields, flags=0xE2088297, tail=b""):
    return b"NTLMSSP\0" + struct.pack("<I", kind) + b"".join(fields) + struct.pack("<I", flags) + tail


def auth_inspect():
    for name, (length, offset) in {
        "max-len-max-offset": (U16, U32),
        "wrapping-offset": (U16, U32 - 8),
        "max-len-after-header": (U16, 64),
        "offset-inside-header": (40, 8),
        "zero-len-far-offset": (0, U32),
    }.items():
        save("auth_inspect", f"ntlm-authenticate-{name}", ntlm(3, [field(length, offset)] * 6, tail=bytes(64)))
        save("auth_inspect", f"ntlm-negotiate-{name}", ntlm(1, [], tail=field(length, offset) * 2 + bytes(16)))
    # CHALLENGE: target name, challenge, reserved, then TargetInfo with AV pairs of extreme lengths
    avs = struct.pack("<HH", 2, U16) + b"\0" * 8
    many_avs = struct.pack("<HH", 1, 0) * 4000 + struct.pack("<HH", 0, 0)
    for name, info in {"av-len-max": avs, "av-pairs-4000": many_avs}.items():
        body = field(0, 56) + struct.pack("<I", 0xE2898215) + bytes(8) + bytes(8) + field(len(info), 56) + bytes(8)
        save("auth_inspect", f"ntlm-challenge-{name}", b"NTLMSSP\0" + struct.pack("<I", 2) + body + info)
    # DER: lengths in 4 and 8 bytes at their largest, and nesting 300 deep
    save("auth_inspect", "der-len4-max", b"\x60\x84\xff\xff\xff\xff\x06\x06\x2b\x06\x01\x05\x05\x02")
    save("auth_inspect", "der-len8-max", b"\x60\x88" + b"\xff" * 8 + b"\x06\x06\x2b\x06\x01\x05\x05\x02")
    save("auth_inspect", "der-len-past-end", b"\x60\x82\x40\x00\x06\x06\x2b\x06\x01\x05\x05\x02\xa0\x82\x3f\xf0")
    deep = b""
    for _ in range(300):
        deep = b"\xa0" + (bytes([len(deep)]) if len(deep) < 128 else b"\x82" + struct.pack(">H", len(deep))) + deep
    save("auth_inspect", "der-nested-300", b"\x60\x82" + struct.pack(">H", len(deep) + 8) + b"\x06\x06\x2b\x06\x01\x05\x05\x02" + deep)


def smb2_header(command=0, next_command=0, structure=64):
    return b"\xfeSMB" + struct.pack("<HHIHHIIQIIQ16s", structure, 0, 0, command, 0, 0, next_command, 0, 0, 0, 0, bytes(16))


def nbss(payload, length=None):
    return b"\x00" + struct.pack(">I", len(payload) if length is None else length)[1:] + payload


def smb():
    save("smb", "nbss-len-max", nbss(smb2_header(), 0xFFFFFF))
    save("smb", "smb2-next-command-max", nbss(smb2_header(next_command=U32) + bytes(64)))
    save("smb", "smb2-next-command-loop", nbss(smb2_header(next_command=64) * 3 + bytes(8)))
    # SESSION_SETUP request: structure size 25, security buffer offset/length at their largest
    setup = struct.pack("<HBBIIHHQ", 25, 0, 0, 0, 0, U16, U16, 0)
    save("smb", "smb2-session-setup-buffer-max", nbss(smb2_header(command=1) + setup))
    # NEGOTIATE response: dialect count and context offsets at their largest
    negotiate = struct.pack("<HHHH16sIIIIQQHHI", 65, 0, 0x0311, U16, bytes(16), 0, U32, U32, U32, 0, 0, 128, U16, U32)
    save("smb", "smb2-negotiate-contexts-max", nbss(smb2_header() + negotiate))
    # transform and compression headers whose sizes claim 4 GB
    save("smb", "transform-size-max", nbss(b"\xfdSMB" + bytes(16) + bytes(16) + struct.pack("<IHHQ", U32, 0, 1, 0) + bytes(32)))
    save("smb", "compression-size-max", nbss(b"\xfcSMB" + struct.pack("<IHHI", U32, 1, 0, U32) + bytes(64)))
    save("smb", "compression-chained-max", nbss(b"\xfcSMB" + struct.pack("<IHHI", U32, 1, 1, 0) + struct.pack("<HHI", 1, 0, U32) + bytes(32)))
    # SMB1: word count 255 and byte count 0xffff; an AndX chain pointing at itself
    smb1 = b"\xffSMB" + bytes([0x73]) + bytes(4) + b"\x18" + struct.pack("<H", 0xC807) + bytes(12) + struct.pack("<HHHH", 0, 0, 0, 0)
    save("smb", "smb1-counts-max", nbss(smb1 + bytes([255]) + bytes(510) + struct.pack("<H", U16)))
    andx = bytes([12, 0x73, 0]) + struct.pack("<H", 32) + bytes(19) + struct.pack("<H", 0)
    save("smb", "smb1-andx-self-loop", nbss(smb1 + andx))


def http():
    requests = {
        "content-length-u64-max": b"PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551615\r\n\r\nbody",
        "content-length-past-u64": b"PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551616\r\n\r\n",
        "content-length-twice": b"PUT / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 18446744073709551615\r\n\r\n",
        "chunk-size-u64-max": b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nab\r\n0\r\n\r\n",
        "chunk-size-past-u64": b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\nab\r\n",
        "headers-200": b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 200 + b"\r\n",
        "authorization-long": b"GET / HTTP/1.1\r\nAuthorization: NTLM " + b"TlRMTVNTUAAD" * 6000 + b"\r\n\r\n",
    }
    for name, request in requests.items():
        for pick in (0, 2):
            save("http", f"request-{pick}-{name}", bytes([pick]) + request)
    save("http", "response-content-length-u64-max", b"\x01HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\nx")
    # a TLS record and handshake whose lengths claim the most they can
    save("http", "tls-lengths-max", b"\x04\x16\x03\x01\xff\xff\x01\xff\xff\xff\x03\x03" + bytes(32) + b"\x20" + bytes(32) + b"\xff\xff")


def dcerpc():
    def header(ptype, frag_len, auth_len, call_id=1):
        return struct.pack("<BBBB4sHHI", 5, 0, ptype, 3, b"\x10\0\0\0", frag_len, auth_len, call_id)
    save("dcerpc", "frag-len-max", header(0, U16, 0) + bytes(8))
    save("dcerpc", "auth-len-max", header(0, 24 + 8, U16) + bytes(8) + bytes(8))
    save("dcerpc", "auth-len-past-frag", header(11, 72, 4000) + bytes(48))
    # BIND with 255 context items, each claiming 255 transfer syntaxes
    bind = struct.pack("<HHI", 4280, 4280, 0) + bytes([255, 0, 0, 0]) + (struct.pack("<HBB", 0, 255, 0) + bytes(20)) * 4
    save("dcerpc", "bind-counts-max", header(11, 16 + len(bind), 0) + bind)
    save("dcerpc", "frag-len-zero", header(0, 0, 0) + bytes(8))


def ipv4(payload, proto=6, total=None, frag=0, ihl=5, options=b""):
    total = 4 * ihl + len(payload) if total is None else total
    return struct.pack(">BBHHHBBH4s4s", 0x40 | ihl, 0, total, 1, frag, 64, proto, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + options + payload


def tcp(payload, seq=0, flags=0x18, offset=5, dport=445, options=b""):
    return struct.pack(">HHIIBBHHH", 50000, dport, seq, 0, offset << 4, flags, U16, 0, U16) + options + payload


def engine():
    def blob(packets):
        return b"".join(struct.pack(">H", len(p)) + p for p in packets)
    save("engine", "ipv4-total-len-max", blob([ipv4(tcp(b"x"), total=U16)]))
    save("engine", "ipv4-ihl-15", blob([ipv4(tcp(b""), ihl=15, options=b"\x01" * 40)]))
    save("engine", "tcp-offset-15", blob([ipv4(tcp(b"", offset=15, options=b"\x01" * 40))]))
    # a fragment at the largest offset with more to come, then one overlapping it from 0
    save("engine", "fragment-offset-max", blob([ipv4(tcp(b"a" * 16), frag=0x3FFF), ipv4(tcp(b"b" * 16), frag=0x2000), ipv4(b"c" * 8, frag=0x1FFF)]))
    # sequence numbers around the wrap: SYN at 2^32 - 1, data across the wrap, a FIN far behind
    syn = ipv4(tcp(b"", seq=U32, flags=0x02))
    data = ipv4(tcp(b"\x00\x00\x00\x10" + b"\xfeSMB" + bytes(12), seq=0, flags=0x18))
    far = ipv4(tcp(b"z", seq=0x8000_0000, flags=0x19))
    save("engine", "tcp-seq-wrap", blob([syn, data, far]))
    save("engine", "nbss-len-max-in-stream", blob([syn, ipv4(tcp(b"\x00\xff\xff\xff\xfeSMB", seq=0))]))
    # IPv6 with payload length at its largest behind a chain of extension headers
    hop = bytes([60, 0]) + bytes(6)
    ipv6 = struct.pack(">IHBB16s16s", 0x6000_0000, U16, 0, 64, bytes(15) + b"\x01", bytes(15) + b"\x02") + hop * 8 + bytes([6, 0]) + bytes(6)
    save("engine", "ipv6-payload-max-ext-chain", blob([ipv6 + tcp(b"x")]))
    frag6 = struct.pack(">IHBB16s16s", 0x6000_0000, 16, 44, 64, bytes(15) + b"\x01", bytes(15) + b"\x02") + struct.pack(">BBHI", 6, 0, 0xFFF9, U32) + bytes(8)
    save("engine", "ipv6-fragment-offset-max", blob([frag6]))


def wire_decode():
    # the pick byte chooses the link type (fuzz/targets.rs LINKS)
    ether = bytes(12) + b"\x81\x00\x00\x01" * 40 + b"\x08\x00" + ipv4(tcp(b"x"))
    save("wire_decode", "vlan-tags-40", b"\x00" + ether)
    save("wire_decode", "gre-nested", b"\x01" + ipv4((b"\x00\x00\x08\x00" + ipv4(b"", proto=47)) * 1, proto=47))
    save("wire_decode", "sll2-short", b"\x05" + b"\x08\x00" + bytes(10))
    save("wire_decode", "null-family-max", b"\x06\xff\xff\xff\xff" + ipv4(tcp(b"")))
    save("wire_decode", "ppp-compressed", b"\x08\x21" + ipv4(tcp(b"x"), total=U16))
    save("wire_decode", "ppp-lcp", b"\x08\xff\x03\xc0\x21\x01\x01\xff\xff")


if __name__ == "__main__":
    for make in (auth_inspect, smb, http, dcerpc, engine, wire_decode):
        make()
    print("seeds written under", SEEDS)
