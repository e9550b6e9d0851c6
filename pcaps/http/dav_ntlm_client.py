#!/usr/bin/env python3
"""WebDAV requests authenticated with NTLM, for pcaps/http/make.sh.

The client is python-requests with requests_ntlm (pyspnego's NTLM initiator); curl --ntlm
cannot be used against Apache mod_auth_gssapi + gss-ntlmssp (see ntlm_http_server.py).
One keep-alive connection, as Windows' WebClient keeps it: NTLM once, then the methods.

usage: dav_ntlm_client.py BASE_URL USER PASSWORD
"""
import sys

import requests
from requests_ntlm import HttpNtlmAuth

base, user, password = sys.argv[1:4]
xml = {"Content-Type": "application/xml"}
propfind = b'<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>'
proppatch = (b'<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" '
             b'xmlns:H="urn:hardwire"><D:set><D:prop><H:owner>alice</H:owner></D:prop></D:set>'
             b"</D:propertyupdate>")
lockinfo = (b'<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope>'
            b"<D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>alice"
            b"</D:owner></D:lockinfo>")

session = requests.Session()
session.auth = HttpNtlmAuth(user, password)


def call(method, path, **kwargs):
    response = session.request(method, base + path, **kwargs)
    print(response.status_code, method, base + path)
    return response


call("PROPFIND", "/", headers={"Depth": "1", **xml}, data=propfind)
call("MKCOL", "/docs/")
call("PUT", "/docs/report.txt", data=b"quarterly figures\n")
call("COPY", "/docs/report.txt", headers={"Destination": base + "/docs/report-copy.txt"})
call("MOVE", "/docs/report-copy.txt", headers={"Destination": base + "/docs/report-moved.txt"})
call("PROPPATCH", "/docs/report.txt", headers=xml, data=proppatch)
lock = call("LOCK", "/docs/report.txt", headers={"Timeout": "Second-600", **xml}, data=lockinfo)
call("UNLOCK", "/docs/report.txt", headers={"Lock-Token": lock.headers.get("Lock-Token", "")})
