#!/usr/bin/env python3
"""Self-test of the ABI checks: each one must FAIL on a broken input.

usage: selftest.py --header include/rfnas.h --version-header build/include/rfnas_version.h
                   --symbols docs/symbols-in-versions --enums tests/abi/enums.txt
                   --map lib/rfnas.map --lib librfnas.so.X.Y.Z --version X.Y.Z
                   --test-version tests/abi/test_version.c --headertest tests/abi/headertest.c
                   [--cxx CXX] [--nm nm] [--readelf readelf] [--sanitize S] -- CC [ARGS...]

Copies the public header into a temporary directory, breaks it in one way
at a time (a C11-only construct, a stray #include, a struct layout, a
missing @since, a renumbered status, a missing extern "C", a declared but
unimplemented function, ...), builds fake shared libraries with wrong
exports and a wrong SONAME, and runs every checker of this directory on each
broken input. A checker that passes a broken input fails this test. The
mutations are found in the header by pattern, not by a list of functions;
only frozen names (RFNAS_OK, RFNAS_END, RFNAS_E_NOMEM) are named.
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import rfnas_header  # noqa: E402

PY = sys.executable


def run(cmd, env=None):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, env=env)
    return p.returncode, p.stdout


class SelfTest:
    def __init__(self, a, tmp):
        self.a = a
        self.tmp = tmp
        self.failures = []
        self.count = 0
        with open(a.header, encoding="utf-8") as f:
            self.header = f.read()
        self.san = [] if a.sanitize in ("", "none") else ["-fsanitize=" + a.sanitize]

    # -- helpers -----------------------------------------------------------
    def variant(self, name, text):
        d = os.path.join(self.tmp, name, "include")
        os.makedirs(d)
        shutil.copy(self.a.version_header, d)
        path = os.path.join(d, "rfnas.h")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def expect_fail(self, what, cmd, needle, env=None):
        self.count += 1
        rc, out = run(cmd, env)
        if rc == 0 or rc == 77 or needle not in out:
            self.failures.append("%s: the check did not fail as expected (exit %d, wanted "
                                 "message containing %r)\n    %s\n%s"
                                 % (what, rc, needle, " ".join(cmd), out))
        else:
            print("ok: %s -> caught (%s)" % (what, needle))

    def expect_pass(self, what, cmd, env=None):
        self.count += 1
        rc, out = run(cmd, env)
        if rc != 0:
            self.failures.append("%s: the check fails on the unmodified input\n%s" % (what, out))
        else:
            print("ok: %s -> passes on the real input" % what)

    def sub(self, pattern, repl, text=None, count=1, flags=0):
        text = self.header if text is None else text
        new, n = re.subn(pattern, repl, text, count=count, flags=flags)
        if n == 0:
            raise SystemExit("selftest: pattern %r not found in the header; update selftest.py"
                             % pattern)
        return new

    def before_first_api(self, insert):
        i = self.header.index("RFNAS_API", self.header.index("extern \"C\""))
        # put it before the doc comment of the first declaration
        j = self.header.rfind("/**", 0, i)
        return self.header[:j] + insert + "\n" + self.header[j:]

    def script(self, name):
        return [PY, os.path.join(HERE, name)]

    # -- the cases ----------------------------------------------------------
    def headertest(self):
        cc = self.a.compiler
        base = self.script("headertest.py") + ["--source", self.a.headertest]
        c11only = self.variant("c11only", self.before_first_api(
            "RFNAS_API _Noreturn void rfnas_selftest_noreturn(void);"))
        self.expect_fail("headertest C99 on a C11-only construct",
                         base + ["--lang", "c", "--std", "c99", "-I", os.path.dirname(c11only),
                                 "--"] + cc, "does not compile cleanly as C -std=c99")
        noproto = self.variant("noproto", self.before_first_api(
            "RFNAS_API int rfnas_selftest_noproto();"))
        self.expect_fail("headertest C11 on a declaration without a prototype",
                         base + ["--lang", "c", "--std", "c11", "-I", os.path.dirname(noproto),
                                 "--"] + cc, "does not compile cleanly as C -std=c11")
        if self.a.cxx:
            nocxx = self.sub(r'#ifdef __cplusplus\s*\nextern "C" \{\s*\n#endif', "")
            nocxx = self.sub(r'#ifdef __cplusplus\s*\n\}\s*\n#endif', "", nocxx)
            nocxx = self.variant("noexternc", nocxx)
            refs = os.path.join(self.tmp, "noexternc", "refs.c")
            run(self.script("gen_symbol_refs.py") + [nocxx, refs])
            self.expect_fail("headertest C++ without extern \"C\"",
                             base + ["--lang", "c++", "--std", "c++11", "--refs", refs,
                                     "--header", nocxx, "--nm", self.a.nm,
                                     "-I", os.path.dirname(nocxx), "--"] + shlex.split(self.a.cxx),
                             "get C++ linkage")
        else:
            print("skip: no C++ compiler, the extern \"C\" mutation is not run")

    def header_lint(self):
        lint = self.script("header_lint.py")
        cases = [
            ("a stray #include", self.sub(r"#include <stdint.h>", "#include <stdint.h>\n#include <stdio.h>"),
             "#include <stdio.h>"),
            ("a struct layout", self.before_first_api("struct rfnas_selftest { int x; };"),
             "defines a layout"),
            ("a static inline function", self.before_first_api(
                "static inline int rfnas_selftest_inline(void) { return 0; }"), "'static'"),
            ("a _t typedef", self.before_first_api("typedef int rfnas_selftest_t;"),
             "no _t suffix"),
            ("a declaration without RFNAS_API", self.before_first_api(
                "int rfnas_selftest_plain(void);"), "without RFNAS_API"),
            ("a function-like macro", self.before_first_api(
                "#define RFNAS_SELFTEST(x) (x)"), "function-like"),
        ]
        for i, (what, text, needle) in enumerate(cases):
            path = self.variant("lint%d" % i, text)
            self.expect_fail("header-lint on " + what, lint + [path], needle)

    def doc_comments(self):
        lint = self.script("lint_doc_comments.py")
        h = rfnas_header.Header(self.a.header)
        status_fn = next(f for f in h.functions if f.ret == "rfnas_status")
        doc = h.doc_comment_before(status_fn.offset)
        no_retval = self.header.replace(doc, re.sub(r"@retval[^@]*", "", doc), 1)
        first = h.functions[0]
        undocumented = self.header[:first.offset] + "RFNAS_API void rfnas_selftest_nodoc(void);\n" \
            + self.header[first.offset:]
        cases = [
            ("a missing @since", self.sub(r"@since", "@sinse"), "no '@since"),
            ("a missing thread-safety line", self.sub(r"@par Thread safety", "@par Threads"),
             "Thread safety"),
            ("a status function without @retval", no_retval, "no @retval"),
            ("an undocumented declaration", undocumented, "no /** ... */ doc comment"),
            ("an undocumented parameter", self.sub(r"@param(\[\w+\])?\s+\w+", "@param"),
             "has no @param"),
        ]
        for i, (what, text, needle) in enumerate(cases):
            path = self.variant("doc%d" % i, text)
            self.expect_fail("doc-comments on " + what, lint + [path, self.a.version], needle)

    def symbols_in_versions(self):
        chk = self.script("check_symbols_in_versions.py")
        extra = self.variant("siv", self.before_first_api(
            "/** Selftest. @par Thread safety Any. @since 0.1 */\n"
            "RFNAS_API void rfnas_selftest_new(void);"))
        self.expect_fail("symbols-in-versions on a new function",
                         chk + [self.a.symbols, extra, self.a.version_header, self.a.version],
                         "rfnas_selftest_new")
        listing = os.path.join(self.tmp, "symbols-in-versions")
        with open(self.a.symbols, encoding="utf-8") as f:
            text = f.read()
        with open(listing, "w", encoding="utf-8") as f:
            f.write(text + "rfnas_selftest_gone                   0.1.0\n")
        self.expect_fail("symbols-in-versions on a listed name not in the header",
                         chk + [listing, self.a.header, self.a.version_header, self.a.version],
                         "rfnas_selftest_gone is listed")

    def enums(self):
        cases = [
            ("a renumbered status", self.sub(r"RFNAS_E_NOMEM\s*=\s*-2\b", "RFNAS_E_NOMEM = -12"),
             "RFNAS_E_NOMEM changed value"),
            ("a removed constant", self.sub(r"RFNAS_END\s*=\s*1\s*,", ""),
             "RFNAS_END = 1 is frozen"),
            ("a new constant", self.sub(r"(RFNAS_OK\s*=\s*0\s*,)", r"\1 RFNAS_E_SELFTEST = -99,"),
             "append these lines"),
        ]
        for i, (what, text, needle) in enumerate(cases):
            path = self.variant("enum%d" % i, text)
            src = os.path.join(self.tmp, "enum%d" % i, "dump.c")
            exe = os.path.join(self.tmp, "enum%d" % i, "dump")
            run(self.script("gen_enum_dump.py") + [path, src])
            rc, out = run(self.a.compiler + ["-I", os.path.dirname(path), src, "-o", exe]
                          + self.san)
            if rc != 0:
                self.failures.append("enums: cannot build the dump program:\n" + out)
                continue
            self.expect_fail("enums on " + what,
                             self.script("check_enums.py") + [exe, self.a.enums], needle)

    def symbol_refs(self):
        path = self.variant("refs", self.before_first_api(
            "RFNAS_API void rfnas_selftest_unimplemented(void);"))
        refs = os.path.join(self.tmp, "refs", "refs.c")
        run(self.script("gen_symbol_refs.py") + [path, refs])
        self.expect_fail("symbol-refs on a declared but unimplemented function",
                         self.script("check_symbol_refs.py")
                         + ["--refs", refs, "--lib", self.a.lib, "--sanitize", self.a.sanitize,
                            "-I", os.path.dirname(path), "--"] + self.a.compiler,
                         "rfnas_selftest_unimplemented")

    def fake_lib(self, name, code, soname, map_text=None):
        d = os.path.join(self.tmp, name)
        os.makedirs(d, exist_ok=True)
        src = os.path.join(d, "fake.c")
        with open(src, "w", encoding="utf-8") as f:
            f.write(code)
        lib = os.path.join(d, soname + ".0")
        cmd = self.a.compiler + ["-shared", "-fPIC", src, "-o", lib, "-Wl,-soname," + soname]
        if map_text:
            m = os.path.join(d, "fake.map")
            with open(m, "w", encoding="utf-8") as f:
                f.write(map_text)
            cmd.append("-Wl,--version-script=" + m)
        rc, out = run(cmd)
        if rc != 0:
            raise SystemExit("selftest: cannot build a fake library:\n" + out)
        return lib

    def exports(self):
        h = rfnas_header.Header(self.a.header)
        defs = "".join("void %s(void); void %s(void) {}\n" % (f.name, f.name)
                       for f in h.functions)
        with open(self.a.map, encoding="utf-8") as f:
            real_map = f.read()
        chk = self.script("check_exports.py") + ["--nm", self.a.nm, "--header", self.a.header,
                                                  "--map", self.a.map, "--lib"]
        good = self.fake_lib("exp_good", defs, "librfnas.so.0.1", real_map)
        self.expect_pass("exports on a fake library with exactly the header's functions",
                         chk + [good])
        cases = [
            ("a leaked non-rfnas symbol", defs + "int dnnl_leak(void); int dnnl_leak(void) { return 0; }\n",
             real_map.replace("rfnas_*;", "rfnas_*; dnnl_leak;"), "outside the rfnas_* namespace"),
            ("an exported internal rfnas__ symbol",
             defs + "void rfnas__internal(void); void rfnas__internal(void) {}\n", real_map,
             "contains '__'"),
            ("a missing function", "".join("void %s(void); void %s(void) {}\n" % (f.name, f.name)
                                           for f in h.functions[1:]), real_map,
             "but not exported"),
            ("an undeclared extra function",
             defs + "void rfnas_selftest_extra(void); void rfnas_selftest_extra(void) {}\n",
             real_map, "exported but not declared"),
            ("unversioned symbols (no version script)", defs, None, "unversioned export"),
        ]
        for i, (what, code, map_text, needle) in enumerate(cases):
            lib = self.fake_lib("exp%d" % i, code, "librfnas.so.0.1", map_text)
            self.expect_fail("exports on " + what, chk + [lib], needle)

    def soname(self):
        lib = self.fake_lib("soname", "int rfnas_x(void); int rfnas_x(void) { return 0; }\n",
                            "librfnas.so.0")
        self.expect_fail("soname on librfnas.so.0",
                         self.script("check_soname.py") + ["--readelf", self.a.readelf, "--lib",
                                                           lib, "--version", self.a.version],
                         "expected librfnas.so.")

    def runtime_version(self):
        d = os.path.join(self.tmp, "version")
        os.makedirs(d)
        exe = os.path.join(d, "version")
        major, minor, patch = self.a.version.split(".")
        wrong = "%s.%s.%d" % (major, minor, int(patch) + 1)
        libdir = os.path.dirname(os.path.abspath(self.a.lib))
        rc, out = run(self.a.compiler + self.san + [
            "-std=c11", "-I", os.path.dirname(self.a.header),
            "-I", os.path.dirname(self.a.version_header),
            '-DRFNAS_ABI_PROJECT_VERSION="%s"' % wrong, self.a.test_version, "-o", exe,
            os.path.abspath(self.a.lib), "-Wl,-rpath," + libdir])
        if rc != 0:
            self.failures.append("runtime-version: cannot build test_version.c:\n" + out)
            return
        self.expect_fail("runtime-version against project version " + wrong, [exe],
                         "meson's project version is \"%s\"" % wrong)


def main():
    ap = argparse.ArgumentParser()
    for opt in ("header", "version-header", "symbols", "enums", "map", "lib", "version",
                "test-version", "headertest"):
        ap.add_argument("--" + opt, required=True)
    ap.add_argument("--cxx", default="")
    ap.add_argument("--nm", default="nm")
    ap.add_argument("--readelf", default="readelf")
    ap.add_argument("--sanitize", default="none")
    ap.add_argument("compiler", nargs="+")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t = SelfTest(a, tmp)
        for case in (t.headertest, t.header_lint, t.doc_comments, t.symbols_in_versions,
                     t.enums, t.symbol_refs, t.exports, t.soname, t.runtime_version):
            case()
    if t.failures:
        print("FAIL: %d of %d self-test cases: a check passed a broken input"
              % (len(t.failures), t.count))
        for f in t.failures:
            print("  " + f)
        return 1
    print("OK: every ABI check failed on each of its %d broken inputs" % t.count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
