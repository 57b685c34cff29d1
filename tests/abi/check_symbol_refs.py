#!/usr/bin/env python3
"""Link the generated address-of-every-function program against the SHARED
library and run it (STYLE R9, CI #2).

usage: check_symbol_refs.py --refs symbol_refs.c --lib librfnas.so.X.Y.Z
                            [--sanitize address,undefined] -I DIR ... -- CC [ARGS...]

A function declared with RFNAS_API in include/rfnas.h but missing from (or
hidden in) librfnas.so makes the link fail; every such name is listed.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--refs", required=True)
    ap.add_argument("--lib", required=True)
    ap.add_argument("--sanitize", default="none")
    ap.add_argument("-I", dest="incs", action="append", default=[])
    ap.add_argument("compiler", nargs="+")
    a = ap.parse_args()

    san = [] if a.sanitize in ("", "none") else ["-fsanitize=" + a.sanitize]
    libdir = os.path.dirname(os.path.abspath(a.lib))
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "symbol_refs")
        cmd = (a.compiler + ["-std=c11", "-pedantic", "-Wall", "-Wextra", "-Werror"] + san
               + ["-I" + d for d in a.incs] + [a.refs, "-o", exe, os.path.abspath(a.lib),
                                                 "-Wl,-rpath," + libdir])
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True)
        if p.returncode != 0:
            missing = sorted(set(re.findall(r"undefined reference to [`'\"]?(rfnas_\w+)",
                                            p.stdout)))
            if missing:
                print("FAIL: %d function(s) declared with RFNAS_API in include/rfnas.h are "
                      "not exported by %s:" % (len(missing), os.path.basename(a.lib)))
                for m in missing:
                    print("  " + m)
                print("Implement them (with RFNAS_API on the definition's declaration), or "
                      "remove them from the header.")
            else:
                print("FAIL: could not build the address-of-every-function program")
            print("\n  command: %s\n%s" % (" ".join(cmd), p.stdout))
            return 1
        env = dict(os.environ)
        env["LD_LIBRARY_PATH"] = libdir + os.pathsep + env.get("LD_LIBRARY_PATH", "")
        p = subprocess.run([exe], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True, env=env)
        sys.stdout.write(p.stdout)
        if p.returncode != 0:
            print("FAIL: the address-of-every-function program exited with %d" % p.returncode)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
