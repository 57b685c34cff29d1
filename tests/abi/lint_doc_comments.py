#!/usr/bin/env python3
"""Doc-comment lint for the public header (STYLE R13, R8, CI #10).

usage: lint_doc_comments.py include/rfnas.h [PROJECT_VERSION]

Every RFNAS_API declaration must be directly preceded by a /** ... */ block
that has
  - a brief description (text before the first @-command);
  - @param (or @param[in]/[out]/[in,out]) for every parameter; several
    parameters may share one entry as "@param[out] mean,std";
  - @retval for at least one status if the function returns rfnas_status,
    @return if it returns any other non-void value;
  - "@par Thread safety" (R13: a line in every function's doc);
  - "@since MAJOR.MINOR", not newer than the project version (R8).
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rfnas_header  # noqa: E402


def vtuple(v):
    return tuple(int(x) for x in v.split(".")[:2])


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    path = sys.argv[1]
    project = sys.argv[2] if len(sys.argv) > 2 else None
    h = rfnas_header.Header(path)
    errors = []
    for f in h.functions:
        where = "%s:%d: %s" % (h.path, f.line, f.name)
        doc = h.doc_comment_before(f.offset)
        if doc is None:
            errors.append("%s: no /** ... */ doc comment directly before the declaration"
                          % where)
            continue
        body = re.sub(r"^\s*/?\*+/?", "", doc, flags=re.M)
        brief = body.split("@", 1)[0].strip()
        if not brief:
            errors.append("%s: the doc comment has no brief description" % where)
        documented = set()
        for m in re.finditer(r"@param(?:\[[a-z, ]*\])?\s+([A-Za-z_][\w]*(?:\s*,\s*[A-Za-z_]\w*)*)",
                             body):
            documented.update(x.strip() for x in m.group(1).split(","))
        for p in f.params:
            if p and p not in documented:
                errors.append("%s: parameter '%s' has no @param" % (where, p))
        for p in sorted(documented - set(f.params)):
            errors.append("%s: @param %s names no parameter of the declaration" % (where, p))
        if f.ret == "rfnas_status":
            if "@retval" not in body:
                errors.append("%s: returns rfnas_status but documents no @retval" % where)
        elif f.ret != "void" and not re.search(r"@returns?\b", body):
            errors.append("%s: returns %s but has no @return" % (where, f.ret))
        if not re.search(r"@par\s+Thread safety", body):
            errors.append("%s: no '@par Thread safety' line (STYLE R13)" % where)
        since = re.search(r"@since\s+(\d+\.\d+)\b", body)
        if not since:
            errors.append("%s: no '@since MAJOR.MINOR' (STYLE R8)" % where)
        elif project and vtuple(since.group(1)) > vtuple(project):
            errors.append("%s: @since %s is newer than the project version %s"
                          % (where, since.group(1), project))
    if errors:
        print("FAIL: doc comments in %s (STYLE R13; see any existing declaration for the "
              "form):" % h.path)
        for e in errors:
            print("  " + e)
        return 1
    print("OK: all %d RFNAS_API declarations have a brief, @param for each parameter, "
          "@retval/@return, '@par Thread safety' and @since" % len(h.functions))
    return 0


if __name__ == "__main__":
    sys.exit(main())
