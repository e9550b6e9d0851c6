#!/usr/bin/env python3
"""Run one command through pywinrm (the real client) for pcaps/http/make.sh.

usage: winrm_client.py ENDPOINT TRANSPORT MESSAGE_ENCRYPTION USER
"""
import sys

import winrm

endpoint, transport, encryption, user = sys.argv[1:5]
session = winrm.Session(
    endpoint,
    auth=(user, "Hardw1re-test"),
    transport=transport,
    message_encryption=encryption,
    server_cert_validation="ignore",
)
result = session.run_cmd("whoami")
print(f"{transport}/{encryption}: status {result.status_code} stdout {result.std_out!r}")
