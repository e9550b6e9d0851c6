#!/usr/bin/env python3
"""What tshark (4.x) sees in each capture of this folder: the oracle behind
EXPECTED.md and expected.json. The facts come from tshark alone; the
must_fire / must_not_fire lists are our reading of /work/shared/RULES.md
against those facts (see EXPECTED.md for the reasons).

  python3 tshark_facts.py            print the facts of every capture
  python3 tshark_facts.py --json     rewrite expected.json
"""
import html
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
NT_PASSWORD = "Hardw1re!"  # the test account of make.sh, lets tshark unseal packet privacy

# file -> (must_fire, must_not_fire). Rules not listed are not asserted either way.
RULES = {
    "atexec-atsvc.pcap": (
        ["dcerpc.remote_task", "ntlm.used", "smb.v1.offered", "smb.dialect.legacy", "smb.signing.not_required",
         "smb.session.unsigned", "smb.admin_share"],
        ["dcerpc.remote_service", "smb.v1.negotiated", "ntlm.v1", "smb.guest", "smb.anonymous",
         "smb.outbound_external", "smb.encryption.none"]),
    "atsvc-netrjobadd.pcap": (
        ["dcerpc.remote_task", "ntlm.used", "smb.v1.offered", "smb.dialect.legacy", "smb.signing.not_required",
         "smb.session.unsigned"],
        ["dcerpc.remote_service", "smb.v1.negotiated", "ntlm.v1", "smb.guest", "smb.anonymous",
         "smb.admin_share", "smb.outbound_external", "smb.encryption.none"]),
    "tsch-tcp.pcap": (
        ["dcerpc.remote_task", "ntlm.used"],
        ["dcerpc.remote_service", "ntlm.v1"]),
    "tsch-tcp-noauth.pcap": (
        ["dcerpc.remote_task"],
        ["dcerpc.remote_service", "ntlm.used"]),
    "epm-135.pcap": (
        [],
        ["dcerpc.remote_task", "dcerpc.remote_service", "ntlm.used"]),
    "psexec-svcctl.pcap": (
        ["dcerpc.remote_service", "ntlm.used", "smb.v1.offered", "smb.encryption.none", "smb.signing.not_required"],
        ["dcerpc.remote_task", "smb.v1.negotiated", "ntlm.v1", "smb.guest", "smb.anonymous",
         "smb.dialect.legacy", "smb.session.unsigned", "smb.admin_share", "smb.outbound_external"]),
    "psexec-svcctl-smb3enc.pcap": (
        ["ntlm.used", "smb.v1.offered"],
        ["dcerpc.remote_service", "dcerpc.remote_task", "smb.v1.negotiated", "ntlm.v1", "smb.guest",
         "smb.anonymous", "smb.dialect.legacy", "smb.signing.not_required", "smb.session.unsigned",
         "smb.encryption.none", "smb.admin_share", "smb.outbound_external"]),
    "psexec-upload-svcctl.pcap": (
        ["dcerpc.remote_service", "ntlm.used", "smb.v1.offered", "smb.encryption.none", "smb.signing.not_required"],
        ["dcerpc.remote_task", "smb.v1.negotiated", "ntlm.v1", "smb.guest", "smb.anonymous",
         "smb.dialect.legacy", "smb.session.unsigned", "smb.admin_share", "smb.outbound_external"]),
    "rpcclient-samr.pcap": (
        ["ntlm.used", "smb.encryption.none"],
        ["dcerpc.remote_task", "dcerpc.remote_service", "smb.v1.offered", "smb.v1.negotiated", "ntlm.v1",
         "smb.guest", "smb.anonymous", "smb.dialect.legacy", "smb.signing.not_required",
         "smb.session.unsigned", "smb.admin_share", "smb.outbound_external"]),
    "smb1-svcctl.pcap": (
        ["dcerpc.remote_service", "ntlm.used", "smb.v1.offered", "smb.v1.negotiated", "smb.signing.not_required"],
        ["dcerpc.remote_task", "ntlm.v1", "smb.guest", "smb.anonymous", "smb.admin_share",
         "smb.outbound_external", "smb.dialect.legacy", "smb.encryption.none"]),
    "smb1-write-read.pcap": (
        ["dcerpc.remote_service", "ntlm.used", "smb.v1.offered", "smb.v1.negotiated", "smb.signing.not_required",
         "smb.session.unsigned"],
        ["dcerpc.remote_task", "ntlm.v1", "smb.guest", "smb.anonymous", "smb.admin_share",
         "smb.outbound_external", "smb.encryption.none"]),
    "rpcclient-smb1.pcap": (
        ["ntlm.used", "smb.v1.offered", "smb.v1.negotiated", "smb.signing.not_required"],
        ["dcerpc.remote_task", "dcerpc.remote_service", "ntlm.v1", "smb.guest", "smb.anonymous",
         "smb.admin_share", "smb.outbound_external", "smb.encryption.none", "smb.session.unsigned"]),
    "svcctl-contexts.pcap": (["dcerpc.remote_service", "ntlm.used"], ["dcerpc.remote_task", "ntlm.v1"]),
    "svcctl-contexts-oneside.pcap": (["dcerpc.remote_service"], ["dcerpc.remote_task"]),
    "svcctl-contexts-midstream.pcap": (["dcerpc.remote_service"], ["dcerpc.remote_task"]),
    "svcctl-compound.pcap": (["dcerpc.remote_service", "ntlm.used"], ["dcerpc.remote_task", "ntlm.v1"]),
}


def tshark(path, display_filter, fields, extra=()):
    cmd = ["tshark", "-r", path, "-2", "-Y", display_filter, "-T", "fields", "-E", "occurrence=a",
           "-E", "aggregator=|"] + list(extra)
    for field in fields:
        cmd += ["-e", field]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def split(value):
    return [v for v in value.split("|") if v != ""]


def ordered_unique(items):
    seen = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


PLACEHOLDER_FID = "ffffffff-ffff-ffff-ffff-ffffffffffff"


def created_fids(path):
    """Frame -> FileId, for a request frame that opens with a CREATE and whose related elements
    carry the FileId placeholder (all 0xFF: "the file the CREATE opens", MS-SMB2 3.3.5.2.7.2):
    the FileId tshark shows in the answer to that CREATE (the first element of its frame)."""
    answers = {}
    for stream, cmds, msg_ids, fids in tshark(path, "smb2.flags.response == 1 && smb2.cmd == 5",
                                              ["tcp.stream", "smb2.cmd", "smb2.msg_id", "smb2.fid"]):
        if split(cmds)[0] == "5" and split(fids):
            answers[(stream, split(msg_ids)[0])] = split(fids)[0]
    related = {}
    for frame, stream, cmds, msg_ids, fids in tshark(path, "smb2.flags.response == 0 && smb2.flags.chained == 1",
                                                     ["frame.number", "tcp.stream", "smb2.cmd", "smb2.msg_id", "smb2.fid"]):
        if split(cmds)[0] == "5" and PLACEHOLDER_FID in split(fids):
            related[frame] = answers.get((stream, split(msg_ids)[0]), PLACEHOLDER_FID)
    return related


def dcerpc_facts(path):
    """Pipes, bind UUIDs and uuid:opnum of requests, keyed by TCP stream + file id + context id."""
    related = created_fids(path)
    rows = tshark(path, "dcerpc", ["frame.number", "tcp.stream", "smb2.fid", "smb.fid", "dcerpc.pkt_type", "dcerpc.cn_ctx_id",
                                   "dcerpc.cn_bind_to_uuid", "dcerpc.opnum", "dcerpc.auth_level"])
    contexts, binds, ops, frames, levels = {}, [], [], {}, set()
    for frame, stream, fid2, fid1, ptypes, ctx_ids, uuids, opnums, auth_levels in rows:
        fid = related.get(frame) or (split(fid2) or split(fid1) or [""])[0]
        levels.update(split(auth_levels))
        ptypes = split(ptypes)
        if ptypes and ptypes[0] in ("11", "14"):  # bind, alter_context
            for ctx, uuid in zip(split(ctx_ids), split(uuids)):
                contexts[(stream, fid, ctx)] = uuid
                binds.append(uuid)
        elif ptypes and ptypes[0] == "0":  # request
            ctx, opnum = split(ctx_ids)[0], split(opnums)[0]
            op = "%s:%s" % (contexts.get((stream, fid, ctx), "?"), opnum)
            ops.append(op)
            frames.setdefault(op, int(frame))
    pipes = [row[0] for row in tshark(path, "smb2.cmd == 5 && smb2.flags.response == 0 && smb2.tree contains \"IPC$\"",
                                      ["smb2.filename"])]
    # SMB1 creates on IPC$ (or on a tree whose connect the capture missed)
    pipes += [row[0] for row in tshark(path, 'smb.cmd == 0xa2 && smb.flags.response == 0 && (!smb.path || smb.path contains "IPC$")',
                                       ["smb.file"])]
    return {"pipes": ordered_unique(pipes), "bind_uuids": ordered_unique(binds), "req_ops": ordered_unique(ops),
            "auth_levels": sorted(levels), "req_first_frame": frames}


def command_line(path, password=None):
    """The command line as tshark shows it: decoded svcctl/atsvc fields, or the task
    XML of a tsch SchRpcRegisterTask stub, which tshark 4.0 shows only as bytes.
    With a password, tshark also unseals NTLM packet privacy (the sensor cannot)."""
    found = [r[0] for r in tshark(path, "svcctl.binarypathname", ["svcctl.binarypathname"])]
    found += [r[0] for r in tshark(path, "atsvc.atsvc_JobInfo.command", ["atsvc.atsvc_JobInfo.command"])]
    extra = ["-o", "ntlmssp.nt_password:" + password] if password else []
    field = "dcerpc.decrypted_stub_data" if password else "dcerpc.stub_data"
    for (hexdata,) in tshark(path, "dcerpc.pkt_type == 0 && dcerpc.opnum == 1", [field], extra):
        for part in split(hexdata):
            text = bytes.fromhex(part.replace(":", "")).decode("utf-16le", "replace")
            match = re.search(r"<Command>(.*?)</Command>\s*<Arguments>(.*?)</Arguments>", text, re.S)
            if match:
                found.append(html.unescape("%s %s" % (match.group(1), match.group(2))))
    return ordered_unique(found)


def smb_facts(path):
    facts = {}
    offers = tshark(path, "smb.cmd == 0x72 && smb.flags.response == 0", ["smb.dialect.name"])
    facts["smb1_negotiate_offers"] = ordered_unique(d for row in offers for d in split(row[0]))
    facts["smb1_commands_past_negotiate"] = len(tshark(path, "smb && smb.cmd != 0x72", ["frame.number"]))
    dialects = tshark(path, "smb2.cmd == 0 && smb2.flags.response == 1", ["smb2.dialect", "smb2.sec_mode"])
    facts["smb2_dialect"] = ordered_unique(row[0] for row in dialects)
    facts["smb2_server_sec_mode"] = ordered_unique(row[1] for row in dialects)
    client = tshark(path, "smb2.cmd == 0 && smb2.flags.response == 0", ["smb2.sec_mode"])
    facts["smb2_client_sec_mode"] = ordered_unique(row[0] for row in client)
    smb1_server = tshark(path, "smb.cmd == 0x72 && smb.flags.response == 1", ["smb.sm"])
    facts["smb1_server_security_mode"] = ordered_unique(row[0] for row in smb1_server)
    ses = tshark(path, "smb2.cmd == 1 && smb2.flags.response == 1 && smb2.nt_status == 0", ["smb2.session_flags"])
    facts["smb2_session_flags"] = ordered_unique(row[0] for row in ses)
    trees = tshark(path, "(smb2.cmd == 3 && smb2.flags.response == 0) || (smb.cmd == 0x75 && smb.flags.response == 0)",
                   ["smb2.tree", "smb.path"])
    facts["trees"] = ordered_unique(name for row in trees for name in split(row[0] or row[1]))
    signed = tshark(path, "smb2.flags.response == 0 && smb2.cmd > 3", ["smb2.flags.signature"])
    facts["smb2_requests_after_setup_signed"] = sorted({row[0] for row in signed})
    facts["smb3_encrypted_frames"] = len(tshark(path, "smb2.header.transform.flags.encrypted == 1", ["frame.number"]))
    ntlm = tshark(path, "ntlmssp.messagetype == 3", ["ntlmssp.auth.username", "ntlmssp.auth.ntresponse"])
    facts["ntlm_authenticate"] = ["%s (NT response %d bytes)" % (row[0], len(split(row[1])[0].replace(":", "")) // 2)
                                  for row in ntlm if row[1]]
    return facts


def main():
    files = sorted(f for f in os.listdir(HERE) if f.endswith(".pcap"))
    expected = []
    for name in files:
        path = os.path.join(HERE, name)
        facts = dcerpc_facts(path)
        commands = command_line(path)
        unsealed = [c for c in command_line(path, NT_PASSWORD) if c not in commands]
        smb = smb_facts(path)
        must, must_not = RULES.get(name, ([], []))
        expected.append({"file": name,
                         "tshark": {"pipes": facts["pipes"], "bind_uuids": facts["bind_uuids"],
                                    "req_ops": facts["req_ops"], "req_first_frame": facts["req_first_frame"],
                                    "auth_levels": facts["auth_levels"], **smb},
                         "command": commands[0] if commands else None,
                         "command_with_nt_password": unsealed[0] if unsealed else None,
                         "must_fire": must, "must_not_fire": must_not})
    if "--json" in sys.argv:
        with open(os.path.join(HERE, "expected.json"), "w") as out:
            json.dump(expected, out, indent=1)
            out.write("\n")
    else:
        print(json.dumps(expected, indent=1))


if __name__ == "__main__":
    main()
