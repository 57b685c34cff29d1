"""A minimal PEP 517 (and PEP 660) build backend for the rfnas package.

The package is pure Python (ctypes), so a wheel is a zip file of rfnas/*.py
plus a .dist-info directory (PEP 427, PEP 376 RECORD, core metadata 2.1),
and an sdist a tar.gz of this directory. Writing them here with zipfile and
tarfile keeps `pip install ./bindings/python` free of setuptools and wheel
and of any download: pyproject.toml names this module with backend-path and
requires nothing, so pip's isolated build environment stays empty.

Standard library only; Python 3.8 and later (tomllib when it exists, else a
reader of the small TOML subset pyproject.toml uses).
"""

import ast
import base64
import hashlib
import io
import os
import re
import tarfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "rfnas"
TAG = "py3-none-any"


# ---------------------------------------------------------------------------
# pyproject.toml
# ---------------------------------------------------------------------------
def _read_toml_subset(text):
    """Tables, and `key = value` with strings, lists of strings (over
    several lines) and one-level inline tables of strings: all that
    pyproject.toml here uses, for Pythons without tomllib."""
    data, table = {}, {}
    data_root = data
    pending = None
    for line in text.splitlines():
        stripped = line.strip()
        if pending is not None:
            pending[1].append(line)
            if stripped.endswith("]"):
                table[pending[0]] = ast.literal_eval("\n".join(pending[1]))
                pending = None
            continue
        if not stripped or stripped.startswith("#"):
            continue
        m = re.match(r"\[([A-Za-z0-9_.-]+)\]$", stripped)
        if m:
            table = data_root
            for part in m.group(1).split("."):
                table = table.setdefault(part, {})
            continue
        m = re.match(r"([A-Za-z0-9_-]+)\s*=\s*(.*)$", stripped)
        if not m:
            raise ValueError("pyproject.toml: cannot read %r" % line)
        key, value = m.group(1), m.group(2)
        if value.startswith("{"):
            table[key] = {k: ast.literal_eval(v) for k, v in
                          re.findall(r"([A-Za-z0-9_-]+)\s*=\s*(\"[^\"]*\")", value)}
        elif value.startswith("[") and not value.endswith("]"):
            pending = (key, [value])
        else:
            table[key] = ast.literal_eval(value)
    return data


def _project():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        raw = f.read()
    try:
        import tomllib
        data = tomllib.loads(raw.decode("utf-8"))
    except ImportError:
        data = _read_toml_subset(raw.decode("utf-8"))
    return data["project"]


def _metadata(project):
    """Core metadata 2.1 (METADATA in the wheel, PKG-INFO in the sdist)."""
    lines = [
        "Metadata-Version: 2.1",
        "Name: %s" % project["name"],
        "Version: %s" % project["version"],
    ]
    if project.get("description"):
        lines.append("Summary: %s" % project["description"])
    if project.get("requires-python"):
        lines.append("Requires-Python: %s" % project["requires-python"])
    license_ = project.get("license", {})
    if isinstance(license_, dict) and license_.get("text"):
        lines.append("License: %s" % license_["text"])
    for c in project.get("classifiers", []):
        lines.append("Classifier: %s" % c)
    for extra, reqs in sorted(project.get("optional-dependencies", {}).items()):
        lines.append("Provides-Extra: %s" % extra)
        for r in reqs:
            lines.append('Requires-Dist: %s; extra == "%s"' % (r, extra))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _dist_info(project):
    return "%s-%s.dist-info" % (project["name"].replace("-", "_"), project["version"])


def _dist_info_files(project):
    return {
        "METADATA": _metadata(project),
        "WHEEL": ("Wheel-Version: 1.0\nGenerator: rfnas_backend\nRoot-Is-Purelib: true\n"
                  "Tag: %s\n" % TAG).encode(),
        "top_level.txt": (PACKAGE + "\n").encode(),
    }


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------
def _tree(subdir, suffixes=None):
    """Relative paths of the files under ROOT/subdir, sorted, without caches."""
    out = []
    base = os.path.join(ROOT, subdir)
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith((".pyc", ".pyo")):
                continue
            if suffixes and not name.endswith(suffixes):
                continue
            out.append(os.path.relpath(os.path.join(dirpath, name), ROOT).replace(os.sep, "/"))
    return out


def _read(rel):
    with open(os.path.join(ROOT, rel), "rb") as f:
        return f.read()


def _mtime():
    """SOURCE_DATE_EPOCH when set (reproducible archives), else 1980-01-01,
    the earliest a zip file can hold."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return max(int(epoch), 315532800) if epoch else 315532800


# ---------------------------------------------------------------------------
# Wheels
# ---------------------------------------------------------------------------
def _record_hash(data):
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _write_wheel(wheel_directory, files):
    """files: [(archive name, bytes)] without the dist-info; writes the
    wheel with its dist-info and RECORD and returns its basename."""
    project = _project()
    dist_info = _dist_info(project)
    entries = list(files)
    for name, data in _dist_info_files(project).items():
        entries.append(("%s/%s" % (dist_info, name), data))
    record = "".join("%s,%s,%d\n" % (name, _record_hash(data), len(data))
                     for name, data in entries)
    record += "%s/RECORD,,\n" % dist_info
    entries.append(("%s/RECORD" % dist_info, record.encode()))

    basename = "%s-%s-%s.whl" % (project["name"].replace("-", "_"), project["version"], TAG)
    date_time = time.gmtime(_mtime())[:6]
    path = os.path.join(wheel_directory, basename)
    tmp = path + ".tmp"
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    os.replace(tmp, path)
    return basename


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, [(rel, _read(rel)) for rel in _tree(PACKAGE)])


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    """PEP 660: a wheel whose .pth file puts this source directory on sys.path."""
    pth = (ROOT + "\n").encode()
    return _write_wheel(wheel_directory, [("__editable__.%s.pth" % PACKAGE, pth)])


def _prepare_metadata(metadata_directory):
    project = _project()
    dist_info = _dist_info(project)
    os.makedirs(os.path.join(metadata_directory, dist_info), exist_ok=True)
    for name, data in _dist_info_files(project).items():
        with open(os.path.join(metadata_directory, dist_info, name), "wb") as f:
            f.write(data)
    return dist_info


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return _prepare_metadata(metadata_directory)


def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    return _prepare_metadata(metadata_directory)


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


# ---------------------------------------------------------------------------
# Source distributions
# ---------------------------------------------------------------------------
def build_sdist(sdist_directory, config_settings=None):
    project = _project()
    base = "%s-%s" % (project["name"].replace("-", "_"), project["version"])
    files = ["pyproject.toml"] + _tree("_backend", (".py",)) + _tree(PACKAGE) + \
        _tree("examples", (".py",)) + _tree("tests", (".py",))
    entries = [(rel, _read(rel)) for rel in files] + [("PKG-INFO", _metadata(project))]
    basename = base + ".tar.gz"
    path = os.path.join(sdist_directory, basename)
    tmp = path + ".tmp"
    mtime = _mtime()
    with tarfile.open(tmp, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for rel, data in entries:
            info = tarfile.TarInfo("%s/%s" % (base, rel))
            info.size = len(data)
            info.mtime = mtime
            info.mode = 0o755 if data.startswith(b"#!") else 0o644
            info.uname = info.gname = "root"
            tar.addfile(info, io.BytesIO(data))
    os.replace(tmp, path)
    return basename
