#!/usr/bin/env python3
"""How the model crate's build time grows with the number of schema types.

Copies the workspace to a temporary directory, adds K renamed copies of schemas/cdp.xsd (every
type and global element gets a suffix, so each copy adds as many types as cdp.xsd has), runs
`cargo xtask regen` and times `cargo build --release -p veeam-em-model` (dependencies built
once beforehand, so the number is the model crate's own compile time). Prints one line per K:

    copies=K types=T generated_lines=L build_seconds=S

Usage, from the repository root: python3 crates/veeam-em-bench/build_scaling.py [K ...]
(default: 0 1 3).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def renamed_copy(text, suffix):
    # Only top-level declarations: element names inside sequences stay (they are XML names).
    top = set(re.findall(r'^  <xs:(?:complexType|simpleType|element) name="([A-Za-z0-9]+)"', text, re.M))

    def fix(m):
        attr, value = m.group(1), m.group(2)
        if value in top and (attr in ("type", "base") or m.group(0).startswith("  <xs:")):
            return f'{attr}="{value}{suffix}"'
        return m.group(0)

    out = re.sub(r'(type|base)="([A-Za-z0-9]+)"', fix, text)
    out = re.sub(r'^(  <xs:(?:complexType|simpleType|element) name=")([A-Za-z0-9]+)"',
                 lambda m: f'{m.group(1)}{m.group(2)}{suffix}"' if m.group(2) in top else m.group(0),
                 out, flags=re.M)
    return out


def main():
    counts = [int(a) for a in sys.argv[1:]] or [0, 1, 3]
    work = tempfile.mkdtemp(prefix="veeam-em-scaling-")
    try:
        ws = os.path.join(work, "ws")
        shutil.copytree(ROOT, ws, ignore=shutil.ignore_patterns("target", ".git"))
        env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(ROOT, "target", "scaling"))
        cdp = open(os.path.join(ROOT, "schemas", "cdp.xsd")).read()
        for k in counts:
            for name in os.listdir(os.path.join(ws, "schemas")):
                if name.startswith("cdpcopy"):
                    os.remove(os.path.join(ws, "schemas", name))
            for i in range(k):
                with open(os.path.join(ws, "schemas", f"cdpcopy{i}.xsd"), "w") as f:
                    f.write(renamed_copy(cdp, f"Copy{i}"))
            subprocess.run(["cargo", "xtask", "regen"], cwd=ws, env=env, check=True,
                           stdout=subprocess.DEVNULL)
            gen = os.path.join(ws, "crates", "veeam-em-model", "src", "generated")
            lines = 0
            types = 0
            for name in os.listdir(gen):
                text = open(os.path.join(gen, name)).read()
                lines += text.count("\n")
                types += len(re.findall(r"^pub (?:struct|enum) ", text, re.M))
            subprocess.run(["cargo", "build", "--release", "-p", "veeam-em-model"], cwd=ws,
                           env=env, check=True, stderr=subprocess.DEVNULL)
            os.utime(os.path.join(ws, "crates", "veeam-em-model", "src", "lib.rs"))
            start = time.perf_counter()
            subprocess.run(["cargo", "build", "--release", "-p", "veeam-em-model"], cwd=ws,
                           env=env, check=True, stderr=subprocess.DEVNULL)
            print(f"copies={k} types={types} generated_lines={lines} "
                  f"build_seconds={time.perf_counter() - start:.1f}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
