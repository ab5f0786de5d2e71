#!/usr/bin/env python3
"""Checks the README and docs/: every relative link and #anchor resolves; given a git revision, also that every
sentence, table row and code line of that revision's README is still in README.md or docs/ (text moved out of the
README must be moved, not lost). Links are compared by their text, so a cross-reference may point elsewhere.

    python3 .ci/docs-check.py            # links and anchors only
    python3 .ci/docs-check.py e78d9b1    # and nothing of e78d9b1's README is lost
"""
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILES = ["README.md"] + sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "docs", "*.md")))
LINK = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^()\s]+)\)")


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def blocks(text):
    """(kind, text) for each code line, table row and prose paragraph (a list item starts a paragraph)."""
    code, paragraph = False, []
    for line in text.split("\n"):
        if line.startswith("```"):
            if paragraph:
                yield "prose", " ".join(paragraph)
                paragraph = []
            code = not code
            continue
        if code:
            if line.strip():
                yield "code", line.rstrip()
            continue
        if line.startswith("|") or line.startswith("#") or not line.strip() or line.startswith("- "):
            if paragraph:
                yield "prose", " ".join(paragraph)
                paragraph = []
            if line.startswith("|"):
                yield "row", line.rstrip()
            elif line.startswith("#"):
                yield "heading", line.rstrip()
            elif line.startswith("- "):
                paragraph = [line]
            continue
        paragraph.append(line)
    if paragraph:
        yield "prose", " ".join(paragraph)


def slug(heading):
    text = heading.lstrip("#").strip().lower().replace("`", "")
    text = LINK.sub(lambda m: m.group(1), text)
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path):
    seen, result = {}, set()
    for kind, text in blocks(read(path)):
        if kind == "heading":
            base = slug(text)
            n = seen.get(base, 0)
            seen[base] = n + 1
            result.add(base if n == 0 else f"{base}-{n}")
    return result


def check_links():
    problems = []
    for path in FILES:
        for kind, text in blocks(read(path)):
            if kind == "code":
                continue
            for match in LINK.finditer(re.sub(r"`[^`]*`", "", text)):
                target = match.group(2)
                if re.match(r"^[a-z]+:", target):
                    continue
                file, _, anchor = target.partition("#")
                resolved = os.path.normpath(os.path.join(os.path.dirname(path), file)) if file else path
                if not os.path.exists(os.path.join(ROOT, resolved)):
                    problems.append(f"{path}: {target}: no such file {resolved}")
                elif anchor and resolved.endswith(".md") and anchor not in anchors(resolved):
                    problems.append(f"{path}: {target}: no heading #{anchor} in {resolved}")
    return problems


def normalize(text):
    text = LINK.sub(lambda m: m.group(1), text)
    return re.sub(r"\s+", " ", text).strip()


def check_moved(revision):
    old = subprocess.run(["git", "show", f"{revision}:README.md"], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    now = [list(blocks(read(path))) for path in FILES]
    lines = {text.strip() for file in now for kind, text in file if kind in ("row", "code")}
    prose = " \n ".join(normalize(text) for file in now for kind, text in file if kind in ("prose", "heading"))
    problems = []
    for kind, text in blocks(old):
        if kind in ("row", "code"):
            if text.strip() not in lines:
                problems.append(f"lost {kind}: {text[:150]}")
        elif kind == "prose":
            for sentence in re.split(r"(?<=[.!?:;)])\s+(?=[A-Z*`(\"])", normalize(text)):
                if sentence not in prose:
                    problems.append(f"lost sentence: {sentence[:200]}")
    return problems


if __name__ == "__main__":
    found = check_links() + (check_moved(sys.argv[1]) if len(sys.argv) > 1 else [])
    for problem in found:
        print(problem)
    print(f"{len(found)} problems in {len(FILES)} files")
    sys.exit(1 if found else 0)
