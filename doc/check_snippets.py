#!/usr/bin/env python3
# Copyright (c) 2026 The asioctx authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)
"""Checks that every code block the docs quote from an example is the example's current text.

A quoted block is a fenced code block preceded by a marker line naming its source:

    <!-- snippet: example/fan_out_group.cpp#fan_out_group -->
    ```cpp
    ...
    ```

The block must equal the lines between `//[fan_out_group` and the matching `//]` in
example/fan_out_group.cpp (trailing whitespace and surrounding blank lines ignored; marker lines of
other snippets nested inside are left out). In CMake and shell files the markers are comments:
`# //[name` and `# //]`. Scans README.md and doc/*.md. Exits 1 listing every mismatch, every marker
that names a missing file or snippet, and every marker not followed by a code block.

A text block preceded by `<!-- output: example/examples.txt#NAME -->` is an example's output as the
docs show it: it must match the regular expression example/examples.txt gives for NAME, the one
ctest and b2 check the program's real output with.

Usage: doc/check_snippets.py [--fix]   (--fix rewrites the quoted blocks from the sources)
"""
import difflib
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARKER = re.compile(r"^\s*<!--\s*snippet:\s*(\S+?)#(\S+)\s*-->\s*$")
# `//[name` in C++; `# //[name` in CMake and shell files, where the marker is a comment.
OPEN = re.compile(r"^\s*(?:#\s*)?//\[(\S+)\s*$")
CLOSE = re.compile(r"^\s*(?:#\s*)?//\]\s*$")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})")
OUTPUT = re.compile(r"^\s*<!--\s*output:\s*(\S+?)#(\S+)\s*-->\s*$")


def expected_outputs(path):
    """{name: regex} from an example list: `name standard regex`, \\n standing for a newline."""
    result = {}
    with open(path, encoding="utf-8") as f:
        for line in f.read().split("\n"):
            if m := re.match(r"^([a-z_0-9]+) (17|20) (.*)$", line):
                result[m.group(1)] = m.group(3).replace("\\n", "\n")
    return result


def check_outputs(doc, rel, problems):
    """Checks every output block of one doc; returns how many were checked."""
    with open(doc, encoding="utf-8") as f:
        lines = f.read().split("\n")
    checked = 0
    for i, line in enumerate(lines):
        m = OUTPUT.match(line)
        if not m:
            continue
        where, path = f"{rel}:{i + 1}", os.path.join(ROOT, m.group(1))
        if not os.path.isfile(path):
            problems.append(f"{where}: {m.group(1)} does not exist")
            continue
        regex = expected_outputs(path).get(m.group(2))
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        fence = FENCE.match(lines[j]) if j < len(lines) else None
        if regex is None or not fence:
            problems.append(f"{where}: no expected output for {m.group(2)}, or no text block after the marker")
            continue
        end = j + 1
        while end < len(lines) and not lines[end].strip().startswith(fence.group(2)):
            end += 1
        shown = "\n".join(lines[j + 1:end]) + "\n"
        if not re.search(regex, shown, re.S):  # `.` matches a newline in CMake's regexes too
            problems.append(f"{where}: the output shown does not match {m.group(1)}#{m.group(2)}: {regex}")
        checked += 1
    return checked


def normalise(lines):
    lines = [line.rstrip() for line in lines]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def snippets_of(path):
    """{name: [lines]} for every //[name ... //] region in path; raises ValueError if unbalanced."""
    result, stack = {}, []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for number, line in enumerate(lines, 1):
        if m := OPEN.match(line):
            if m.group(1) in result or any(name == m.group(1) for name, _ in stack):
                raise ValueError(f"{path}:{number}: snippet '{m.group(1)}' defined twice")
            stack.append((m.group(1), []))
        elif CLOSE.match(line):
            if not stack:
                raise ValueError(f"{path}:{number}: //] without an open snippet")
            name, body = stack.pop()
            result[name] = body
        else:
            for _, body in stack:
                body.append(line)
    if stack:
        raise ValueError(f"{path}: snippet '{stack[-1][0]}' is never closed")
    return {name: normalise(body) for name, body in result.items()}


def quoted_blocks(doc):
    """Yields (marker line number, source, name, first and end line index of the block body)."""
    with open(doc, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        m = MARKER.match(lines[i])
        if not m:
            i += 1
            continue
        marker_line = i + 1
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        fence = FENCE.match(lines[j]) if j < len(lines) else None
        if not fence:
            yield marker_line, m.group(1), m.group(2), None, None
            i = j
            continue
        end = j + 1
        while end < len(lines) and not lines[end].strip().startswith(fence.group(2)):
            end += 1
        yield marker_line, m.group(1), m.group(2), j + 1, end
        i = end + 1


def main():
    fix = "--fix" in sys.argv[1:]
    docs = [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "doc", "*.md")))
    problems, checked, cache = [], 0, {}
    outputs = 0
    for doc in docs:
        rel = os.path.relpath(doc, ROOT)
        outputs += check_outputs(doc, rel, problems)
        with open(doc, encoding="utf-8") as f:
            doc_lines = f.read().split("\n")
        replacements = []
        for marker_line, source, name, start, end in quoted_blocks(doc):
            where = f"{rel}:{marker_line}"
            path = os.path.join(ROOT, source)
            if not os.path.isfile(path):
                problems.append(f"{where}: {source} does not exist")
                continue
            if path not in cache:
                try:
                    cache[path] = snippets_of(path)
                except ValueError as e:
                    cache[path] = {}
                    problems.append(str(e))
            if name not in cache[path]:
                problems.append(f"{where}: {source} has no snippet '{name}' (//[{name} ... //])")
                continue
            if start is None:
                problems.append(f"{where}: the marker for {source}#{name} is not followed by a code block")
                continue
            if end >= len(doc_lines):
                problems.append(f"{where}: the code block for {source}#{name} is never closed")
                continue
            checked += 1
            want, have = cache[path][name], normalise(doc_lines[start:end])
            if want != have:
                if fix:
                    replacements.append((start, end, want))
                    continue
                diff = "\n".join(difflib.unified_diff(want, have, f"{source}#{name}", rel, lineterm="", n=1))
                problems.append(f"{where}: the block differs from {source}#{name}:\n{diff}")
        if replacements:
            for start, end, want in reversed(replacements):
                doc_lines[start:end] = want
            with open(doc, "w", encoding="utf-8") as f:
                f.write("\n".join(doc_lines))
            print(f"rewrote {len(replacements)} block(s) in {rel}")
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"check_snippets: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"check_snippets: {checked} quoted block(s) match their examples, {outputs} output block(s) their expected output")
    return 0


if __name__ == "__main__":
    sys.exit(main())
