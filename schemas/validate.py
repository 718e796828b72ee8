#!/usr/bin/env python3
"""Independent XSD validator for the schemas in this folder (uses the `xmlschema` package).

Usage:
    python3 schemas/validate.py SCHEMA.xsd [FILE.xml ...] [--expect-invalid FILE.xml ...]

Loads SCHEMA.xsd (and what it includes), then validates every FILE. Files listed before
`--expect-invalid` must be valid; files after it must be rejected (malformed, or not valid
against the schema). With no files, only checks that the schema loads.
Exits 0 when every expectation holds, 1 otherwise, 2 on bad usage or an unloadable schema.

CI runs, from the repository root:
    python3 schemas/validate.py schemas/query.xsd \
        $(ls tests/fixtures/ok/*.xml | grep -v -e _unknown_content) \
        --expect-invalid tests/fixtures/err/*.xml tests/fixtures/ok/*_unknown_content.xml
(`*_unknown_content.xml` comes from a newer server, so a strict validator rejects it.)
"""

import sys

try:
    import xmlschema
except ImportError:  # pragma: no cover
    sys.stderr.write("validate.py: the xmlschema package is missing (pip install xmlschema)\n")
    sys.exit(2)


def check(schema, path):
    """Return None if `path` is well-formed and valid, else a one-line reason."""
    try:
        # defuse="always": any DTD or entity declaration is refused, as the SDK's reader does.
        resource = xmlschema.XMLResource(path, defuse="always")
        errors = list(schema.iter_errors(resource))
    except Exception as exc:  # parse errors, unreadable files, forbidden DTDs/entities
        return "not well-formed: %s" % str(exc).strip().splitlines()[0]
    if errors:
        first = errors[0]
        where = getattr(first, "path", None) or "?"
        return "invalid (%d error(s)), first at %s: %s" % (
            len(errors), where, (first.reason or str(first)).splitlines()[0])
    return None


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        sys.stdout.write(__doc__)
        return 2 if not argv else 0
    schema_path, rest = argv[0], argv[1:]
    valid_files, invalid_files = [], []
    target = valid_files
    for arg in rest:
        if arg == "--expect-invalid":
            target = invalid_files
        else:
            target.append(arg)

    try:
        schema = xmlschema.XMLSchema10(schema_path)
    except Exception as exc:
        sys.stderr.write("FAIL schema %s does not load: %s\n" % (schema_path, exc))
        return 2
    print("ok   schema %s loads (%d global elements, %d named types)" % (
        schema_path, len(schema.elements), len(schema.types)))

    failures = 0
    for path in valid_files:
        reason = check(schema, path)
        if reason is None:
            print("ok   valid            %s" % path)
        else:
            failures += 1
            print("FAIL expected valid   %s: %s" % (path, reason))
    for path in invalid_files:
        reason = check(schema, path)
        if reason is None:
            failures += 1
            print("FAIL expected invalid %s: it validates" % path)
        else:
            print("ok   rejected         %s: %s" % (path, reason))

    total = len(valid_files) + len(invalid_files)
    print("%d/%d file(s) as expected" % (total - failures, total))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
