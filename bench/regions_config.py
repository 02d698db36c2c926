#!/usr/bin/python3
"""Writes a configuration for one scenario of bench/deliver-regions.sh to
stdout: the e2e fixture's iotreg.xml with its journal named after the
scenario, the CSP account serving the given regions, more CSP accounts
(NAME:ACCOUNT:KEY, each in us-east-1, its secret in T/NAME.secret) and the
SubCA registered in the given ones.

usage: regions_config.py XML SCENARIO REGIONS ACCOUNTS T URL [NAME:ACCOUNT:KEY ...]"""

import sys


def main():
    if len(sys.argv) < 7:
        sys.exit(__doc__)
    xml, scenario, regions, accounts, t, url = sys.argv[1:7]
    s = open(xml).read()
    s = s.replace('<sqlite path="%s/journal.db"/>' % t,
                  '<sqlite path="%s/journal-%s.db"/>' % (t, scenario))
    s = s.replace("<region>us-east-1</region>\n      <credentials>",
                  "".join("<region>%s</region>\n      " % r for r in regions.split(","))
                  + "<credentials>", 1)
    extra = ""
    for spec in sys.argv[7:]:
        name, account, key = spec.split(":")
        extra += ('    <csp-account name="%s">\n      <account-id>%s</account-id>\n'
                  '      <region>us-east-1</region>\n'
                  '      <credentials><access-key id="%s" secret-file="%s/%s.secret"/>'
                  '</credentials>\n      <endpoint>%s</endpoint>\n'
                  '      <allow-http>true</allow-http>\n    </csp-account>\n'
                  % (name, account, key, t, name, url))
    s = s.replace("  </csp-accounts>", extra + "  </csp-accounts>", 1)
    s = s.replace("<csp-account>csp</csp-account>",
                  "".join("<csp-account>%s</csp-account>" % a for a in accounts.split(",")), 1)
    sys.stdout.write(s)


if __name__ == "__main__":
    main()
