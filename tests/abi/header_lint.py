#!/usr/bin/env python3
"""header_lint: textual rules for the public headers (STYLE R1, R2, R6, R14).

usage: header_lint.py include/rfnas.h build/include/rfnas_version.h

Fails when a public header
  - includes anything but <stddef.h>, <stdint.h> and "rfnas_version.h" (R14);
  - defines a struct or union layout (R2: handles are opaque);
  - uses `static` or `inline` (R14: no static inline API);
  - declares a type, tag or function whose name ends in _t (R1, POSIX reserves it);
  - declares a function without RFNAS_API, or a variadic one (R6, R9);
  - defines a function-like RFNAS_* macro (R14: no macros as API);
  - uses `long` (R14: fixed-width types only);
  - names something outside the rfnas_ / RFNAS_ namespaces (R1).
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rfnas_header  # noqa: E402

ALLOWED_INCLUDES = {"<stddef.h>", "<stdint.h>", '"rfnas_version.h"'}


def lint(path, errors):
    h = rfnas_header.Header(path)
    name = os.path.basename(path)

    def err(line, msg):
        errors.append("%s:%d: %s" % (h.path, line, msg))

    for line, inc in h.includes():
        if inc not in ALLOWED_INCLUDES:
            err(line, "#include %s: a public header may include only %s (STYLE R14)"
                % (inc, ", ".join(sorted(ALLOWED_INCLUDES))))
    for m in re.finditer(r"\b(struct|union)\s*(\w*)\s*\{", h.code):
        err(rfnas_header.line_of(h.text, m.start()),
            "'%s' defines a layout in a public header; handles must stay opaque "
            "(typedef struct rfnas_x rfnas_x;, STYLE R2)" % " ".join(m.group(0).split()))
    for m in re.finditer(r"\b(static|inline|__inline__|__inline)\b", h.code):
        err(rfnas_header.line_of(h.text, m.start()),
            "'%s' in a public header: no static inline functions as API (STYLE R14)"
            % m.group(1))
    for m in re.finditer(r"\blong\b", h.code):
        err(rfnas_header.line_of(h.text, m.start()),
            "'long' in a public header: use fixed-width types (STYLE R14)")
    for tname, line in h.typedefs:
        if tname.endswith("_t"):
            err(line, "typedef %s: no _t suffix, POSIX reserves it (STYLE R1)" % tname)
        if not tname.startswith("rfnas_"):
            err(line, "typedef %s: public types are named rfnas_<noun> (STYLE R1)" % tname)
    for tag in h.tags():
        if tag.endswith("_t"):
            err(1, "tag %s: no _t suffix (STYLE R1)" % tag)
        if not tag.startswith("rfnas_"):
            err(1, "tag %s: public tags are named rfnas_<noun> (STYLE R1)" % tag)
    for cname, tag, line in h.enum_constants():
        if not cname.startswith("RFNAS_"):
            err(line, "enum constant %s: constants are named RFNAS_* (STYLE R1)" % cname)
    for mname, line, fnlike in h.macros:
        if not mname.startswith("RFNAS_"):
            err(line, "macro %s: macros are named RFNAS_* (STYLE R1)" % mname)
        if fnlike:
            err(line, "macro %s(...) is function-like: no macros as API entry points "
                "(STYLE R14)" % mname)
    for line, decl in h.undecorated_functions():
        err(line, "function declared without RFNAS_API: %s (STYLE R9)" % decl)
    for f in h.functions:
        if not f.name.startswith("rfnas_") or f.name.endswith("_t"):
            err(f.line, "function %s: public functions are rfnas_<object>_<verb> (STYLE R1)"
                % f.name)
        if "..." in f.decl:
            err(f.line, "function %s is variadic: no varargs in the API (STYLE R6)" % f.name)
        if "__" in f.name:
            err(f.line, "function %s: '__' marks internal names (rfnas__*)" % f.name)
    return name


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    errors = []
    for path in sys.argv[1:]:
        lint(path, errors)
    if errors:
        print("FAIL: public header lint (see STYLE.md):")
        for e in errors:
            print("  " + e)
        return 1
    print("OK: %s: only <stddef.h>, <stdint.h>, rfnas_version.h; no struct layouts, "
          "static/inline, long, _t names, varargs or function-like macros"
          % ", ".join(rfnas_header.show(p) for p in sys.argv[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
