#!/usr/bin/env python3
"""Every public function of include/rfnas.h has a binding with the right
types, every enum constant the frozen value, and the versions agree.

  1. the RFNAS_API declarations parsed from the header are exactly the
     functions of rfnas._capi.FUNCTIONS (nothing missing, nothing extra);
  2. each binding's argtypes count is the C parameter count, and each
     argtype and restype is the ctypes type the C type maps to
     (docs/python.md); the loaded functions carry them;
  3. the enum constants of _capi equal tests/abi/enums.txt, both ways;
  4. the binding's version, pyproject.toml's, meson's project version and
     the loaded library's agree; the import-time check refuses other
     versions, and a missing or foreign library is a clear ImportError;
  5. without RFNAS_LIBRARY the package finds the library in the meson
     build directory it sits under.

usage: test_capi.py RFNAS_H ENUMS_TXT PROJECT_VERSION PYPROJECT_TOML [FAKE_LIBRARY]
(FAKE_LIBRARY: a library whose rfnas_version_number() is the next minor)"""
import os
import re
import subprocess
import sys
from ctypes import POINTER, c_char, c_char_p, c_double, c_float, c_int, c_int32, c_int64, \
    c_size_t, c_uint8, c_uint32, c_uint64, c_void_p

import rfnas
from rfnas import _capi

HEADER, ENUMS_TXT, PROJECT_VERSION, PYPROJECT = sys.argv[1:5]
FAKE = sys.argv[5] if len(sys.argv) > 5 else None
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


# ---------------------------------------------------------------------------
# 1. The header's RFNAS_API declarations
# ---------------------------------------------------------------------------
def declarations(path):
    """[(name, return type, [parameter type text])] of every RFNAS_API
    declaration: comments and preprocessor lines blanked, statements split
    at ';'."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = "\n".join("" if line.lstrip().startswith("#") else line for line in text.split("\n"))
    out = []
    for stmt in text.split(";"):
        stmt = " ".join(stmt.split())
        i = stmt.find("RFNAS_API ")
        if i < 0:
            continue
        decl = stmt[i + len("RFNAS_API "):]
        m = re.match(r"(.*?)\b(rfnas_\w+)\s*\((.*)\)$", decl)
        if not m:
            fail("cannot parse declaration: " + decl)
            continue
        params = m.group(3).strip()
        types = []
        if params not in ("", "void"):
            for p in params.split(","):
                p = p.strip()
                # drop the parameter name (the last identifier)
                types.append(re.sub(r"\b\w+$", "", p).strip())
        out.append((m.group(2), m.group(1).strip(), types))
    return out


decls = declarations(HEADER)
with open(HEADER, encoding="utf-8") as f:
    raw_count = len(re.findall(r"^RFNAS_API\b", f.read(), flags=re.M))
if len(decls) != raw_count:
    fail("parsed %d declarations, but %d lines start with RFNAS_API" % (len(decls), raw_count))
header_names = [d[0] for d in decls]
missing = sorted(set(header_names) - set(_capi.FUNCTIONS))
extra = sorted(set(_capi.FUNCTIONS) - set(header_names))
for name in missing:
    fail("%s is declared in rfnas.h but has no binding in rfnas/_capi.py FUNCTIONS" % name)
for name in extra:
    fail("%s is bound in rfnas/_capi.py but not declared in rfnas.h" % name)
print("header: %d RFNAS_API functions; binding table: %d" % (len(decls), len(_capi.FUNCTIONS)))

# ---------------------------------------------------------------------------
# 2. Types
# ---------------------------------------------------------------------------
HANDLES = {"rfnas_ctx", "rfnas_config", "rfnas_dataset", "rfnas_iter", "rfnas_space",
           "rfnas_genotype", "rfnas_supernet", "rfnas_optimizer", "rfnas_checkpoint"}
ENUMS = {"rfnas_status", "rfnas_key", "rfnas_type", "rfnas_log_level", "rfnas_format",
         "rfnas_part", "rfnas_topology", "rfnas_cell_type", "rfnas_group", "rfnas_phase"}
CALLBACKS = {"rfnas_alloc_fn", "rfnas_free_fn", "rfnas_log_fn"}
SCALARS = {"int": c_int, "int32_t": c_int32, "int64_t": c_int64, "uint8_t": c_uint8,
           "uint32_t": c_uint32, "uint64_t": c_uint64, "size_t": c_size_t, "double": c_double,
           "float": c_float}


def expected_ctype(ctext):
    """The ctypes type a C type maps to (None for void)."""
    stars = ctext.count("*")
    words = ctext.replace("*", " ").split()
    const_base = words[:1] == ["const"]  # const applies to the pointed-to base type
    base = [w for w in words if w != "const"]
    if len(base) != 1:
        raise ValueError("unexpected C type %r" % ctext)
    base = base[0]
    if base in CALLBACKS and stars == 0:
        return getattr(_capi, base)
    if base == "void":
        return {0: None, 1: c_void_p}[stars]
    if base in HANDLES:
        return {1: c_void_p, 2: POINTER(c_void_p)}[stars]
    if base in ENUMS:
        return {0: c_int, 1: POINTER(c_int)}[stars]
    if base == "char":
        if stars == 1:
            # const char * is text in (bytes); char * a buffer the library writes
            return c_char_p if const_base else POINTER(c_char)
        return {2: POINTER(c_char_p)}[stars]
    t = SCALARS[base]
    for _ in range(stars):
        t = POINTER(t)
    return t


def show(t):
    return "None" if t is None else getattr(t, "__name__", repr(t))


checked = 0
for name, ret, params in decls:
    if name not in _capi.FUNCTIONS:
        continue
    restype, argtypes = _capi.FUNCTIONS[name]
    if len(argtypes) != len(params):
        fail("%s: %d argtypes for %d C parameters" % (name, len(argtypes), len(params)))
        continue
    try:
        want_ret = expected_ctype(ret)
        want_args = [expected_ctype(p) for p in params]
    except (ValueError, KeyError) as e:
        fail("%s: cannot map a C type: %s" % (name, e))
        continue
    if restype is not want_ret:
        fail("%s: restype %s, but C returns %s (%s)" % (name, show(restype), ret, show(want_ret)))
    for i, (got, want, ctext) in enumerate(zip(argtypes, want_args, params)):
        if got is not want:
            fail("%s: argument %d is %s, but the C parameter is %s (%s)"
                 % (name, i + 1, show(got), ctext, show(want)))
    fn = getattr(_capi, name, None)
    if fn is None or getattr(fn, "argtypes", None) != argtypes or fn.restype is not restype:
        fail("%s: the loaded function does not carry the table's argtypes/restype" % name)
    checked += 1
print("types: %d functions checked, parameter by parameter" % checked)

# ---------------------------------------------------------------------------
# 3. Enum constants
# ---------------------------------------------------------------------------
frozen = {}
with open(ENUMS_TXT) as f:
    for line in f:
        line = line.split("#")[0].split()
        if len(line) == 2:
            frozen[line[0]] = int(line[1])
ours = {k: v for k, v in vars(_capi).items() if re.match(r"RFNAS_[A-Z0-9_]+$", k)
        and isinstance(v, int) and k not in ("RFNAS_API",)}
for name, value in frozen.items():
    if name not in ours:
        fail("enum constant %s (%d) missing from rfnas/_capi.py" % (name, value))
    elif ours[name] != value:
        fail("enum constant %s is %d in _capi, %d in enums.txt" % (name, ours[name], value))
for name in sorted(set(ours) - set(frozen)):
    fail("_capi defines %s, which tests/abi/enums.txt does not know" % name)
print("enums: %d constants compared" % len(frozen))
# the Pythonic enums are the same numbers
assert rfnas.Group.ARCH == _capi.RFNAS_GROUP_ARCH and rfnas.Status.NOTFOUND == -10
assert rfnas.Key.ITER_BATCH == 500 and rfnas.key_name(rfnas.Key.ITER_BATCH) == "iter.batch"

# ---------------------------------------------------------------------------
# 4. Versions
# ---------------------------------------------------------------------------
with open(PYPROJECT) as f:
    m = re.search(r'^version\s*=\s*"([^"]+)"', f.read(), flags=re.M)
pyproject_version = m.group(1) if m else None
versions = {"meson project": PROJECT_VERSION, "pyproject.toml": pyproject_version,
            "rfnas.__version__": rfnas.__version__, "library": rfnas.version()}
if len(set(versions.values())) != 1:
    fail("versions disagree: %s" % versions)
major, minor, patch = (int(x) for x in PROJECT_VERSION.split("."))
if rfnas.version_number() != major * 10000 + minor * 100 + patch:
    fail("rfnas_version_number() = %d" % rfnas.version_number())
# the import-time check: same major.minor only while 0.x
V = _capi.VERSION
same = V[0] * 10000 + V[1] * 100
for number, ok in [(same, True), (same + 7, True), (same + 100, False), (same - 100, False),
                   (10000 + V[1] * 100, V[0] == 1), (990000, False)]:
    msg = _capi._version_error(number, "/x/librfnas.so")
    if (msg is None) != ok:
        fail("_version_error(%d) = %r" % (number, msg))
msg = _capi._version_error(same + 100, "/x/librfnas.so")
if not msg or "/x/librfnas.so" not in msg or ("%d.%d" % V[:2]) not in msg:
    fail("version mismatch message does not name the file and both versions: %r" % msg)


def import_in_child(env_changes):
    env = dict(os.environ)
    for k, v in env_changes.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return subprocess.run([sys.executable, "-c", "import rfnas; print(rfnas.library_path)"],
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=60)


p = import_in_child({"RFNAS_LIBRARY": "/nonexistent/librfnas.so"})
if p.returncode == 0 or "ImportError" not in p.stderr or "/nonexistent/librfnas.so" not in p.stderr:
    fail("a missing RFNAS_LIBRARY is not a clear ImportError: %s" % p.stderr[-500:])
if FAKE:
    p = import_in_child({"RFNAS_LIBRARY": FAKE})
    want = "%d.%d.x" % (V[0], V[1])
    if p.returncode == 0 or "ImportError" not in p.stderr or want not in p.stderr \
            or "%d.%d.0" % (V[0], V[1] + 1) not in p.stderr:
        fail("a library of the next minor version is not refused with both versions: %s"
             % p.stderr[-500:])
    else:
        print("next minor version refused: " + p.stderr.strip().splitlines()[-1])
p = import_in_child({"RFNAS_LIBRARY": "libz.so.1"})
if p.returncode == 0 or "not librfnas" not in p.stderr:
    fail("a foreign library is not refused: %s" % p.stderr[-500:])

# ---------------------------------------------------------------------------
# 5. The build-directory search
# ---------------------------------------------------------------------------
src = os.path.realpath(os.environ.get("RFNAS_SOURCE_ROOT", ""))
build = os.path.realpath(os.environ.get("RFNAS_BUILD_ROOT", ""))
# Only a build directory the lookup is documented to find (build*/ in the
# source tree) can be asserted; one named otherwise is found through the
# loader path meson sets, which section 4 already covers.
if src and build and os.path.dirname(build) == src \
        and os.path.basename(build).startswith("build"):
    p = import_in_child({"RFNAS_LIBRARY": None})
    found = p.stdout.strip()
    if p.returncode != 0:
        fail("without RFNAS_LIBRARY the import fails: %s" % p.stderr[-800:])
    elif not re.match(re.escape(src) + r"/build[^/]*/lib/librfnas\.so", found):
        fail("without RFNAS_LIBRARY it loaded %r, not a build*/lib/ library of %s" % (found, src))
    else:
        print("build-directory search found %s" % found)
else:
    print("build-directory search: skipped (the build directory is not directly under the "
          "source tree)")

if failures:
    print("%d failure(s)" % len(failures))
    sys.exit(1)
print("OK: %d functions bound with matching types, %d enum constants, version %s"
      % (len(decls), len(frozen), PROJECT_VERSION))
