#!/usr/bin/env python3
# Copyright (c) 2026 The asioctx authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)
"""Checks that doc/reference.md names every public name declared in the public headers.

Scans include/asioctx/*.hpp and include/asioctx/http/*.hpp (never detail/ or impl/) for what is
declared at namespace scope in asioctx and asioctx::http, outside `detail` namespaces: classes,
structs, enums and their enumerators, functions, type aliases and variables. Each must appear in
doc/reference.md in backticks:
  core names as `name` or `asioctx::name`            (`with_timeout`, `with_timeout(...)` also do)
  HTTP names as `http::name` or `asioctx::http::name`
  enumerators as `enum::value`, e.g. `error::canceled`, `http::error::shutting_down`
Exits 1 listing the missing names. Usage: doc/check_reference.py [--list]
"""
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REFERENCE = os.path.join(ROOT, "doc", "reference.md")
IDENT = r"[A-Za-z_]\w*"


def strip_comments_and_literals(text):
    """Blanks out comments, string and character literals (keeps line structure)."""
    pattern = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)
    return pattern.sub(lambda m: '""' if m.group(0)[0] == '"' else ("''" if m.group(0)[0] == "'" else " "), text)


def strip_preprocessor(text):
    return re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", " ", text, flags=re.M)


def drop_template_heads(stmt):
    """Removes every `template <...>` prefix (angle brackets balanced)."""
    while True:
        m = re.match(r"\s*template\s*<", stmt)
        if not m:
            return stmt
        depth, i = 1, m.end()
        while i < len(stmt) and depth:
            depth += {"<": 1, ">": -1}.get(stmt[i], 0)
            i += 1
        stmt = stmt[i:]


def function_name(stmt):
    """The name declared by a function declaration, or None (qualified names are members)."""
    op = re.search(r"(?:(\w+)\s*::\s*)?\boperator\s*(\(\s*\)|[^\s(]+)\s*\(", stmt)
    if op:
        return None if op.group(1) else "operator" + re.sub(r"\s", "", op.group(2))
    depth = 0
    for i, ch in enumerate(stmt):
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        elif ch == "(" and depth <= 0:
            head = stmt[:i].rstrip()
            m = re.search(rf"(::\s*)?({IDENT})$", head)
            if not m or m.group(1) or m.group(2) in ("decltype", "noexcept", "alignas", "static_assert"):
                return None
            return m.group(2)
    return None


def declarations(path):
    """[(qualified name, kind)] for one header."""
    text = strip_preprocessor(strip_comments_and_literals(open(path, encoding="utf-8").read()))
    found = []
    scopes = []  # ("ns", name) or ("other", None)
    stmt_start = 0
    i = 0

    def public_ns():
        if any(kind != "ns" for kind, _ in scopes):
            return None
        names = [n for _, n in scopes]
        if not names or names[0] != "asioctx" or "detail" in names:
            return None
        return "::".join(names[1:])  # "" for asioctx, "http" for asioctx::http

    def record(ns, name, kind):
        found.append(((ns + "::" if ns else "") + name, kind))

    while i < len(text):
        ch = text[i]
        if ch in "{;}":
            stmt = " ".join(drop_template_heads(text[stmt_start:i]).split())
            ns = public_ns()
            if ch == "}":
                if scopes:
                    scopes.pop()
            elif ch == "{" and (m := re.fullmatch(rf"(?:inline\s+)?namespace\s+({IDENT}(?:\s*::\s*{IDENT})*)", stmt)):
                for part in re.split(r"\s*::\s*", m.group(1)):
                    scopes.append(("ns", part))
            elif ch == "{" and stmt in ("namespace", "inline namespace", 'extern ""'):
                scopes.append(("ns", "(anonymous)" if "namespace" in stmt else scopes[-1][1]))
            else:
                if ns is not None and stmt:
                    classify(stmt, ch, ns, text, i, record)
                if ch == "{":
                    scopes.append(("other", None))
            stmt_start = i + 1
        i += 1
    return found


def classify(stmt, terminator, ns, text, brace, record):
    if stmt.startswith(("public:", "private:", "protected:", "friend ", "static_assert", "extern ")):
        return
    if stmt.startswith((",", ")")):  # the rest of a parameter list after a `= {}` default
        return
    if m := re.match(rf"enum\s+(?:class\s+|struct\s+)?({IDENT})", stmt):
        record(ns, m.group(1), "enum")
        if terminator == "{":
            end = text.index("}", brace)
            for item in text[brace + 1:end].split(","):
                if e := re.match(rf"\s*({IDENT})", item):
                    record(ns, m.group(1) + "::" + e.group(1), "enumerator")
        return
    if m := re.match(rf"(?:class|struct|union)\s+(?:\[\[[^\]]*\]\]\s*)?({IDENT})\s*(?:final\b)?\s*(?::|$)", stmt):
        record(ns, m.group(1), "class")
        return
    if m := re.match(rf"using\s+({IDENT})\s*=", stmt):
        record(ns, m.group(1), "alias")
        return
    if stmt.startswith("using "):
        return
    before_eq = stmt.split("=", 1)[0]
    if "(" not in before_eq or re.search(r"\{|\}", before_eq):
        if "=" in stmt or terminator == ";":
            if m := re.search(rf"({IDENT})\s*(?:\[[^\]]*\])?\s*$", before_eq.strip()):
                record(ns, m.group(1), "variable")
        return
    if name := function_name(stmt):
        record(ns, name, "function")


def documented(reference, qualified, kind):
    """Whether the reference names `qualified` in backticks, in one of the accepted forms."""
    # The namespace-relative name, optionally asioctx::-qualified, then optionally a parameter or
    # template list: `with_timeout`, `asioctx::http::server`, `key<T>`, `operator<<(os, c)`.
    is_operator = qualified.split("::")[-1].startswith("operator")
    tail = r"(?:\([^`]*)?" if is_operator else r"(?:[(<\s][^`]*)?"
    return re.search(r"`(?:asioctx::)?" + re.escape(qualified) + tail + r"`", reference) is not None


def main():
    headers = sorted(glob.glob(os.path.join(ROOT, "include", "asioctx", "*.hpp")) +
                     glob.glob(os.path.join(ROOT, "include", "asioctx", "http", "*.hpp")))
    names = {}
    for h in headers:
        for name, kind in declarations(h):
            names.setdefault(name, (kind, os.path.relpath(h, ROOT)))
    if "--list" in sys.argv[1:]:
        for name, (kind, header) in sorted(names.items()):
            print(f"{header}: {kind} {name}")
        return 0
    try:
        reference = open(REFERENCE, encoding="utf-8").read()
    except OSError as e:
        print(f"check_reference: cannot read {REFERENCE}: {e}", file=sys.stderr)
        return 1
    missing = [(n, k, h) for n, (k, h) in sorted(names.items()) if not documented(reference, n, k)]
    for name, kind, header in missing:
        print(f"doc/reference.md does not name {kind} `{name}` ({header})", file=sys.stderr)
    if missing:
        print(f"check_reference: {len(missing)} of {len(names)} public names undocumented", file=sys.stderr)
        return 1
    print(f"check_reference: all {len(names)} public names from {len(headers)} headers are in doc/reference.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
