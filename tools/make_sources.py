"""Regenerate hgkit/datasets/sources.json from the SOURCE.md files of a dataset folder.

Developer tool (not part of the package): each SOURCE.md lists every raw file with its size and
sha256 in a table, and the commit-pinned download URL in a tab-separated block. Run::

    python tools/make_sources.py ../shared/datasets > hgkit/datasets/sources.json
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROW = re.compile(r"^\| `(raw/[^`]+)` \| [^|]* \| (\d+) \| `([0-9a-f]{64})` \|")
URL = re.compile(r"^(raw/\S+)\t(https://\S+)$")
# Files too large to stage: "... (..., git blob <sha1>) ... NOT INCLUDED. It is at <url>"
ABSENT = re.compile(r"git blob ([0-9a-f]{40}).*NOT INCLUDED.*It is at (https://\S+)")


def parse(source_md: Path) -> list[dict[str, object]]:
    sizes: dict[str, tuple[int, str]] = {}
    urls: dict[str, str] = {}
    for line in source_md.read_text().splitlines():
        if m := ROW.match(line):
            sizes[m.group(1)] = (int(m.group(2)), m.group(3))
        elif m := URL.match(line):
            urls[m.group(1)] = m.group(2)
    missing = set(sizes) ^ set(urls)
    if missing:
        raise SystemExit(f"{source_md}: files without both a size/sha256 row and a URL: "
                         f"{sorted(missing)}")
    out: list[dict[str, object]] = [
        {"path": path[len("raw/"):], "bytes": sizes[path][0], "sha256": sizes[path][1],
         "url": urls[path]} for path in sorted(sizes)]
    for line in source_md.read_text().splitlines():
        if m := ABSENT.search(line):
            url = m.group(2).rstrip(".,;)")
            out.append({"path": url.rsplit("/", 1)[1], "bytes": None, "sha256": None,
                        "git_blob": m.group(1), "url": url, "staged": False})
    return out


def main(root: str) -> None:
    out = {}
    for source_md in sorted(Path(root).glob("*/SOURCE.md")):
        out[source_md.parent.name] = parse(source_md)
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/datasets")
