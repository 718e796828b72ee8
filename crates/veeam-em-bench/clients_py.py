#!/usr/bin/env python3
"""Python peer of `veeam-em-bench clients`: lists every CDP task session of the simulator through
the query service with `requests` (keep-alive session) and `lxml`, building one dict per item
(its attributes and child element texts), one page at a time.

Usage: python3 clients_py.py API_URL [PAGE_SIZE]   (pip install requests lxml)
Prints: client=python_requests_lxml items=N items_per_s=X seconds=S peak_rss_mb=M
"""

import resource
import sys
import time

import requests
from lxml import etree

NS = "{http://www.veeam.com/ent/v1.0}"


def main(argv):
    url, page_size = argv[0], int(argv[1]) if len(argv) > 1 else 1000
    started = time.perf_counter()
    s = requests.Session()
    r = s.post(url + "/sessionMngr/?v=latest", auth=("admin", "admin"))
    r.raise_for_status()
    s.headers["X-RestSvcSessionId"] = r.headers["X-RestSvcSessionId"]
    page, pages, items, total = 1, 1, 0, 0
    while page <= pages:
        r = s.get(url + "/query", params={
            "type": "CdpReplicaTaskSession", "format": "Entities",
            "pageSize": page_size, "page": page})
        r.raise_for_status()
        root = etree.fromstring(r.content)
        for el in root.iter(NS + "CdpReplicaTaskSession"):
            item = dict(el.attrib)
            for child in el:
                item[etree.QName(child).localname] = child.text
            total += int(item.get("TotalSize") or 0)
            items += 1
        info = root.find(NS + "PagingInfo")
        pages = int(info.get("PagesCount")) if info is not None else page
        page += 1
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6
    print("client=python_requests_lxml items=%d items_per_s=%.0f seconds=%.2f peak_rss_mb=%.1f checksum=%d"
          % (items, items / seconds, seconds, rss, total))


if __name__ == "__main__":
    main(sys.argv[1:])
