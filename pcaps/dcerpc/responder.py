#!/usr/bin/env python3
"""OUR server side: a small connection-oriented DCE/RPC responder.

Samba serves no \\atsvc pipe, no ITaskSchedulerService and no endpoint mapper
worth querying for them, so this stands in for the Windows server. It answers
  - bind / alter_context with bind_ack (NTLM challenge when the bind carries
    an auth verifier), AUTH3 with nothing (as Windows does),
  - requests of ITaskSchedulerService (tsch), ATSVC and the endpoint mapper
    with plausible success responses (NDR built with impacket's own types),
  - packet privacy / integrity with NTLM: it derives the session key from the
    known test password (impacket.smbserver.computeNTLMv2) and seals its
    responses the way Windows does, so impacket's client completes.
It never runs anything. When a task's arguments redirect to
%windir%\\Temp\\NAME.tmp (atexec.py does), it writes a canned "whoami"
answer to OUTDIR/Temp/NAME.tmp so that atexec.py can fetch it over ADMIN$.

Listeners (all given on the command line):
  --tcp  ADDR:PORT   ncacn_ip_tcp endpoint (secondary address = the port)
  --pipe ADDR:PORT   backend of a named pipe forwarded by impacket's SMB server
                     (secondary address = \\PIPE\\atsvc)
  --epm  ADDR:PORT   endpoint mapper; ept_map answers with the --tcp port
"""
import argparse
import logging
import os
import re
import socket
import socketserver
import struct
import threading
import time

from Cryptodome.Cipher import ARC4
from impacket import ntlm
from impacket.dcerpc.v5 import atsvc, epm, tsch
from impacket.dcerpc.v5.dtypes import NULL
from impacket.smbserver import computeNTLMv2
from impacket.uuid import bin_to_uuidtup, uuidtup_to_bin

LOG = logging.getLogger("responder")

BIND, BIND_ACK, ALTER, ALTER_RESP, AUTH3 = 11, 12, 14, 15, 16
REQUEST, RESPONSE, FAULT = 0, 2, 3
FIRST_LAST = 0x03
NDR32 = uuidtup_to_bin(("8a885d04-1ceb-11c9-9fe8-08002b104860", "2.0"))
AUTHN_WINNT = 10
LEVEL_INTEGRITY, LEVEL_PRIVACY = 5, 6
NCA_OP_RNG_ERROR = 0x1C010002

TSCH = uuidtup_to_bin(("86D35949-83C9-4044-B424-DB363231FD0C", "1.0"))
ATSVC = uuidtup_to_bin(("1FF70682-0A51-30E8-076D-740BE8CEE98B", "1.0"))
EPM = uuidtup_to_bin(("E1AF8308-5D1F-11C9-91A4-08002B14A0FA", "3.0"))


class Config:
    user = "hwadmin"
    password = "Hardw1re!"
    tcp_port = 0
    outdir = None


def recv_exact(sock, count):
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def recv_pdu(sock):
    head = recv_exact(sock, 16)
    if head is None:
        return None
    frag_len = struct.unpack_from("<H", head, 8)[0]
    rest = recv_exact(sock, frag_len - 16)
    if rest is None:
        return None
    return head + rest


def common_header(ptype, flags, frag_len, auth_len, call_id):
    return struct.pack("<BBBBIHHI", 5, 0, ptype, flags, 0x10, frag_len, auth_len, call_id)


# ---------------------------------------------------------------- responses


def tsch_response(opnum, stub):
    if opnum == 1:  # SchRpcRegisterTask
        req = tsch.SchRpcRegisterTask(stub)
        xml = req["xml"]
        LOG.info("SchRpcRegisterTask path=%r", req["path"])
        write_canned_output(xml)
        resp = tsch.SchRpcRegisterTaskResponse()
        resp["pActualPath"] = req["path"] if req["path"] not in (None, NULL) else "\\\x00"
        resp["pErrorInfo"] = NULL
        resp["ErrorCode"] = 0
    elif opnum == 12:  # SchRpcRun
        resp = tsch.SchRpcRunResponse()
        resp["pGuid"] = os.urandom(16)
        resp["ErrorCode"] = 0
    elif opnum == 16:  # SchRpcGetLastRunInfo
        resp = tsch.SchRpcGetLastRunInfoResponse()
        now = time.gmtime()
        last = resp["pLastRuntime"]
        last["wYear"], last["wMonth"], last["wDayOfWeek"] = now.tm_year, now.tm_mon, (now.tm_wday + 1) % 7
        last["wDay"], last["wHour"], last["wMinute"], last["wSecond"] = now.tm_mday, now.tm_hour, now.tm_min, now.tm_sec
        last["wMilliseconds"] = 0
        resp["pLastReturnCode"] = 0
        resp["ErrorCode"] = 0
    elif opnum == 13:  # SchRpcDelete
        resp = tsch.SchRpcDeleteResponse()
        resp["ErrorCode"] = 0
    else:
        return None
    return resp.getData()


def atsvc_response(opnum, stub):
    if opnum == 0:  # NetrJobAdd
        req = atsvc.NetrJobAdd(stub)
        LOG.info("NetrJobAdd command=%r", req["pAtInfo"]["Command"])
        resp = atsvc.NetrJobAddResponse()
        resp["pJobId"] = 1
        resp["ErrorCode"] = 0
    elif opnum == 1:  # NetrJobDel
        resp = atsvc.NetrJobDelResponse()
        resp["ErrorCode"] = 0
    else:
        return None
    return resp.getData()


def epm_response(opnum, stub):
    if opnum != 3:  # ept_map
        return None
    req = epm.ept_map(stub)
    asked = epm.EPMTower(b"".join(req["map_tower"]["tower_octet_string"]))
    floors = asked["Floors"]
    port = epm.EPMPortAddr()
    port["IpPort"] = Config.tcp_port
    host = epm.EPMHostAddr()
    host["Ip4addr"] = socket.inet_aton(Config.tcp_host)
    tower = epm.EPMTower()
    tower["NumberOfFloors"] = 5
    tower["Floors"] = floors[0].getData() + floors[1].getData() + floors[2].getData() + port.getData() + host.getData()
    octets = tower.getData()
    resp = epm.ept_mapResponse()
    resp["entry_handle"]["context_handle_attributes"] = 0
    resp["entry_handle"]["context_handle_uuid"] = b"\x00" * 16
    resp["num_towers"] = 1
    item = epm.twr_p_t()
    item["tower_length"] = len(octets)
    item["tower_octet_string"] = list(octets)
    resp["ITowers"] = [item]
    resp.fields["ITowers"].fields["MaximumCount"] = req["max_towers"]
    resp["status"] = 0
    return resp.getData()


HANDLERS = {TSCH: tsch_response, ATSVC: atsvc_response, EPM: epm_response}


def write_canned_output(xml):
    match = re.search(r"%windir%\\Temp\\([A-Za-z0-9]+\.tmp)", xml or "")
    if match and Config.outdir:
        path = os.path.join(Config.outdir, "Temp", match.group(1))
        with open(path, "w") as out:
            out.write("nt authority\\system\r\n")


# ---------------------------------------------------------------- connection


class Connection:
    def __init__(self, sock, secondary):
        self.sock = sock
        self.secondary = secondary
        self.contexts = {}  # ctx_id -> interface uuid bin (20 bytes)
        self.challenge = None
        self.negotiate = None
        self.auth_level = 0
        self.auth_ctx_id = 0
        self.flags = 0
        self.server_seq = 0
        self.pending = {}  # call_id -> (ctx_id, opnum, stub)

    def serve(self):
        while True:
            pdu = recv_pdu(self.sock)
            if pdu is None:
                return
            ptype, pflags = pdu[2], pdu[3]
            call_id = struct.unpack_from("<I", pdu, 12)[0]
            if ptype in (BIND, ALTER):
                self.on_bind(pdu, ptype, call_id)
            elif ptype == AUTH3:
                self.on_auth3(pdu)
            elif ptype == REQUEST:
                self.on_request(pdu, pflags, call_id)
            else:
                LOG.info("ignoring PDU type %d", ptype)

    def split_auth(self, pdu):
        """Return (body, sec_trailer_fields, auth_value) of a PDU."""
        auth_len = struct.unpack_from("<H", pdu, 10)[0]
        if auth_len == 0:
            return pdu[16:], None, b""
        trailer_at = len(pdu) - auth_len - 8
        trailer = struct.unpack_from("<BBBBI", pdu, trailer_at)
        return pdu[16:trailer_at], trailer, pdu[trailer_at + 8:]

    def on_bind(self, pdu, ptype, call_id):
        body, trailer, auth_value = self.split_auth(pdu)
        max_xmit, max_recv, assoc = struct.unpack_from("<HHI", body, 0)
        n_ctx = body[8]
        off = 12
        results = b""
        for _ in range(n_ctx):
            ctx_id, n_trans = struct.unpack_from("<HB", body, off)
            abstract = body[off + 4:off + 24]
            transfers = [body[off + 24 + 20 * i:off + 44 + 20 * i] for i in range(n_trans)]
            off += 24 + 20 * n_trans
            if abstract in HANDLERS and NDR32 in transfers:
                self.contexts[ctx_id] = abstract
                results += struct.pack("<HH", 0, 0) + NDR32
                LOG.info("bind ctx %d to %s", ctx_id, bin_to_uuidtup(abstract))
            else:
                results += struct.pack("<HH", 2, 1) + b"\x00" * 20
        # alter_context_resp carries an empty secondary address
        secondary = self.secondary.encode() + b"\x00" if ptype == BIND else b""
        out = struct.pack("<HHIH", 4280, 4280, assoc or 0x5A17, len(secondary)) + secondary
        out += b"\x00" * ((4 - (16 + len(out)) % 4) % 4)
        out += struct.pack("<BBH", n_ctx, 0, 0) + results
        auth = b""
        if trailer is not None:
            auth_type, level, _pad, _res, ctx = trailer
            if auth_type != AUTHN_WINNT:
                raise RuntimeError("only NTLM auth is implemented")
            self.auth_level, self.auth_ctx_id = level, ctx
            self.negotiate = ntlm.NTLMAuthNegotiate()
            self.negotiate.fromString(auth_value)
            self.challenge = make_challenge(self.negotiate["flags"])
            token = self.challenge.getData()
            pad = (4 - (16 + len(out)) % 4) % 4
            out += b"\x00" * pad
            auth = struct.pack("<BBBBI", auth_type, level, pad, 0, ctx) + token
        reply_type = BIND_ACK if ptype == BIND else ALTER_RESP
        data = out + auth
        auth_len = len(auth) - 8 if auth else 0
        self.sock.sendall(common_header(reply_type, FIRST_LAST, 16 + len(data), auth_len, call_id) + data)

    def on_auth3(self, pdu):
        _body, _trailer, auth_value = self.split_auth(pdu)
        authenticate = ntlm.NTLMAuthChallengeResponse()
        authenticate.fromString(auth_value)
        user = authenticate["user_name"].decode("utf-16le")
        nthash = ntlm.compute_nthash(Config.password)
        status, session_key = computeNTLMv2(user, b"", nthash, self.challenge["challenge"],
                                            authenticate, self.challenge, self.negotiate)
        LOG.info("AUTH3 from %r: status 0x%x", user, status)
        self.flags = authenticate["flags"]
        self.client_sign = ntlm.SIGNKEY(self.flags, session_key)
        self.server_sign = ntlm.SIGNKEY(self.flags, session_key, "Server")
        self.client_seal = ARC4.new(ntlm.SEALKEY(self.flags, session_key)).encrypt
        self.server_seal_key = ntlm.SEALKEY(self.flags, session_key, "Server")
        self.server_seal = ARC4.new(self.server_seal_key).encrypt

    def on_request(self, pdu, pflags, call_id):
        alloc_hint, ctx_id, opnum = struct.unpack_from("<IHH", pdu, 16)
        head = 24 + (16 if pflags & 0x80 else 0)
        body, trailer, auth_value = self.split_auth(pdu)
        stub = body[head - 16:]
        if trailer is not None:
            pad = trailer[2]
            if trailer[1] == LEVEL_PRIVACY:
                stub, _sig = ntlm.SEAL(self.flags, self.client_sign, b"", stub, stub, 0, self.client_seal)
            else:  # integrity: keep the RC4 stream in step with the client's signature
                ntlm.SIGN(self.flags, self.client_sign, b"", 0, self.client_seal)
            stub = stub[:len(stub) - pad] if pad else stub
        _ctx, _op, sofar = self.pending.get(call_id, (ctx_id, opnum, b""))
        sofar += stub
        if not pflags & 0x02:  # not the last fragment yet
            self.pending[call_id] = (ctx_id, opnum, sofar)
            return
        self.pending.pop(call_id, None)
        iface = self.contexts.get(ctx_id)
        LOG.info("request ctx %d opnum %d iface %s", ctx_id, opnum, iface and bin_to_uuidtup(iface))
        answer = HANDLERS[iface](opnum, sofar) if iface in HANDLERS else None
        if answer is None:
            body = struct.pack("<IHBBII", 8, ctx_id, 0, 0, NCA_OP_RNG_ERROR, 0)
            self.sock.sendall(common_header(FAULT, FIRST_LAST, 16 + len(body), 0, call_id) + body)
            return
        self.send_response(ctx_id, call_id, answer)

    def send_response(self, ctx_id, call_id, stub):
        prefix = struct.pack("<IHBB", len(stub), ctx_id, 0, 0)
        if self.auth_level not in (LEVEL_INTEGRITY, LEVEL_PRIVACY):
            body = prefix + stub
            self.sock.sendall(common_header(RESPONSE, FIRST_LAST, 16 + len(body), 0, call_id) + body)
            return
        pad = (4 - (24 + len(stub)) % 4) % 4
        stub += b"\x00" * pad
        trailer = struct.pack("<BBBBI", AUTHN_WINNT, self.auth_level, pad, 0, self.auth_ctx_id)
        frag_len = 24 + len(stub) + 8 + 16
        to_sign = common_header(RESPONSE, FIRST_LAST, frag_len, 16, call_id) + prefix + stub + trailer
        if self.auth_level == LEVEL_PRIVACY:
            sealed, sig = ntlm.SEAL(self.flags, self.server_sign, self.server_seal_key, to_sign, stub,
                                    self.server_seq, self.server_seal)
        else:
            sealed, sig = stub, ntlm.SIGN(self.flags, self.server_sign, to_sign, self.server_seq, self.server_seal)
        self.server_seq += 1
        pdu = common_header(RESPONSE, FIRST_LAST, frag_len, 16, call_id) + prefix + sealed + trailer + sig.getData()
        self.sock.sendall(pdu)


def make_challenge(client_flags):
    wanted = (ntlm.NTLMSSP_NEGOTIATE_UNICODE | ntlm.NTLMSSP_NEGOTIATE_NTLM | ntlm.NTLMSSP_NEGOTIATE_SIGN
              | ntlm.NTLMSSP_NEGOTIATE_SEAL | ntlm.NTLMSSP_NEGOTIATE_ALWAYS_SIGN
              | ntlm.NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | ntlm.NTLMSSP_NEGOTIATE_128
              | ntlm.NTLMSSP_NEGOTIATE_56 | ntlm.NTLMSSP_NEGOTIATE_KEY_EXCH | ntlm.NTLMSSP_NEGOTIATE_VERSION)
    flags = (client_flags & wanted) | ntlm.NTLMSSP_NEGOTIATE_TARGET_INFO | ntlm.NTLMSSP_REQUEST_TARGET \
        | ntlm.NTLMSSP_TARGET_TYPE_SERVER
    domain = "HARDWIRE".encode("utf-16le")
    av_pairs = ntlm.AV_PAIRS()
    av_pairs[ntlm.NTLMSSP_AV_DOMAINNAME] = domain
    av_pairs[ntlm.NTLMSSP_AV_DNS_DOMAINNAME] = "hardwire.test".encode("utf-16le")
    av_pairs[ntlm.NTLMSSP_AV_HOSTNAME] = "TASKSRV".encode("utf-16le")
    av_pairs[ntlm.NTLMSSP_AV_DNS_HOSTNAME] = "tasksrv.hardwire.test".encode("utf-16le")
    av_pairs[ntlm.NTLMSSP_AV_TIME] = struct.pack("<q", 116444736000000000 + int(time.time()) * 10000000)
    challenge = ntlm.NTLMAuthChallenge()
    challenge["flags"] = flags
    challenge["domain_len"] = challenge["domain_max_len"] = len(domain)
    challenge["domain_offset"] = 40 + 16
    challenge["challenge"] = os.urandom(8)
    challenge["domain_name"] = domain
    challenge["TargetInfoFields_len"] = challenge["TargetInfoFields_max_len"] = len(av_pairs)
    challenge["TargetInfoFields"] = av_pairs
    challenge["TargetInfoFields_offset"] = 40 + 16 + len(domain)
    challenge["Version"] = b"\x0a\x00\x63\x45\x00\x00\x00\x0f"  # 10.0.17763, NTLM revision 15
    challenge["VersionLen"] = 8
    return challenge


def listener(spec, secondary):
    host, port = spec.rsplit(":", 1)

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            try:
                Connection(self.request, secondary).serve()
            except Exception:  # a responder for captures: log and drop the connection
                LOG.exception("connection failed")

    socketserver.ThreadingTCPServer.allow_reuse_address = True
    server = socketserver.ThreadingTCPServer((host, int(port)), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    LOG.info("listening on %s (%s)", spec, secondary)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tcp")
    parser.add_argument("--pipe")
    parser.add_argument("--epm")
    parser.add_argument("--outdir")
    parser.add_argument("--password", default=Config.password)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="responder: %(message)s")
    Config.password, Config.outdir = args.password, args.outdir
    if args.tcp:
        Config.tcp_host, port = args.tcp.rsplit(":", 1)
        Config.tcp_port = int(port)
        listener(args.tcp, port)
    if args.pipe:
        listener(args.pipe, "\\PIPE\\atsvc")
    if args.epm:
        listener(args.epm, "135")
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
