#!/usr/bin/env python3
"""Exported symbols of the shared library (STYLE R8, R9, CI #3; curl test1167).

usage: check_exports.py --nm nm --lib librfnas.so.X.Y.Z --header include/rfnas.h
                        --map lib/rfnas.map

`nm -D --defined-only` must list only
  - version nodes named in lib/rfnas.map (RFNAS_0.1, ...), and
  - rfnas_* functions, none containing "__", each with a default version
    @@RFNAS_<node> from lib/rfnas.map;
and the exported functions must be exactly the RFNAS_API functions of
include/rfnas.h (a missing one and an extra one both fail).
"""
import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rfnas_header  # noqa: E402


def nm_dynamic(nm, lib):
    # binutils < 2.35 prints versions only with --with-symbol-versions; newer ones always do
    for extra in (["--with-symbol-versions"], []):
        p = subprocess.run([nm, "-D", "--defined-only"] + extra + [lib],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True)
        if p.returncode == 0:
            return p.stdout
    sys.exit("FAIL: %s -D --defined-only %s failed:\n%s" % (nm, lib, p.stderr))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nm", default="nm")
    ap.add_argument("--lib", required=True)
    ap.add_argument("--header", required=True)
    ap.add_argument("--map", required=True)
    a = ap.parse_args()

    with open(a.map, encoding="utf-8") as f:
        nodes = set(re.findall(r"^\s*(RFNAS_[0-9.]+)\s*\{", f.read(), re.M))
    if not nodes:
        print("FAIL: no RFNAS_<version> node in " + a.map)
        return 1
    declared = set(f.name for f in rfnas_header.Header(a.header).functions)

    errors = []
    exported = {}
    for line in nm_dynamic(a.nm, a.lib).splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        kind, sym = parts[-2], parts[-1]
        name, _, version = sym.partition("@")
        default = version.startswith("@")
        version = version.lstrip("@")
        if kind == "A" and name in nodes and not version:
            continue  # the version node itself
        if not re.match(r"^rfnas_[a-z0-9_]+$", name):
            errors.append("exported symbol outside the rfnas_* namespace: %s (%s)" % (sym, kind))
            continue
        if "__" in name:
            errors.append("internal symbol (contains '__') exported: %s" % sym)
        if not version:
            errors.append("unversioned export: %s (expected %s@@RFNAS_<x.y> from %s)"
                          % (sym, name, os.path.basename(a.map)))
        elif not default or version not in nodes:
            errors.append("%s: version must be a default (@@) node of %s: one of %s"
                          % (sym, os.path.basename(a.map), ", ".join(sorted(nodes))))
        if kind not in ("T", "W", "i"):
            errors.append("%s is exported as nm type '%s': only functions belong in the ABI"
                          % (sym, kind))
        exported[name] = sym

    missing = sorted(declared - set(exported))
    extra = sorted(set(exported) - declared)
    if missing:
        errors.append("declared with RFNAS_API in include/rfnas.h but not exported (%d):%s"
                      % (len(missing), "".join("\n      " + m for m in missing)))
    if extra:
        errors.append("exported but not declared with RFNAS_API in include/rfnas.h (%d); "
                      "declare them in the header, or make them static or rfnas__* "
                      "(hidden):%s" % (len(extra), "".join("\n      " + m for m in extra)))
    if errors:
        print("FAIL: exported symbols of %s:" % os.path.basename(a.lib))
        for e in errors:
            print("  " + e)
        return 1
    print("OK: %s exports exactly the %d RFNAS_API functions of rfnas.h, all @@%s"
          % (os.path.basename(a.lib), len(exported), "/@@".join(sorted(nodes))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
