#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ from the captures (pcaps/ and ../shared/pcaps): TCP payloads,
whole streams, frames. Plain pcap (Ethernet, SLL, raw IP) only; pcapng files are skipped.
Usage: python3 fuzz/seed.py   (from the workspace root)"""
import hashlib, os, struct, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
MAX_SEED = 64 << 10


def frames(path):
    data = path.read_bytes()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return
    link = struct.unpack(e + "I", data[20:24])[0] & 0xFFFF
    at = 24
    while at + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(e + "IIII", data[at:at + 16])
        frame = data[at + 16:at + 16 + caplen]
        at += 16 + caplen
        yield link, frame


def ip_of(link, frame):
    """The IP packet inside a frame (Ethernet with VLANs, SLL, SLL2, raw)."""
    if link == 1:
        off, etype = 14, frame[12:14]
        while etype in (b"\x81\x00", b"\x88\xa8") and len(frame) >= off + 4:
            etype, off = frame[off + 2:off + 4], off + 4
        return frame[off:] if etype in (b"\x08\x00", b"\x86\xdd") else None
    if link == 113:
        return frame[16:]
    if link == 276:
        return frame[20:]
    if link in (101, 12, 228, 229):
        return frame
    return None


def tcp_of(ip):
    """(flow, seq, payload) of a TCP packet, or None."""
    if len(ip) < 20:
        return None
    if ip[0] >> 4 == 4:
        ihl = (ip[0] & 15) * 4
        if ip[9] != 6:
            return None
        src, dst, tcp = ip[12:16], ip[16:20], ip[ihl:]
    elif ip[0] >> 4 == 6:
        if ip[6] != 6:
            return None
        src, dst, tcp = ip[8:24], ip[24:40], ip[40:]
    else:
        return None
    if len(tcp) < 20:
        return None
    sport, dport, seq = struct.unpack(">HHI", tcp[:8])
    payload = tcp[(tcp[12] >> 4) * 4:]
    return (src, sport, dst, dport), seq, payload


# LLMNR, NBT-NS and mDNS ports, and the first byte of a `names` input that picks the protocol
NAME_PORTS = {5355: 0, 137: 1, 5353: 2}


def udp_of(ip):
    """(source port, destination port, payload) of a UDP packet (IPv4 or IPv6 without
    extension headers), or None."""
    if len(ip) < 20:
        return None
    if ip[0] >> 4 == 4 and ip[9] == 17:
        udp = ip[(ip[0] & 15) * 4:]
    elif ip[0] >> 4 == 6 and len(ip) >= 40 and ip[6] == 17:
        udp = ip[40:]
    else:
        return None
    if len(udp) < 8:
        return None
    sport, dport = struct.unpack(">HH", udp[:4])
    return sport, dport, udp[8:]


def save(target, data):
    if not data:
        return
    data = data[:MAX_SEED]
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def main():
    captures = sorted((ROOT / "pcaps").rglob("*.pcap")) + sorted((ROOT.parent / "shared" / "pcaps").rglob("*.pcap"))
    for path in captures:
        if path.stat().st_size > 50 << 20:
            continue
        streams, raw, count = {}, [], 0
        for link, frame in frames(path):
            count += 1
            if count <= 200:
                save("wire_decode", bytes([{1: 0, 101: 1, 113: 4, 276: 5}.get(link, 0)]) + frame)
            ip = ip_of(link, frame)
            if ip is None:
                continue
            raw.append(ip)
            u = udp_of(ip)
            if u is not None:
                pick = NAME_PORTS.get(u[1], NAME_PORTS.get(u[0]))
                if pick is not None:
                    save("names", bytes([pick]) + u[2])
            t = tcp_of(ip)
            if t is None or not t[2]:
                continue
            flow, _, payload = t
            streams.setdefault(flow, bytearray()).extend(payload)
            if b"NTLMSSP\x00" in payload or b"\x2a\x86\x48\x86\xf7\x12" in payload or b"\x2b\x06\x01\x05\x05\x02" in payload:
                for i, b in enumerate(payload[:4096]):
                    if b in (0x60, 0xA0, 0xA1) or payload[i:i + 8] == b"NTLMSSP\x00":
                        save("auth_inspect", payload[i:])
            for i in range(min(len(payload), 4096)):
                if payload[i] == 5 and payload[i + 1:i + 2] in (b"\x00", b"\x01") and payload[i + 2:i + 3] and payload[i + 2] < 20:
                    save("dcerpc", payload[i:])
        # whole frames, length-prefixed, for the engine: windows of 32 packets
        for i in range(0, min(len(raw), 2000), 32):
            blob = b"".join(struct.pack(">H", len(p)) + p for p in raw[i:i + 32])
            save("engine", blob)
        for flow, stream in streams.items():
            stream = bytes(stream)
            if 445 in (flow[1], flow[3]) or 139 in (flow[1], flow[3]) or b"SMB" in stream[:8]:
                save("smb", stream)
            if stream[:1] in (b"\x16",):
                save("http", b"\x04" + stream)
            if stream[:5] in (b"HTTP/",):
                save("http", b"\x01" + stream)
            elif stream[:1].isalpha():
                save("http", b"\x00" + stream)
                save("http", b"\x02" + stream)
                for line in stream.split(b"\r\n")[:64]:
                    if line.lower().startswith((b"authorization:", b"www-authenticate:", b"proxy-authorization:")):
                        save("http", b"\x03" + line.split(b":", 1)[1].strip())
            if stream[:1] == b"\x05":
                save("dcerpc", stream)
            if stream[:1] == b"\x30" and (389 in (flow[1], flow[3]) or 3268 in (flow[1], flow[3])):
                save("ldap", stream)
    for target in sorted(os.listdir(CORPUS)):
        print(target, len(os.listdir(CORPUS / target)))


if __name__ == "__main__":
    main()
