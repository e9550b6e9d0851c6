#!/usr/bin/env python3
"""Write expected.json (and the table of EXPECTED.md) for the captures of this folder.

The protocol facts come from tshark 4.x, run by this script with the command in TSHARK_CMD.
The rules that must / must not fire come from how make.sh set each scenario up (RULES below),
not from tshark and never from hardwire's own output.

Usage:  python3 pcaps/smb/facts.py          (rewrites expected.json and the table in EXPECTED.md)
"""
import json
import os
import subprocess
from collections import OrderedDict

HERE = os.path.dirname(os.path.abspath(__file__))

FIELDS = [
    "frame.number", "tcp.stream", "ip.src", "ip.dst", "tcp.dstport",
    # SMB1
    "smb.cmd", "smb.flags.response", "smb.nt_status", "smb.dialect.name", "smb.dialect.index",
    "smb.sm.signatures", "smb.sm.sig_required", "smb.flags2.sec_sig_required",
    "smb.setup.action.guest", "smb.path",
    # SMB2/3
    "smb2.cmd", "smb2.flags.response", "smb2.nt_status", "smb2.dialect",
    "smb2.sec_mode.sign_enabled", "smb2.sec_mode.sign_required",
    "smb2.ses_flags.guest", "smb2.ses_flags.null", "smb2.ses_flags.encrypt",
    "smb2.tree", "smb2.share_flags.encrypt_data", "smb2.flags.signature",
    "smb2.header.transform.msg_size",
    # NTLMSSP
    "ntlmssp.messagetype", "ntlmssp.auth.username", "ntlmssp.auth.domain",
    "ntlmssp.auth.hostname", "ntlmssp.auth.ntresponse", "ntlmssp.auth.lmresponse",
    "ntlmssp.negotiateflags",
    # Kerberos inside SPNEGO
    "kerberos.msg_type", "kerberos.etype", "kerberos.SNameString",
]

TSHARK_CMD = ("tshark -r FILE -Y 'smb || smb2' -T fields -E separator=/t -E occurrence=a "
              "-E aggregator=, " + " ".join("-e " + f for f in FIELDS))

SMB2_NAMES = {"0x0202": "2.0.2", "0x0210": "2.1", "0x0300": "3.0", "0x0302": "3.0.2",
              "0x0311": "3.1.1", "0x02ff": "2.??? (wildcard)"}

# Rules of /work/shared/RULES.md, from the scenario's set-up. Every SMB rule appears in one list.
SMB_RULES = ["smb.v1.negotiated", "smb.v1.offered", "smb.guest", "smb.anonymous",
             "smb.dialect.legacy", "smb.dialect.downgrade", "smb.signing.not_required",
             "smb.session.unsigned", "smb.encryption.none", "smb.outbound_external",
             "smb.admin_share", "ntlm.used", "ntlm.v1", "kerberos.rc4"]

# capture -> (what it shows, rules that must fire[, rules left unspecified]).
# Everything else of SMB_RULES must not fire.
SCENARIOS = OrderedDict([
    ("smb1-only.pcap", ("smbclient -m NT1 against smbd limited to NT1: SMB1 negotiated, NTLMv2 user logon",
                        ["smb.v1.negotiated", "smb.v1.offered", "smb.signing.not_required",
                         "smb.session.unsigned", "ntlm.used"])),
    ("smb1-impacket.pcap", ("impacket SMBConnection(preferredDialect='NT LM 0.12') against smbd limited to NT1",
                            ["smb.v1.negotiated", "smb.v1.offered", "smb.signing.not_required",
                             "smb.session.unsigned", "ntlm.used"])),
    ("smb2-0202.pcap", ("smbclient offering only SMB 2.0.2",
                        ["smb.dialect.legacy", "smb.signing.not_required", "smb.session.unsigned",
                         "ntlm.used"])),
    ("smb2-0210.pcap", ("smbclient offering only SMB 2.1",
                        ["smb.dialect.legacy", "smb.signing.not_required", "smb.session.unsigned",
                         "ntlm.used"])),
    ("smb3-0300.pcap", ("smbclient offering only SMB 3.0",
                        ["smb.dialect.legacy", "smb.signing.not_required", "smb.session.unsigned",
                         "smb.encryption.none", "ntlm.used"])),
    ("smb3-0302.pcap", ("smbclient offering only SMB 3.0.2",
                        ["smb.dialect.legacy", "smb.signing.not_required", "smb.session.unsigned",
                         "smb.encryption.none", "ntlm.used"])),
    ("smb3-0311.pcap", ("smbclient offering only SMB 3.1.1, Samba defaults (signing not required)",
                        ["smb.signing.not_required", "smb.session.unsigned", "smb.encryption.none",
                         "ntlm.used"])),
    ("smb3-0311-impacket.pcap", ("impacket SMBConnection default: SMB1 multi-protocol negotiate, SMB2 "
                                 "negotiate to 3.1.1, then impacket encrypts every request (transform headers) "
                                 "though the server did not ask for it",
                                 ["smb.v1.offered", "ntlm.used"])),
    ("smb3-0311-signing-required.pcap", ("smbd with server signing = mandatory: signed 3.1.1 session",
                                         ["smb.encryption.none", "ntlm.used"])),
    ("smb3-encrypted.pcap", ("smbd with server smb encrypt = required, smbclient --client-protection=encrypt",
                             ["ntlm.used"])),
    ("smb-guest.pcap", ("map to guest = Bad User: unknown user logs on as guest (IS_GUEST); "
                        "a guest session cannot sign: no request is signed",
                        ["smb.guest", "smb.signing.not_required", "ntlm.used"],
                        # RULES.md says 'authenticated session': whether a guest session is one is
                        # left to the engine.
                        ["smb.session.unsigned", "smb.encryption.none"])),
    ("smb-null-session.pcap", ("smbclient -N -U% -L: anonymous NTLM logon, IPC$, srvsvc share list",
                               ["smb.anonymous", "smb.signing.not_required", "ntlm.used"])),
    ("smb-ntlmv1.pcap", ("ntlm auth = ntlmv1-permitted, client ntlmv2 auth = no: 24-byte NT response",
                         ["ntlm.v1", "ntlm.used", "smb.signing.not_required",
                          "smb.session.unsigned", "smb.encryption.none"])),
    ("smb-downgrade.pcap", ("same server address: 3.1.1 on the first connection, then 2.1 to a client offering 3.1.1",
                            ["smb.dialect.downgrade", "smb.dialect.legacy",
                             "smb.signing.not_required", "smb.session.unsigned",
                             "smb.encryption.none", "ntlm.used"])),
    ("smb-transfer-5mb.pcap", ("put and get of a 5 MiB file over an authenticated 3.1.1 session",
                               ["smb.signing.not_required", "smb.session.unsigned",
                                "smb.encryption.none", "ntlm.used"])),
    ("smb-external.pcap", ("smb3-0311.pcap with the server rewritten to 198.51.100.7 (tcprewrite)",
                           ["smb.outbound_external", "smb.signing.not_required",
                            "smb.session.unsigned", "smb.encryption.none", "ntlm.used"])),
    ("smb-kerberos.pcap", ("Samba AD DC: smbclient --use-kerberos=required gets AES tickets "
                           "(AS/TGS on port 88 in the capture) and authenticates with an AP-REQ",
                           ["smb.encryption.none"])),
    ("smb-admin-share.pcap", ("tree connects to C$ and ADMIN$ (two connections)",
                              ["smb.admin_share", "smb.signing.not_required",
                               "smb.session.unsigned", "smb.encryption.none", "ntlm.used"])),
    ("smb-reads-then-admin.pcap", ("smbclient -m SMB3_11: twenty whole reads of a file on the first share, "
                                   "then tcon ADMIN$ on the same session (long after its first record)",
                                   ["smb.signing.not_required", "smb.session.unsigned", "smb.encryption.none",
                                    "smb.admin_share", "ntlm.used"])),
    ("smb1-relogon.pcap", ("impacket SMB1: a logon, a listing, then a second logon sent with the first "
                           "one's UID on the same connection (Samba keeps the UID), another listing",
                           ["smb.v1.negotiated", "smb.v1.offered", "smb.signing.not_required",
                            "smb.session.unsigned", "ntlm.used"])),
])


def run_tshark(path):
    cmd = ["tshark", "-r", path, "-Y", "smb || smb2", "-T", "fields", "-E", "separator=/t",
           "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        cols = line.split("\t")
        cols += [""] * (len(FIELDS) - len(cols))
        yield {f: (c.split(",") if c else []) for f, c in zip(FIELDS, cols)}


def response_len(hexstr):
    """Length of an NTLM response field. tshark 4.0 prints an empty response ('Empty' in -V)
    as its 8-byte security buffer descriptor (length 0, maxlen 0, offset): count that as 0."""
    raw = bytes.fromhex(hexstr.replace(":", ""))
    if len(raw) == 8 and raw[0:2] == b"\0\0":
        return 0
    return len(raw)


def ntlm_string(value):
    """tshark prints an empty NTLM string as NULL."""
    return "" if value == "NULL" else value


def first(row, field, default=None):
    return row[field][0] if row[field] else default


def add_once(lst, value):
    if value not in lst:
        lst.append(value)


def new_conn(row):
    return OrderedDict([
        ("tcp_stream", int(first(row, "tcp.stream"))),
        ("client", None), ("server", None),
        ("smb1_dialects_offered", []), ("smb1_dialect_negotiated", None),
        ("smb2_dialects_offered", []), ("smb2_dialect_negotiated", []),
        ("server_signing_required", None), ("client_signing_required", None),
        ("session_setups", []), ("ntlm_auth", []),
        ("kerberos_ap_req", []),
        ("trees", []), ("tree_encrypt_data", False),
        ("transform_frames", 0),
        ("smb2_requests_after_session_setup", 0), ("smb2_requests_signed", 0),
        ("smb1_commands_past_negotiate", 0),
    ])


def facts(path):
    conns = OrderedDict()
    ntlm_seen = set()
    for row in run_tshark(path):
        stream = first(row, "tcp.stream")
        conn = conns.setdefault(stream, new_conn(row))
        if first(row, "tcp.dstport") == "445":
            conn["client"], conn["server"] = first(row, "ip.src"), first(row, "ip.dst")
        frame = int(first(row, "frame.number"))
        conn["transform_frames"] += len(row["smb2.header.transform.msg_size"]) and 1

        # SMB1 (one command per frame in these captures; AndX chains keep the first cmd)
        cmd1, resp1 = first(row, "smb.cmd"), first(row, "smb.flags.response")
        if cmd1 == "0x72" and resp1 == "0":
            for name in row["smb.dialect.name"]:
                add_once(conn["smb1_dialects_offered"], name)
        elif cmd1 == "0x72" and resp1 == "1":
            idx = int(first(row, "smb.dialect.index", "65535"))
            offered = conn["smb1_dialects_offered"]
            if idx == 65535:
                conn["smb1_dialect_negotiated"] = "none"
            elif row["smb.sm.sig_required"]:   # an SMB1 response: an SMB1 dialect won
                conn["smb1_dialect_negotiated"] = offered[idx] if idx < len(offered) else idx
                conn["server_signing_required"] = first(row, "smb.sm.sig_required") == "1"
        elif cmd1 is not None:
            conn["smb1_commands_past_negotiate"] += 1
            if cmd1 == "0x73" and resp1 == "1" and first(row, "smb.nt_status") == "0x00000000":
                conn["session_setups"].append({"frame": frame, "smb1_action_guest":
                                               first(row, "smb.setup.action.guest") == "1"})
            if cmd1 == "0x73" and resp1 == "0" and row["smb.flags2.sec_sig_required"]:
                conn["client_signing_required"] = first(row, "smb.flags2.sec_sig_required") == "1"
            if cmd1 == "0x75" and resp1 == "0":
                for p in row["smb.path"]:
                    add_once(conn["trees"], p)

        # SMB2: one entry per PDU header; a frame may carry several (compound).
        cmds, resps = row["smb2.cmd"], row["smb2.flags.response"]
        sigs, statuses = row["smb2.flags.signature"], row["smb2.nt_status"]
        for i, cmd in enumerate(cmds):
            resp = resps[i] if i < len(resps) else None
            if cmd == "0" and resp == "0":
                for d in row["smb2.dialect"]:
                    add_once(conn["smb2_dialects_offered"], SMB2_NAMES.get(d, d))
                conn["client_signing_required"] = first(row, "smb2.sec_mode.sign_required") == "1"
            elif cmd == "0" and resp == "1":
                d = first(row, "smb2.dialect")
                conn["smb2_dialect_negotiated"].append(SMB2_NAMES.get(d, d))
                conn["server_signing_required"] = first(row, "smb2.sec_mode.sign_required") == "1"
            elif cmd == "1" and resp == "1" and i < len(statuses) and statuses[i] == "0x00000000":
                conn["session_setups"].append(OrderedDict([
                    ("frame", frame),
                    ("is_guest", first(row, "smb2.ses_flags.guest") == "1"),
                    ("is_null", first(row, "smb2.ses_flags.null") == "1"),
                    ("encrypt_data", first(row, "smb2.ses_flags.encrypt") == "1")]))
            elif cmd == "3" and resp == "0":
                for t in row["smb2.tree"]:
                    add_once(conn["trees"], t)
            elif cmd == "3" and resp == "1" and first(row, "smb2.share_flags.encrypt_data") == "1":
                conn["tree_encrypt_data"] = True
            if cmd not in ("0", "1") and resp == "0":
                conn["smb2_requests_after_session_setup"] += 1
                if i < len(sigs) and sigs[i] == "1":
                    conn["smb2_requests_signed"] += 1

        if any(int(t, 16) == 3 for t in row["ntlmssp.messagetype"]) and frame not in ntlm_seen:
            ntlm_seen.add(frame)
            nt_len = response_len(first(row, "ntlmssp.auth.ntresponse", ""))
            flags = int(row["ntlmssp.negotiateflags"][-1], 16) if row["ntlmssp.negotiateflags"] else 0
            conn["ntlm_auth"].append(OrderedDict([
                ("frame", frame),
                ("user", ntlm_string(first(row, "ntlmssp.auth.username", ""))),
                ("domain", ntlm_string(first(row, "ntlmssp.auth.domain", ""))),
                ("host", ntlm_string(first(row, "ntlmssp.auth.hostname", ""))),
                ("nt_response_len", nt_len),
                ("lm_response_len", response_len(first(row, "ntlmssp.auth.lmresponse", ""))),
                ("negotiate_flags", "0x%08x" % flags),
                ("flag_anonymous", bool(flags & 0x800)),
                ("flag_extended_session_security", bool(flags & 0x80000)),
                ("version", "v1" if nt_len == 24 else "v2" if nt_len > 24 else "none")]))
        if "14" in row["kerberos.msg_type"]:
            # -E occurrence=a lists the ticket's enc-part etype, then the authenticator's.
            conn["kerberos_ap_req"].append(OrderedDict([
                ("frame", frame), ("sname", "/".join(row["kerberos.SNameString"])),
                ("etypes", [int(e) for e in row["kerberos.etype"]])]))
    conns = list(conns.values())
    for c in conns:
        if not c["smb1_dialects_offered"]:
            del c["smb1_dialects_offered"], c["smb1_dialect_negotiated"]
        if not c["kerberos_ap_req"]:
            del c["kerberos_ap_req"]
        if c["smb1_commands_past_negotiate"] == 0:
            del c["smb1_commands_past_negotiate"]
    return OrderedDict([("connections", conns)])


def cell(values):
    return ", ".join(str(v) for v in values) if values else "-"


def md_row(entry):
    conns = entry["tshark"]["connections"]
    def each(fn):
        return "; ".join(fn(c) for c in conns)
    offered = each(lambda c: cell(c.get("smb1_dialects_offered", []) + c["smb2_dialects_offered"]))
    negotiated = each(lambda c: cell(([c["smb1_dialect_negotiated"]] if c.get("smb1_dialect_negotiated") else [])
                                     + c["smb2_dialect_negotiated"]))
    signing = each(lambda c: "srv %s / cli %s" % (
        {True: "req", False: "no", None: "?"}[c["server_signing_required"]],
        {True: "req", False: "no", None: "?"}[c["client_signing_required"]]))
    def ses(c):
        out = []
        for s in c["session_setups"]:
            flags = [k for k in ("is_guest", "is_null", "encrypt_data", "smb1_action_guest") if s.get(k)]
            out.append("ok " + ("+".join(flags) if flags else "(no flags)"))
        return cell(out)
    sessions = each(ses)
    def auth(c):
        items = ["NTLM %s\\%s@%s %s (NT %d B)" % (a["domain"], a["user"], a["host"], a["version"],
                                                 a["nt_response_len"]) for a in c["ntlm_auth"]]
        items += ["Kerberos AP-REQ %s etypes %s" % (k["sname"], k["etypes"])
                  for k in c.get("kerberos_ap_req", [])]
        return cell(items)
    ntlm = each(auth)
    transform = each(lambda c: str(c["transform_frames"]))
    signed = each(lambda c: "%d/%d" % (c["smb2_requests_signed"], c["smb2_requests_after_session_setup"]))
    trees = each(lambda c: cell(c["trees"]))
    server = cell(sorted({c["server"] for c in conns}))
    rules = "**fire:** %s<br>**not:** %s" % (cell(entry["must_fire"]), cell(entry["must_not_fire"]))
    if entry["unspecified"]:
        rules += "<br>**either:** " + cell(entry["unspecified"])
    return "| `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
        entry["file"], entry["shows"], server, offered, negotiated, signing, sessions, ntlm,
        transform, signed, trees, rules)


def main():
    entries = []
    for name, (shows, fire, *rest) in SCENARIOS.items():
        unspecified = rest[0] if rest else []
        path = os.path.join(HERE, name)
        if not os.path.exists(path):
            continue
        entries.append(OrderedDict([
            ("file", name), ("shows", shows), ("tshark", facts(path)),
            ("must_fire", fire),
            ("must_not_fire", [r for r in SMB_RULES if r not in fire and r not in unspecified]),
            ("unspecified", unspecified)]))
    doc = OrderedDict([("tshark_version", subprocess.run(["tshark", "--version"], capture_output=True,
                                                          text=True).stdout.splitlines()[0]),
                       ("tshark_command", TSHARK_CMD), ("captures", entries)])
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    head = ("| file | shows | server | dialects offered | negotiated | signing required "
            "(negotiate) | session setup OK | authentication | transform frames | "
            "SMB2 requests signed / after session setup | trees | rules |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|---|")
    table = head + "\n" + "\n".join(md_row(e) for e in entries) + "\n"
    md = os.path.join(HERE, "EXPECTED.md")
    begin, end = "<!-- table:begin -->\n", "<!-- table:end -->\n"
    text = open(md).read() if os.path.exists(md) else begin + end
    pre, rest = text.split(begin, 1)
    _, post = rest.split(end, 1)
    with open(md, "w") as f:
        f.write(pre + begin + table + end + post)


if __name__ == "__main__":
    main()
