#!/usr/bin/env python3
"""Coverage of the documented fields by schemas/*.xsd.

Reads the reference's field index (`fields.tsv`: page, table, name, ...) and operation index
(`operations.tsv`: method, template, page) from REF_DIR, and reports, per page, the entity and
body field names that no `xs:element`/`xs:attribute` of `schemas/*.xsd` declares. Names only: a
field counts as covered when some declaration in the schemas has its name.

Also, with --operations: the documented operations (`operations.tsv`) that the catalogue routes
(method, path shape and fixed query, aliases included).

With --links: the documented links (`link` rows of `fields.tsv`: page, address, relation) that a
`<Resource page=...>` of schemas/resources/*.xml declares, matched on page, relation and address
(the reference's spelling: a `<Link documented=... documentedRel=...>` fix-up stands for the row it
corrects). It fails when a fix-up matches no row of its page (the page was corrected: drop the
fix-up), and lists the rows no declaration covers.

With --query: the fields of each query type (`<QueryType>` of the catalogue) against the query
rows of its page (`get_query_*.md`): equal sets, or it fails. A field the page does not list but
servers accept is declared with `quirk="why"` and counted apart.

Usage:
  python3 schemas/coverage.py REF_DIR [--scope core|cloud|all] [--page PAGE ...] [--missing]
          [--waived schemas/coverage_waivers.txt]

A waiver line `page<TAB>name<TAB>why<TAB>as=NAME` says the field is declared under the spelling
servers use (NAME, which must be declared): it counts as covered.

Scope `core` is every page outside the cloud provider families (URLs under /cloud, /vCloud,
/selfService, and type pages named after them); `cloud` is those; `all` is both. Waivers (one
`page<TAB>name<TAB>why` a line) are fields left out on purpose; they count as not covered but are
listed apart.
"""

import argparse
import csv
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET

XS = "{http://www.w3.org/2001/XMLSchema}"
CLOUD_WORDS = ("cloud", "vcloud", "selfservice", "tenant", "vlan", "hardwareplan",
               "publicip", "gateway", "orgconfig", "vsphere_configs")


def declared_names(schema_dir):
    names = set()
    for path in glob.glob(os.path.join(schema_dir, "*.xsd")):
        for el in ET.parse(path).iter():
            if el.tag in (XS + "element", XS + "attribute") and el.get("name"):
                names.add(el.get("name"))
    return names


def page_scopes(ref):
    scopes = {}
    with open(os.path.join(ref, "operations.tsv"), newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            t = row["template"]
            cloud = t.startswith(("/cloud", "/vCloud", "/selfService")) or \
                re.match(r"/query\?type=(Cloud|VCloudOrganizationConfig|VlanConfiguration|VsphereSelfServiceConfig)", t)
            scopes[row["page"]] = "cloud" if cloud else "core"
    return scopes


def shape(method, template):
    """METHOD /a/{}/b?k=v&k2=v2 with parameter names dropped and the query sorted."""
    path, _, query = template.partition("?")
    path = re.sub(r"\{[^}]*\}", "{}", path.rstrip("/") or "/")
    # Only the route-selecting parameters; others (v=, page=...) are the caller's.
    pairs = sorted(p for p in query.split("&")
                   if p.split("=")[0] in ("action", "format", "type") and "{" not in p)
    return method.upper() + " " + path.lower() + ("?" + "&".join(pairs).lower() if pairs else "")


def catalogue_shapes(schema_dir):
    """Every route of schemas/resources/*.xml (paths and aliases) as a shape."""
    ns = "{urn:veeam-em:catalogue}"
    shapes = {}
    for path in sorted(glob.glob(os.path.join(schema_dir, "resources", "*.xml"))):
        for op in ET.parse(path).getroot().iter(ns + "Operation"):
            fixed = "&".join(f"{q.get('name')}={q.get('value')}" for q in op.iter(ns + "FixedQuery"))
            for p in [op.get("path")] + [a.get("path") for a in op.iter(ns + "Alias")]:
                shapes[shape(op.get("method"), p + ("?" + fixed if fixed else ""))] = op.get("name")
    return shapes


def routes(shapes):
    """Each catalogue shape as a pattern in which a parameter matches any one path segment: the
    example rows of the generic method pages hold literal values (a UUID, a VM name) where the
    templates have parameters."""
    return [re.compile(re.escape(s).replace(re.escape("{}"), r"[^/?]+") + "$") for s in shapes]


def operations(ref, schema_dir, scope, missing):
    patterns = routes(catalogue_shapes(schema_dir))
    scopes = page_scopes(ref)
    total = covered = 0
    with open(os.path.join(ref, "operations.tsv"), newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if scope != "all" and scopes.get(row["page"]) != scope:
                continue
            total += 1
            row_shape = shape(row["method"], row["template"])
            if any(p.match(row_shape) for p in patterns):
                covered += 1
            elif missing:
                print(f"  {row['method']} {row['template']}\t{row['page']}")
    print(f"operations covered: {covered}/{total} scope={scope}")


def links(ref, schema_dir, missing):
    """Documented links covered by the catalogue's <Resource> declarations."""
    ns = "{urn:veeam-em:catalogue}"
    declared = {}  # (page, rel, href as the page prints it) -> declared href
    fixups = []
    for path in sorted(glob.glob(os.path.join(schema_dir, "resources", "*.xml"))):
        for res in ET.parse(path).getroot().iter(ns + "Resource"):
            page = res.get("page")
            for link in res.iter(ns + "Link"):
                rel = link.get("documentedRel") or link.get("rel")
                href = link.get("documented") or link.get("href")
                declared.setdefault((page, rel, href), []).append(link.get("href"))
                if link.get("documented") or link.get("documentedRel"):
                    fixups.append((os.path.basename(path), page, rel, href))
    rows = []
    with open(os.path.join(ref, "fields.tsv"), newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["table"] == "link":
                rows.append((row["page"], row["type_or_rel"], row["name"]))
    row_set = set(rows)
    stale = [fx for fx in fixups if (fx[1], fx[2], fx[3]) not in row_set]
    covered = [r for r in rows if r in declared]
    uncovered = [r for r in rows if r not in declared]
    share = 100.0 * len(covered) / len(rows) if rows else 100.0
    print(f"links covered: {len(covered)}/{len(rows)} ({share:.1f}%), "
          f"{len(fixups)} of them through fix-ups of the pages' mistakes")
    if missing or uncovered:
        for page, rel, href in uncovered:
            print(f"  not declared: {page}\t{rel}\t{href}")
    for file, page, rel, href in stale:
        print(f"  stale fix-up in {file}: {page} no longer prints {rel} {href}")
    return 1 if stale else 0


def query_fields(ref, schema_dir):
    """The catalogue's query types against the query tables of their pages."""
    ns = "{urn:veeam-em:catalogue}"
    page_type, declared, quirks = {}, {}, {}
    for path in sorted(glob.glob(os.path.join(schema_dir, "resources", "*.xml"))):
        root = ET.parse(path).getroot()
        for op in root.iter(ns + "Operation"):
            service = op.find(ns + "QueryService")
            if service is not None and op.get("page"):
                page_type[op.get("page")] = service.get("type")
        for qt in root.iter(ns + "QueryType"):
            fields = list(qt.iter(ns + "Field"))
            declared[qt.get("name")] = {f.get("name").lower() for f in fields if not f.get("quirk")}
            quirks[qt.get("name")] = {f.get("name") for f in fields if f.get("quirk")}
    documented = {}
    with open(os.path.join(ref, "fields.tsv"), newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["table"] == "query":
                documented.setdefault(row["page"], set()).add(row["name"].lower())
    bad = 0
    for page, names in sorted(documented.items()):
        ty = page_type.get(page)
        if ty is None:
            print(f"  no query type serves {page}")
            bad += 1
            continue
        mine = declared.get(ty, set())
        if mine != names:
            print(f"  {ty} ({page}): declared but not documented {sorted(mine - names)},"
                  f" documented but not declared {sorted(names - mine)}")
            bad += 1
    n_quirks = sum(len(q) for q in quirks.values())
    print(f"query types equal to their pages: {len(documented) - bad}/{len(documented)}"
          f" ({n_quirks} fields declared as server quirks)")
    return 1 if bad else 0


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("ref")
    ap.add_argument("--scope", default="core", choices=["core", "cloud", "all"])
    ap.add_argument("--page", action="append", default=[])
    ap.add_argument("--missing", action="store_true", help="list every missing field")
    ap.add_argument("--operations", action="store_true",
                    help="documented operations (operations.tsv) the catalogue routes, instead of fields")
    ap.add_argument("--links", action="store_true",
                    help="documented links (link rows of fields.tsv) the catalogue's resources declare")
    ap.add_argument("--query", action="store_true",
                    help="the fields of each query type against the query table of its page")
    ap.add_argument("--waived", default=os.path.join(os.path.dirname(__file__), "coverage_waivers.txt"))
    args = ap.parse_args(argv)

    here = os.path.dirname(os.path.abspath(__file__))
    if args.operations:
        operations(args.ref, here, args.scope, args.missing)
        return 0
    if args.links:
        return links(args.ref, here, args.missing)
    if args.query:
        return query_fields(args.ref, here)
    names = declared_names(here)
    scopes = page_scopes(args.ref)
    waived = {}   # (page, name) -> why: left out on purpose
    renamed = {}  # (page, name) -> the spelling servers use, declared instead
    if os.path.exists(args.waived):
        for line in open(args.waived):
            if line.strip() and not line.startswith("#"):
                page, name, why, alias = (line.rstrip("\n").split("\t") + ["", "", ""])[:4]
                if alias.startswith("as="):
                    renamed[(page, name)] = alias[3:]
                else:
                    waived[(page, name)] = why

    total = covered = 0
    missing = []
    aliased = []
    with open(os.path.join(args.ref, "fields.tsv"), newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["table"] not in ("entity", "body"):
                continue
            page = row["page"]
            scope = scopes.get(page) or ("cloud" if any(w in page for w in CLOUD_WORDS) else "core")
            if args.page and page not in args.page:
                continue
            if not args.page and args.scope != "all" and scope != args.scope:
                continue
            total += 1
            alias = renamed.get((page, row["name"]))
            if row["name"] in names:
                covered += 1
            elif alias is not None and alias in names:
                covered += 1
                aliased.append((page, row["name"], alias))
            else:
                missing.append((page, row["name"], row["type_or_rel"]))
    share = 100.0 * covered / total if total else 100.0
    print(f"fields covered: {covered}/{total} ({share:.1f}%) scope={args.scope}"
          f" ({len(aliased)} under the spelling servers use, see {os.path.basename(args.waived)})")
    unwaived = [m for m in missing if (m[0], m[1]) not in waived]
    print(f"missing: {len(missing)} ({len(missing) - len(unwaived)} waived in {os.path.basename(args.waived)})")
    if args.missing:
        for page, name, alias in aliased:
            print(f"  {page}\t{name}\tdeclared as {alias}")
        for page, name, ty in missing:
            why = waived.get((page, name))
            print(f"  {page}\t{name}\t{ty}" + (f"\twaived: {why}" if why else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
