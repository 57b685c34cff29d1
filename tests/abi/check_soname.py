#!/usr/bin/env python3
"""SONAME of the shared library (STYLE R8, CI #4).

usage: check_soname.py --readelf readelf --lib librfnas.so.X.Y.Z --version X.Y.Z

While 0.x the ABI is promised within a minor release only: librfnas.so.0.<minor>.
From 1.0 on: librfnas.so.<major>.
"""
import argparse
import re
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--readelf", default="readelf")
    ap.add_argument("--lib", required=True)
    ap.add_argument("--version", required=True)
    a = ap.parse_args()

    major, minor = a.version.split(".")[:2]
    want = "librfnas.so.%s.%s" % (major, minor) if major == "0" else "librfnas.so." + major
    out = subprocess.run([a.readelf, "-d", a.lib], stdout=subprocess.PIPE,
                         universal_newlines=True, check=True).stdout
    got = re.findall(r"\(SONAME\)\s+Library soname: \[([^\]]*)\]", out)
    if got != [want]:
        print("FAIL: SONAME of %s is %s, expected %s for project version %s (STYLE R8: "
              "soversion '0.<minor>' while 0.x, '<major>' from 1.0)"
              % (a.lib, got[0] if got else "missing", want, a.version))
        return 1
    print("OK: SONAME %s (project version %s)" % (want, a.version))
    return 0


if __name__ == "__main__":
    sys.exit(main())
