#!/usr/bin/env python3
"""docs/symbols-in-versions is in sync with the public headers (STYLE R8, CI #5;
curl's docs/libcurl/symbols-in-versions and test1119).

usage: check_symbols_in_versions.py docs/symbols-in-versions include/rfnas.h
                                    build/include/rfnas_version.h PROJECT_VERSION

Each non-comment line is "NAME INTRODUCED [DEPRECATED [LAST]]" (use "-" for
an empty DEPRECATED when only LAST is given). The public names are every
RFNAS_API function, enum constant, typedef and (non-guard) macro of rfnas.h
and rfnas_version.h. Fails when
  - a public name is not listed (the message gives the line to add);
  - a listed name without LAST is not in the headers (removed names keep
    their line and get a LAST version);
  - a name with LAST is still in the headers, or is listed twice;
  - a version is not MAJOR.MINOR.PATCH or is newer than the project;
  - a function's "@since X.Y" in rfnas.h disagrees with its INTRODUCED.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rfnas_header  # noqa: E402

VERSION = re.compile(r"^\d+\.\d+\.\d+$")


def public_names(header, version_header):
    h = rfnas_header.Header(header)
    v = rfnas_header.Header(version_header)
    names = {}
    for f in h.functions:
        names[f.name] = "function"
    for name, _tag, _line in h.enum_constants():
        names[name] = "enum constant"
    for name, _line in h.typedefs:
        names[name] = "type"
    for hdr in (h, v):
        for name, _line, _fn in hdr.macros:
            names[name] = "macro"
    return h, names


def vtuple(v):
    return tuple(int(x) for x in v.split("."))


def main():
    if len(sys.argv) != 5:
        print(__doc__)
        return 2
    listing, header, version_header, project = sys.argv[1:]
    h, names = public_names(header, version_header)
    errors = []
    listed = {}
    shown = rfnas_header.show(listing)
    with open(listing, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            text = line.split("#", 1)[0].strip()
            if not text or text.startswith("Name "):
                continue
            parts = text.split()
            where = "%s:%d" % (shown, n)
            if len(parts) < 2 or len(parts) > 4:
                errors.append("%s: expected 'NAME INTRODUCED [DEPRECATED [LAST]]'" % where)
                continue
            name, versions = parts[0], parts[1:]
            for ver in versions:
                if ver != "-" and not VERSION.match(ver):
                    errors.append("%s: %s: '%s' is not MAJOR.MINOR.PATCH" % (where, name, ver))
                elif ver != "-" and vtuple(ver) > vtuple(project):
                    errors.append("%s: %s: version %s is newer than the project (%s)"
                                  % (where, name, ver, project))
            if name in listed:
                errors.append("%s: %s listed twice" % (where, name))
            removed = len(versions) == 3
            listed[name] = (versions[0], removed, where)
            if removed and name in names:
                errors.append("%s: %s has a LAST version but is still in the headers"
                              % (where, name))
            if not removed and name not in names:
                errors.append("%s: %s is listed but is not in include/rfnas.h or "
                              "rfnas_version.h; if it was removed, add the last release that "
                              "had it as a fourth column" % (where, name))
    missing = sorted(n for n in names if n not in listed)
    if missing:
        errors.append("public name(s) missing from %s; add these lines:\n%s"
                      % (shown, "\n".join("      %-40s %s    (%s)"
                                            % (n, project, names[n]) for n in missing)))
    for f in h.functions:
        if f.name not in listed:
            continue
        doc = h.doc_comment_before(f.offset) or ""
        since = re.search(r"@since\s+(\d+\.\d+)", doc)
        intro = listed[f.name][0]
        if since and VERSION.match(intro) and \
                vtuple(since.group(1)) != vtuple(intro)[:2]:
            errors.append("%s: %s: @since %s in rfnas.h but introduced in %s here"
                          % (listed[f.name][2], f.name, since.group(1), intro))
    if errors:
        print("FAIL: %s is out of sync with the public headers:" % shown)
        for e in errors:
            print("  " + e)
        return 1
    print("OK: %s lists all %d public names of rfnas.h and rfnas_version.h, nothing extra"
          % (shown, len(names)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
