#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ from the fixtures and the catalogue, so that each target starts
from inputs that reach deep (valid documents, real hrefs, filters, requests the simulator
serves) rather than from nothing. Run from anywhere; writes only under fuzz/corpus/."""

import glob
import hashlib
import os
import re
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def write(target, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


fixtures = sorted(
    p
    for p in glob.glob(os.path.join(ROOT, "tests", "fixtures", "*", "*.xml"))
    if os.sep + "json" + os.sep not in p
)
docs = [open(p, "rb").read() for p in fixtures]
for doc in docs:
    write("decode_document", doc)
    write("stream_items", b"\x07" + doc)
    for op in range(5):
        write("response_decode", bytes([op]) + struct.pack(">H", 100) + b"\x01" + doc)

text = b"\n".join(docs).decode("utf-8", "replace")
hrefs = sorted(set(re.findall(r'Href="([^"]+)"', text)))
for i, href in enumerate(hrefs):
    write("route_href", bytes([i % 4]) + href.replace("&amp;", "&").encode())
    path = href.split("/api/", 1)[-1].replace("&amp;", "&")
    write("sim_request", b"\x80" + path.encode() + b"\n")
for uid in sorted(set(re.findall(r"urn:veeam:[A-Za-z]+:[^<\"\s]+", text)))[:500]:
    write("uid_datetime", uid.encode())
for t in sorted(set(re.findall(r">(\d{4}-\d\d-\d\dT[^<]+)<", text)))[:200]:
    write("uid_datetime", t.encode())
for f in [
    'Name=="a"',
    'Result==Failed;CreationTime>="2025-01-01T00:00:00Z"',
    '(State==Working|State==Idle),JobType!=Backup',
    'Name=="x,y;z"',
]:
    write("query_filter", f.encode())
# The JSON form: the reference's whole JSON documents, each with the index of its root among
# Document::ROOT_ELEMENTS (the order of the global elements in the schemas, read from the
# generated code), and JSON asked of the simulator.
generated = open(os.path.join(ROOT, "crates", "veeam-em-model", "src", "generated", "mod.rs")).read()
roots = re.search(r"ROOT_ELEMENTS: &'static \[&'static str\] = &\[(.*?)\];", generated, re.S)
roots = re.findall(r'"([A-Za-z]+)"', roots.group(1)) if roots else []
index = os.path.join(ROOT, "tests", "fixtures", "json", "INDEX.tsv")
for line in open(index).read().splitlines()[1:]:
    cells = line.split("\t")
    if len(cells) > 3 and cells[3] != "fragment" and cells[2] in roots:
        data = open(os.path.join(ROOT, "tests", "fixtures", "json", cells[0]), "rb").read()
        write("decode_json", bytes([roots.index(cells[2]) % 256]) + data)
for i, href in enumerate(hrefs[:200]):
    path = href.split("/api/", 1)[-1].replace("&amp;", "&")
    write("sim_request", b"\x80" + path.encode() + b"\nAccept: application/json\n\n")
print("seeded", os.path.join(HERE, "corpus"))
