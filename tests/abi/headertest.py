#!/usr/bin/env python3
"""headertest: compile the public header as C99/C11 or C++11 (STYLE R14, CI #1).

usage: headertest.py --lang c|c++ --std STD --source headertest.c
                     [--refs symbol_refs.c --header rfnas.h --nm nm]
                     -I DIR ... -- COMPILER [ARGS...]

C: compiles --source with -std=STD -pedantic -Wall -Wextra -Werror (plus
-Wstrict-prototypes -Wmissing-prototypes -Wundef).
C++: compiles --source as C++ the same way; with --refs it also compiles the
generated address-of-every-function file as C++ and checks with nm that every
reference is to the plain C name, i.e. that the header's extern "C" block
covers every RFNAS_API declaration.
Exit 77 (meson's "skipped") when no compiler was given for the language.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rfnas_header  # noqa: E402

WARN = ["-pedantic", "-Wall", "-Wextra", "-Werror"]
C_EXTRA = ["-Wstrict-prototypes", "-Wmissing-prototypes", "-Wundef"]


def compile_one(cmd, what):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    if p.returncode != 0:
        print("FAIL: %s\n  command: %s\n%s" % (what, " ".join(cmd), p.stdout))
        return False
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lang", choices=["c", "c++"], required=True)
    ap.add_argument("--std", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--refs")
    ap.add_argument("--header")
    ap.add_argument("--nm", default="nm")
    ap.add_argument("-I", dest="incs", action="append", default=[])
    ap.add_argument("compiler", nargs="*")
    a = ap.parse_args()

    if not a.compiler:
        print("SKIP: no %s compiler was found by meson; install g++ (or clang++) to run the "
              "C++ headertest" % a.lang)
        return 77

    incs = ["-I" + d for d in a.incs]
    flags = ["-x", a.lang, "-std=" + a.std] + WARN + (C_EXTRA if a.lang == "c" else [])
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        obj = os.path.join(tmp, "headertest.o")
        ok &= compile_one(a.compiler + flags + incs + ["-c", a.source, "-o", obj],
                          "include/rfnas.h does not compile cleanly as %s -std=%s with %s"
                          % (a.lang.upper(), a.std, os.path.basename(a.compiler[0])))
        if a.refs:
            refs_obj = os.path.join(tmp, "refs.o")
            if compile_one(a.compiler + flags + incs + ["-c", a.refs, "-o", refs_obj],
                           "the address-of-every-function file does not compile as %s"
                           % a.lang.upper()):
                ok &= check_c_linkage(a, refs_obj)
            else:
                ok = False
    if ok:
        print("OK: include/rfnas.h compiles as %s -std=%s %s with %s%s"
              % (a.lang.upper(), a.std, " ".join(WARN), os.path.basename(a.compiler[0]),
                 " and every RFNAS_API function has C linkage" if a.refs else ""))
    return 0 if ok else 1


def check_c_linkage(a, obj):
    header = rfnas_header.Header(a.header)
    want = set(f.name for f in header.functions)
    out = subprocess.run([a.nm, "-u", obj], stdout=subprocess.PIPE,
                         universal_newlines=True, check=True).stdout
    undefined = set(line.split()[-1] for line in out.splitlines() if line.strip())
    mangled = sorted(s for s in undefined if s.startswith("_Z") and "rfnas" in s)
    missing = sorted(want - undefined)
    if mangled or missing:
        print("FAIL: compiled as C++, these RFNAS_API functions get C++ linkage (name "
              "mangling): the extern \"C\" block in include/rfnas.h must enclose every "
              "declaration")
        for s in mangled:
            print("  mangled reference: " + s)
        for s in missing:
            print("  no plain C reference to: " + s)
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
