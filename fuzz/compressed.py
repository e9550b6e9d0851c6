#!/usr/bin/env python3
"""Seeds of compressed SMB2 for the smb fuzz target (fuzz/seeds/smb/lz4-*): real SMB2 messages
of pcaps/smb/smb-reads-then-admin.pcap (smbclient against Samba, which cannot compress), each
wrapped in an SMB2 COMPRESSION_TRANSFORM_HEADER around its LZ4 block (the reference LZ4
library, python-lz4), unchained and chained (header NONE, rest LZ4), in an NBSS frame. Only
the compression transform is ours; every message inside is real.
Usage: /usr/bin/python3 fuzz/compressed.py   (from the workspace root; needs scapy, lz4)"""
import struct
from pathlib import Path

import lz4.block
from scapy.all import TCP, rdpcap

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fuzz" / "seeds" / "smb"
LZ4, NONE, CHAINED = 5, 0, 1


def nbss(payload):
    return struct.pack(">I", len(payload)) + payload


def unchained(message):
    block = lz4.block.compress(message, store_size=False, mode="high_compression")
    return b"\xfcSMB" + struct.pack("<IHHI", len(message), LZ4, 0, 0) + block


def chained(message):
    header, rest = message[:64], message[64:]
    block = lz4.block.compress(rest, store_size=False, mode="high_compression")
    first = struct.pack("<HHI", NONE, CHAINED, len(header)) + header
    second = struct.pack("<HHII", LZ4, 0, 4 + len(block), len(rest)) + block
    return b"\xfcSMB" + struct.pack("<I", len(message)) + first + second


def main():
    seen = set()
    for packet in rdpcap(str(ROOT / "pcaps" / "smb" / "smb-reads-then-admin.pcap")):
        payload = bytes(packet[TCP].payload) if TCP in packet else b""
        if payload[4:8] != b"\xfeSMB" or len(payload) < 4 + 64:
            continue
        message = payload[4:]
        command, flags = struct.unpack("<HxxI", message[12:20])
        key = (command, flags & 1)
        if key in seen or len(seen) >= 12:
            continue
        seen.add(key)
        name = "lz4-%02x-%s" % (command, "response" if flags & 1 else "request")
        (SEEDS / name).write_bytes(nbss(unchained(message)))
        (SEEDS / (name + "-chained")).write_bytes(nbss(chained(message)))
        print(name)


if __name__ == "__main__":
    main()
