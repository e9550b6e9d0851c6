#!/usr/bin/env python3
"""Write pcaps/http/expected.json: what tshark says about each capture, plus the rules of
/work/shared/RULES.md that must (and must not) fire on it given how make.sh recorded it.

The tshark half is generated (the commands are in TSHARK_FIELDS and `decode_as` below and in
EXPECTED.md); the rule half is written by hand in EXPECTATIONS from knowing the setup, never
from our sensor's output.

usage: tshark_facts.py            (run from anywhere; needs tshark 4.x)
"""
import base64
import json
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
PASSWORD = "Hardw1re-test"
SECRETS = [
    PASSWORD,
    base64.b64encode(b"alice:" + PASSWORD.encode()).decode(),
    base64.b64encode(b"HARDWIRE\\alice:" + PASSWORD.encode()).decode(),
]
# Non-default ports decoded as what they carry.
DECODE_AS = ["-d", "tcp.port==8081,http", "-d", "tcp.port==5985,http", "-d", "tcp.port==5986,tls"]
TSHARK_FIELDS = {
    "methods": "http.request.method",
    "uris": "http.request.uri",
    "user_agents": "http.user_agent",
    "response_codes": "http.response.code",
    "authorization": "http.authorization",
    "www_authenticate": "http.www_authenticate",
    "content_types": "http.content_type",
    "ntlmssp_message_types": "ntlmssp.messagetype",
    "ntlm_user": "ntlmssp.auth.username",
    "ntlm_domain": "ntlmssp.auth.domain",
    "ntlm_host": "ntlmssp.auth.hostname",
    "ntlm_nt_response": "ntlmssp.auth.ntresponse",
    "kerberos_msg_types": "kerberos.msg_type",
    "kerberos_realm": "kerberos.realm",
    "kerberos_sname": "kerberos.SNameString",
    "kerberos_etypes": "kerberos.etype",
    "tls_record_versions": "tls.record.version",
    "tls_handshake_types": "tls.handshake.type",
    "tls_supported_versions": "tls.handshake.extensions.supported_version",
    "tls_cipher_suites": "tls.handshake.ciphersuite",
}
# Facts that need a display filter: name -> (field, filter, keep one entry per frame).
FILTERED_FIELDS = {
    "soap_in_clear_frames": ("frame.number",
                             'http.content_type contains "soap+xml" && http.content_length > 0', False),
    "ntlm_authenticate_frames": ("frame.number", "ntlmssp.messagetype == 3", False),
    "ap_req_etypes_ticket_then_authenticator": ("kerberos.etype", "kerberos.msg_type == 14", True),
    "tls_server_hello_version": ("tls.handshake.extensions.supported_version", "tls.handshake.type == 2", False),
    "tls_server_cipher_suite": ("tls.handshake.ciphersuite", "tls.handshake.type == 2", False),
}
ALL_RULES = [
    "http.basic.cleartext", "ntlm.used", "ntlm.v1", "kerberos.rc4",
    "winrm.basic.cleartext", "winrm.unencrypted", "winrm.credssp", "winrm.ntlm",
    "webdav.fallback", "webdav.ntlm",
]
# file -> (must_fire, may_fire, why).  Everything else in ALL_RULES must not fire.
# may_fire: webdav.ntlm reads "NTLM authentication over WebDAV / plain HTTP"; whether NTLM over
# plain HTTP without any WebDAV method fires it is the lead's call, so those files leave it open.
EXPECTATIONS = {
    "basic-http.pcap": (["http.basic.cleartext"], [],
                        "curl --basic over plain HTTP port 80: 401 then 200, user alice"),
    "http-nonstandard-port.pcap": (["http.basic.cleartext"], [],
                                   "the same on port 8081: found by the request line, not the port"),
    "ntlm-http.pcap": (["ntlm.used"], ["webdav.ntlm"],
                       "curl --ntlm (NTLMv2) GET over plain HTTP, no WebDAV method"),
    "ntlm-http-apache.pcap": (["ntlm.used"], ["webdav.ntlm"],
                              "python-requests/requests_ntlm (NTLMv2) GET against Apache + gss-ntlmssp"),
    "negotiate-kerberos-http.pcap": ([], [],
                                     "Negotiate with a Kerberos AP-REQ, AES256 ticket and authenticator: nothing to report"),
    "negotiate-kerberos-rc4-http.pcap": (["kerberos.rc4"], [],
                                         "service principal with only an RC4 key: ticket etype 23, authenticator AES256"),
    "webdav-anon.pcap": (["webdav.fallback"], [],
                         "anonymous PROPFIND/MKCOL/PUT/COPY/MOVE/PROPPATCH/LOCK/UNLOCK, then MiniRedir OPTIONS/GET/PUT"),
    "webdav-miniredir.pcap": (["webdav.fallback"], [],
                              "only OPTIONS/GET/PUT, all with the Microsoft-WebDAV-MiniRedir agent"),
    "webdav-ntlm.pcap": (["webdav.fallback", "webdav.ntlm", "ntlm.used"], [],
                         "WebDAV methods on one keep-alive connection authenticated once with NTLMv2"),
    "webdav-cadaver.pcap": (["webdav.fallback"], [],
                            "cadaver (neon) anonymous: PROPFIND, MKCOL, PUT, GET, PROPPATCH, LOCK, UNLOCK, COPY, MOVE"),
    "winrm-basic-http.pcap": (["winrm.basic.cleartext", "winrm.unencrypted", "http.basic.cleartext"], [],
                              "pywinrm transport=basic on 5985: Basic header and soap+xml bodies in clear"),
    "winrm-ntlm-encrypted.pcap": (["winrm.ntlm", "ntlm.used"], ["webdav.ntlm"],
                                  "pywinrm transport=ntlm, message_encryption=always: multipart/encrypted bodies"),
    "winrm-ntlm-clear.pcap": (["winrm.ntlm", "ntlm.used", "winrm.unencrypted"], ["webdav.ntlm"],
                              "pywinrm transport=ntlm, message_encryption=never: soap+xml in clear after NTLM"),
    "winrm-credssp.pcap": (["winrm.credssp"], [],
                           "pywinrm transport=credssp: NTLM runs inside CredSSP's TLS, so ntlm.used cannot be seen; bodies HTTP-CredSSP-session-encrypted"),
    "http-keepalive-late-basic.pcap": (["http.basic.cleartext", "webdav.fallback"], [],
                                       "make-keepalive.sh: one keep-alive connection, curl sends 20 plain GETs, "
                                       "then a GET with Basic (user alice), then a PROPFIND (http.server answers 501)"),
    "winrm-https-5986.pcap": ([], [],
                              "pywinrm transport=basic over TLS on 5986: nothing visible but the TLS handshake"),
}


def tshark(path, field, display_filter=None, per_frame=False):
    command = ["tshark", "-r", path, *DECODE_AS, "-T", "fields", "-E", "occurrence=a",
               "-E", "aggregator=|", "-e", field]
    if display_filter:
        command += ["-Y", display_filter]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    values = []
    for line in out.splitlines():
        for value in [line.replace("|", ",")] if per_frame else line.split("|"):
            if value and value not in values:
                values.append(value)
    return values


def summarise(name, values):
    """Tokens are long and not facts anyone asserts on: keep the scheme and token length."""
    if name in ("authorization", "www_authenticate"):
        shown = []
        for value in values:
            scheme, _, token = value.partition(" ")
            if name == "authorization" and scheme.lower() == "basic":
                token = base64.b64decode(token).decode().split(":")[0] + ":<password>"
                item = f"Basic <base64 of {token}>"
            elif token and "=" not in token[:-2] and " " not in token:
                item = f"{scheme} <token {len(base64.b64decode(token))} bytes>"
            else:
                item = value
            if item not in shown:
                shown.append(item)
        return shown
    if name == "ntlm_nt_response":
        return sorted({len(v.replace(":", "")) // 2 for v in values})
    return values


def main():
    out = []
    for name, (must, may, why) in EXPECTATIONS.items():
        path = os.path.join(HERE, name)
        facts = {}
        for key, field in TSHARK_FIELDS.items():
            values = summarise(key, tshark(path, field))
            if values:
                facts["ntlm_nt_response_lengths" if key == "ntlm_nt_response" else key] = values
        for key, (field, display_filter, per_frame) in FILTERED_FIELDS.items():
            values = tshark(path, field, display_filter, per_frame)
            if values:
                facts[key] = values
        out.append({
            "file": name,
            "setup": why,
            "tshark": facts,
            "must_fire": must,
            "may_fire": may,
            "must_not_fire": [r for r in ALL_RULES if r not in must and r not in may],
            "secrets": SECRETS,
        })
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
