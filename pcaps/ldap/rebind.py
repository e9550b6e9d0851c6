#!/usr/bin/env python3
"""A client for pcaps/ldap/make.sh: a SASL bind with an integrity layer only, then, on the same
connection and inside that layer, a search, a second bind and a search again.

Samba's own GSS-API code (python3-samba's gensec: the same library its tools bind with) does the
SASL mechanism, its tokens and the wrapping of every PDU after the bind (RFC 4422 §3.7: a
4-octet length and the wrapped buffer); ldap3 encodes and decodes the LDAP messages.

usage: rebind.py HOST MECH USER DOMAIN REALM PASSWORD BASE SECOND_DN SECOND_PASSWORD
  MECH: GSSAPI (Kerberos, RFC 4752) or GSS-SPNEGO
"""
import socket
import struct
import sys

from ldap3 import SASL, SIMPLE, BASE, SUBTREE, DEREF_NEVER
from ldap3.operation.bind import bind_operation
from ldap3.operation.search import search_operation
from ldap3.operation.unbind import unbind_operation
from ldap3.protocol.rfc4511 import LDAPMessage, MessageID, ProtocolOp
from ldap3.strategy.base import BaseStrategy
from ldap3.utils.asn1 import encode, decode_message_fast
from samba import credentials, gensec, param


class Connection:
    def __init__(self, host):
        self.sock = socket.create_connection((host, 389))
        self.next_id = 1
        self.security = None  # the gensec context once its layer is on

    def send(self, op_name, op):
        message = LDAPMessage()
        message['messageID'] = MessageID(self.next_id)
        message['protocolOp'] = ProtocolOp().setComponentByName(op_name, op)
        self.next_id += 1
        pdu = encode(message)
        if self.security is not None:
            wrapped = self.security.wrap(pdu)
            pdu = struct.pack('>I', len(wrapped)) + wrapped
        self.sock.sendall(pdu)

    def exact(self, n):
        data = b''
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise EOFError('the server closed the connection')
            data += chunk
        return data

    def receive(self):
        """The LDAP messages of the server's next PDU, decoded."""
        if self.security is not None:
            (length,) = struct.unpack('>I', self.exact(4))
            data = self.security.unwrap(self.exact(length))
        else:
            data = self.exact(2)
            size = BaseStrategy.compute_ldap_message_size(data)
            while size == -1:
                data += self.exact(1)
                size = BaseStrategy.compute_ldap_message_size(data)
            data += self.exact(size - len(data))
        messages = []
        while data:
            size = BaseStrategy.compute_ldap_message_size(data)
            messages.append(decode_message_fast(data[:size]))
            data = data[size:]
        return messages

    def until_done(self):
        """Messages until a search's done (5) or a bind response (1); the last one's result."""
        while True:
            for m in self.receive():
                if m['protocolOp'] in (1, 5):
                    payload = m['payload']
                    creds = next((bytes(r[3]) for r in payload[3:] if r[2] == 7), None)
                    return int(payload[0][3]), creds


def sasl_bind(conn, mech, creds, host):
    lp = param.LoadParm()
    lp.load_default()
    security = gensec.Security.start_client({'lp_ctx': lp, 'target_hostname': host})
    security.set_credentials(creds)
    security.set_target_service('ldap')
    security.set_target_hostname(host)
    security.want_feature(gensec.FEATURE_SIGN)
    security.start_mech_by_sasl_name(mech)
    finished, token = security.update(b'')
    while True:
        conn.send('bindRequest', bind_operation(3, SASL, '', None, mech, token))
        result, server_token = conn.until_done()
        print('bind', mech, result)
        if finished or result != 14:  # saslBindInProgress
            break
        finished, token = security.update(server_token or b'')
    assert result == 0, result
    if not finished:  # SPNEGO's last server token (its mechListMIC) completes the context
        finished, _ = security.update(server_token or b'')
    print('sign', security.have_feature(gensec.FEATURE_SIGN), 'seal', security.have_feature(gensec.FEATURE_SEAL))
    conn.security = security


def search(conn, base, flt):
    conn.send('searchRequest', search_operation(base, flt, SUBTREE, DEREF_NEVER, ['cn'], 0, 0, False, False, False))
    print('search', flt, conn.until_done()[0])


def main(host, mech, user, domain, realm, password, base, second_dn, second_password):
    lp = param.LoadParm()
    lp.load_default()
    creds = credentials.Credentials()
    creds.guess(lp)
    creds.set_username(user)
    creds.set_domain(domain)
    creds.set_realm(realm)
    creds.set_password(password)
    creds.set_kerberos_state(credentials.MUST_USE_KERBEROS if mech == 'GSSAPI' else credentials.DONT_USE_KERBEROS)
    conn = Connection(host)
    sasl_bind(conn, mech, creds, host)
    search(conn, base, '(sAMAccountName=%s)' % user)
    # the second bind travels inside the first bind's integrity layer
    conn.send('bindRequest', bind_operation(3, SIMPLE, second_dn, second_password))
    print('second bind', conn.until_done()[0])
    search(conn, base, '(sAMAccountName=%s)' % user)
    conn.send('unbindRequest', unbind_operation())
    conn.sock.close()


if __name__ == '__main__':
    main(*sys.argv[1:10])
