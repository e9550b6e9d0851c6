#!/usr/bin/env python3
"""ldap3 clients for pcaps/ldap/make.sh: simple binds in clear, and failed ones.

usage: binds.py SERVER simple USER_DN PASSWORD
       binds.py SERVER failures USER_DN WRONG_PASSWORD COUNT OTHER_DN...
"""
import sys

from ldap3 import ALL, Connection, Server


def simple(server, dn, password):
    # An anonymous bind reads the root DSE, then a simple bind as the user searches and unbinds.
    srv = Server(server, port=389, get_info=ALL)
    anon = Connection(srv, auto_bind=True)
    anon.unbind()
    conn = Connection(srv, user=dn, password=password)
    print('simple bind:', conn.bind(), conn.result['description'])
    conn.search('dc=hardwire,dc=test', '(sAMAccountName=alice)', attributes=['cn'])
    conn.unbind()


def failures(server, dn, wrong, count, others):
    # COUNT binds with a wrong password on one connection (a brute force), then one wrong bind
    # per other account, each on its own connection (a spray).
    srv = Server(server, port=389)
    conn = Connection(srv, user=dn, password=wrong)
    for _ in range(count):
        print('bind', dn, conn.bind(), conn.result['description'])
    conn.unbind()
    for other in others:
        c = Connection(srv, user=other, password=wrong)
        print('bind', other, c.bind(), c.result['description'])
        c.unbind()


if __name__ == '__main__':
    server, mode = sys.argv[1], sys.argv[2]
    if mode == 'simple':
        simple(server, sys.argv[3], sys.argv[4])
    else:
        failures(server, sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6:])
