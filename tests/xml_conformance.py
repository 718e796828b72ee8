#!/usr/bin/env python3
"""What `vem decode -o xml` writes must read back, in other XML stacks, as what they read in
the original document. Run by CI after the tests:

    python3 tests/xml_conformance.py target/debug/vem tests/fixtures/ok/*.xml

For each FILE, VEM re-encodes it, then:
- typed values: `xmlschema` (on Python's expat) decodes both documents against
  `schemas/query.xsd` (lax, so unknown content is allowed) and the decoded values must be equal,
  dates compared as instants;
- element order: libxml2 (`lxml`) lists the child elements of every element of both documents,
  and the lists must be equal: known and unknown elements keep their place (every fixture is
  in schema order);
- unknown attributes: the attributes libxml2 reads on every element of the input are on the
  same element of the output with the same value (typed values excepted: they are compared
  above, and the writer writes them canonically, e.g. `.8570000Z` as `.857Z`).

Needs `pip install xmlschema lxml`. Exits 1 on the first difference, with both values.
"""

import subprocess
import sys

import xmlschema
from lxml import etree

NS = "{http://www.veeam.com/ent/v1.0}"


def typed(schema, source):
    data, _errors = schema.to_dict(source, validation="lax", datetime_types=True)
    return strip_namespace_declarations(data)


def strip_namespace_declarations(value):
    """Without `xmlns` declarations and element prefixes (the writer always uses the default
    namespace)."""
    if isinstance(value, dict):
        return {k.rsplit(":", 1)[-1]: strip_namespace_declarations(v) for k, v in value.items()
                if not k.startswith("@xmlns")}
    if isinstance(value, list):
        return [strip_namespace_declarations(v) for v in value]
    return value


def walk(element, path=""):
    """(path, element) for every element; a path step is the tag and its position among the
    element children of its parent."""
    here = "%s/%s" % (path, etree.QName(element).localname)
    yield here, element
    position = 0
    for child in element:
        if isinstance(child.tag, str):  # not a comment or processing instruction
            position += 1
            yield from walk(child, "%s[%d]" % (here, position))


def children(element):
    return [etree.QName(c).localname for c in element if isinstance(c.tag, str)]


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    vem, files = argv[0], argv[1:]
    schema = xmlschema.XMLSchema10("schemas/query.xsd")
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    for path in files:
        out = subprocess.run([vem, "--show-secrets", "decode", "-o", "xml", path], capture_output=True)
        if out.returncode != 0:
            print("FAIL %s: vem decode -o xml failed: %s" % (path, out.stderr.decode()))
            return 1
        written = out.stdout

        a = typed(schema, path)
        b = typed(schema, written.decode("utf-8"))
        if a != b:
            print("FAIL %s: typed values differ after re-encoding\n  read:    %r\n  written: %r"
                  % (path, a, b))
            return 1

        original = etree.parse(path, parser).getroot()
        again = etree.fromstring(written, parser)
        pairs = list(zip(walk(original), walk(again)))
        if len(list(walk(original))) != len(list(walk(again))):
            print("FAIL %s: %d elements read, %d written"
                  % (path, len(list(walk(original))), len(list(walk(again)))))
            return 1
        for (p1, e1), (p2, e2) in pairs:
            if p1 != p2 or children(e1) != children(e2):
                print("FAIL %s: child elements differ at %s\n  read:    %s\n  written: %s"
                      % (path, p1, children(e1), children(e2)))
                return 1
            for name, value in e1.attrib.items():
                if e2.attrib.get(name) != value:
                    print("FAIL %s: attribute %s at %s\n  read:    %r\n  written: %r"
                          % (path, name, p1, value, e2.attrib.get(name)))
                    return 1
        print("ok   %s" % path)
    print("%d file(s): values, order and attributes read back the same by expat and libxml2"
          % len(files))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
