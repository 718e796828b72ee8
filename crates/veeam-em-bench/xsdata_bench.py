#!/usr/bin/env python3
"""The scripting user's baseline: decode the benchmark document with Python `xsdata` bindings
generated from our own schemas/ (what a Python user would pick), and print one line in the
bench binary's format:

    contender=python_xsdata mb_per_s=X peak_rss_mb=Y seconds=S handler=H

Usage (from the repository root, after `cargo build --release -p veeam-em-bench`):

    pip install "xsdata[cli]" lxml
    python3 crates/veeam-em-bench/xsdata_bench.py [--refs N] [--rounds R]

The document is the bench binary's deterministic EntityReferences document (`veeam-em-bench
write`). Bindings are generated into a temporary directory with `xsdata generate`.
"""

import argparse
import importlib
import os
import pathlib
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--refs", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--bench", default=os.path.join(ROOT, "target", "release", "veeam-em-bench"))
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="veeam-em-xsdata-")
    try:
        doc = os.path.join(work, "doc.xml")
        subprocess.run([args.bench, "write", doc, "--refs", str(args.refs)], check=True)
        schemas = os.path.join(work, "schemas")
        os.mkdir(schemas)
        for name in os.listdir(os.path.join(ROOT, "schemas")):
            if name.endswith(".xsd"):
                shutil.copy(os.path.join(ROOT, "schemas", name), schemas)
        subprocess.run(
            ["xsdata", "generate", "query.xsd", "--package", "veeam_bindings"],
            cwd=schemas, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        sys.path.insert(0, schemas)
        common = importlib.import_module("veeam_bindings.common")
        from xsdata.formats.dataclass.parsers import XmlParser

        try:
            from xsdata.formats.dataclass.parsers.handlers import LxmlEventHandler as handler
            handler_name = "lxml"
        except ImportError:
            from xsdata.formats.dataclass.parsers.handlers import XmlEventHandler as handler
            handler_name = "etree"

        size = os.path.getsize(doc)
        best = float("inf")
        for _ in range(args.rounds):
            parser = XmlParser(handler=handler)
            start = time.perf_counter()
            result = parser.from_path(pathlib.Path(doc), common.EntityReferences)
            best = min(best, time.perf_counter() - start)
            assert len(result.ref) == args.refs, len(result.ref)
            assert all(len(r.links.link) == 3 for r in result.ref[:10])
            del result
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6
        print(
            f"contender=python_xsdata mb_per_s={size / 1e6 / best:.1f} "
            f"peak_rss_mb={peak_mb:.1f} seconds={best:.4f} handler={handler_name}"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
