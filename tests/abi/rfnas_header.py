"""Parse include/rfnas.h for the ABI checks in tests/abi.

Everything the checks compare against is derived from the header text: the
RFNAS_API functions (with their doc comments, return types and parameter
names), the enum constants, the typedef names and the macros. Only the
standard library is used, so the checks run from a clean clone with the
python3 of a stock Debian 12.

The parser understands the subset of C a public header of this project may
use (STYLE R14): preprocessor lines, comments, typedefs of opaque structs,
enums and function pointers, and function declarations ending in ';'.
Anything it cannot classify is reported by header_lint.py instead of being
silently skipped.
"""

import os
import re

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def blank_comments(text):
    """Return text with every comment and string literal body replaced by
    spaces (newlines kept), so offsets and line numbers stay valid."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + re.sub(r"[^\n]", " ", text[i + 1:j - 1]) + c)
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def blank_preprocessor(text):
    """Blank preprocessor lines (with their continuations) in comment-free text."""
    lines = text.split("\n")
    out = []
    cont = False
    for line in lines:
        if cont or line.lstrip().startswith("#"):
            cont = line.rstrip().endswith("\\")
            out.append(" " * len(line))
        else:
            out.append(line)
    return "\n".join(out)


def show(path):
    """A path for messages: relative to the source tree when inside it."""
    path = os.path.normpath(os.path.abspath(path))
    root = os.environ.get("RFNAS_SOURCE_ROOT")
    if root:
        rel = os.path.relpath(path, os.path.normpath(os.path.abspath(root)))
        if not rel.startswith(".."):
            return rel
    return path


def line_of(text, offset):
    return text.count("\n", 0, offset) + 1


class Function:
    def __init__(self, name, ret, params, decl, offset, line):
        self.name = name          # "rfnas_config_create"
        self.ret = ret            # "rfnas_status", "const char *"
        self.params = params      # ["out"], [] for (void)
        self.decl = decl          # declaration text without RFNAS_API
        self.offset = offset      # offset of RFNAS_API in the raw header
        self.line = line


class Header:
    """The public names of one header (and the headers it includes from the
    project: pass their texts in `extra`)."""

    def __init__(self, path, text=None):
        self.path = show(path)
        if text is None:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        self.text = text
        self.nocomment = blank_comments(text)
        self.code = blank_preprocessor(self.nocomment)
        self.statements = self._statements()
        self.functions = self._functions()
        self.enums = self._enums()               # [(enum_tag, [(NAME, line)])]
        self.typedefs = self._typedefs()         # [(name, line)]
        self.macros = self._macros()             # [(name, line, is_function_like)]

    # -- statements ------------------------------------------------------
    def _statements(self):
        """Top-level declarations: (start_offset, text) split on ';' at brace
        depth 0, skipping `extern "C" {` and its closing brace."""
        code = self.code
        stmts = []
        depth = 0
        start = 0
        i = 0
        n = len(code)
        extern_c = re.compile(r'extern\s+"\s*"\s*\{')
        while i < n:
            m = extern_c.match(code, i)
            if m and depth == 0:
                i = m.end()
                start = i
                continue
            c = code[i]
            if c == "{":
                depth += 1
            elif c == "}":
                if depth == 0:  # closing brace of extern "C"
                    start = i + 1
                else:
                    depth -= 1
            elif c == ";" and depth == 0:
                s = code[start:i + 1]
                lead = len(s) - len(s.lstrip())
                if s.strip():
                    stmts.append((start + lead, s.strip()))
                start = i + 1
            i += 1
        rest = code[start:].strip()
        if rest:
            stmts.append((start, rest))
        return stmts

    # -- functions -------------------------------------------------------
    def _functions(self):
        funcs = []
        for off, s in self.statements:
            if not re.match(r"RFNAS_API\b", s):
                continue
            decl = " ".join(s[len("RFNAS_API"):].split())
            m = re.match(r"(.*?)\b(" + IDENT + r")\s*\((.*)\)\s*;$", decl)
            if not m:
                raise ValueError("%s:%d: cannot parse declaration: %s"
                                 % (self.path, line_of(self.text, off), s))
            ret = m.group(1).strip()
            params = split_params(m.group(3))
            funcs.append(Function(m.group(2), ret, params, decl, off,
                                  line_of(self.text, off)))
        return funcs

    def undecorated_functions(self):
        """Statements that declare an rfnas_* function without RFNAS_API."""
        bad = []
        for off, s in self.statements:
            if s.startswith("typedef") or re.match(r"RFNAS_API\b", s):
                continue
            if re.search(r"\brfnas_\w+\s*\(", s):
                bad.append((line_of(self.text, off), " ".join(s.split())))
        return bad

    # -- enums -----------------------------------------------------------
    def _enums(self):
        enums = []
        for m in re.finditer(r"\benum\s*(" + IDENT + r")?\s*\{([^}]*)\}", self.code):
            tag = m.group(1) or ""
            consts = []
            body_off = m.start(2)
            for item_m in re.finditer(r"[^,]+", m.group(2)):
                item = item_m.group(0)
                nm = re.match(r"\s*(" + IDENT + r")", item)
                if nm:
                    consts.append((nm.group(1),
                                   line_of(self.text, body_off + item_m.start() + nm.start(1))))
            enums.append((tag, consts))
        return enums

    def enum_constants(self):
        return [(name, tag, line) for tag, consts in self.enums for name, line in consts]

    # -- typedefs --------------------------------------------------------
    def _typedefs(self):
        names = []
        for off, s in self.statements:
            if not s.startswith("typedef"):
                continue
            flat = " ".join(s.split())
            fp = re.search(r"\(\s*\*\s*(" + IDENT + r")\s*\)\s*\(", flat)
            if fp:
                names.append((fp.group(1), line_of(self.text, off)))
                continue
            m = re.search(r"(" + IDENT + r")\s*;$", flat)
            if m:
                names.append((m.group(1), line_of(self.text, off)))
        return names

    def tags(self):
        """struct/enum/union tags named in the header."""
        return sorted(set(re.findall(r"\b(?:struct|enum|union)\s+(" + IDENT + r")", self.code)))

    # -- macros ----------------------------------------------------------
    def _macros(self):
        macros = []
        lines = self.nocomment.split("\n")
        for i, line in enumerate(lines):
            m = re.match(r"\s*#\s*define\s+(" + IDENT + r")(\()?(.*)", line)
            if not m:
                continue
            name = m.group(1)
            # include guard: "#ifndef NAME" directly followed by an empty "#define NAME"
            if not m.group(3).strip() and not m.group(2) and i > 0 and re.match(
                    r"\s*#\s*ifndef\s+" + name + r"\s*$", lines[i - 1]):
                continue
            if name not in [x[0] for x in macros]:
                macros.append((name, i + 1, bool(m.group(2))))
        return macros

    def includes(self):
        # find the directives in comment-free text, read the names from the raw text
        return [(line_of(self.text, m.start()), self.text[m.start(1):m.end(1)])
                for m in re.finditer(r"^\s*#\s*include\s*([<\"][^>\"]*[>\"])",
                                     self.nocomment, re.M)]

    def doc_comment_before(self, offset):
        """The /** ... */ block that ends right before offset (only
        whitespace between), or None."""
        before = self.text[:offset].rstrip()
        if not before.endswith("*/"):
            return None
        start = before.rfind("/*")
        if start < 0 or not before.startswith("/**", start):
            return None
        # the comment must start its own line (not trail a previous declaration)
        if before[before.rfind("\n", 0, start) + 1:start].strip():
            return None
        return before[start:]


def split_params(text):
    """Parameter names of a parameter list ("void" gives [])."""
    text = text.strip()
    if text in ("", "void"):
        return []
    parts, depth, cur = [], 0, ""
    for c in text:
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        if c == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += c
    parts.append(cur)
    names = []
    for p in parts:
        p = p.strip()
        fp = re.search(r"\(\s*\*\s*(" + IDENT + r")\s*\)", p)
        if fp:
            names.append(fp.group(1))
            continue
        p = re.sub(r"\[[^\]]*\]\s*$", "", p).strip()
        m = re.search(r"(" + IDENT + r")$", p)
        names.append(m.group(1) if m else "")
    return names


def load(header, version_header=None):
    """Parse rfnas.h and (optionally) the generated rfnas_version.h."""
    h = Header(header)
    v = Header(version_header) if version_header else None
    return h, v
