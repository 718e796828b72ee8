#!/usr/bin/env python3
"""Independent XSD validators for the schemas in this folder: Python `xmlschema` (default) or
libxml2's `xmllint` (`--with xmllint`). Neither shares code with the SDK's reader.

Usage:
    python3 schemas/validate.py [--with xmlschema|xmllint] SCHEMA.xsd [FILE.xml ...]
        [--expect-invalid FILE.xml ...]

Loads SCHEMA.xsd (and what it includes), then validates every FILE. Files listed before
`--expect-invalid` must be valid; files after it must be rejected (malformed, or not valid
against the schema). With no files, only checks that the schema loads.
Exits 0 when every expectation holds, 1 otherwise, 2 on bad usage or an unloadable schema.

CI runs, from the repository root:
    python3 schemas/validate.py schemas/query.xsd \
        $(ls tests/fixtures/ok/*.xml | grep -v -e _unknown_content) \
        --expect-invalid tests/fixtures/err/*.xml tests/fixtures/ok/*_unknown_content.xml
    python3 schemas/validate.py --with xmllint schemas/query.xsd \
        $(ls tests/fixtures/ok/*.xml | grep -v -e _unknown_content -e _nbsp) \
        --expect-invalid tests/fixtures/err/*.xml tests/fixtures/ok/*_unknown_content.xml \
        tests/fixtures/ok/*_nbsp.xml
(`*_unknown_content.xml` comes from a newer server, so a strict validator rejects it;
`*_nbsp.xml` is indented with U+00A0, which xmlschema takes for white space and libxml2, as
XML 1.0 says, for text; `doctype_entity.xml` is well-formed XML that libxml2 accepts, and that
the SDK refuses by policy: it never reads a DTD.)
"""

import os
import subprocess
import sys
import tempfile


class Xmllint:
    """libxml2's validator, through the `xmllint` command (Debian package libxml2-utils)."""

    def __init__(self, schema_path):
        self.schema_path = schema_path
        # xmllint has no "load the schema only": validate a tiny foreign document, which fails
        # as invalid, and look for the message of a schema that does not compile.
        with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as probe:
            probe.write('<Probe xmlns="urn:probe"/>')
        try:
            out = self.run(probe.name)
        finally:
            os.unlink(probe.name)
        if "failed to compile" in out:
            raise RuntimeError(out.strip())

    def run(self, path):
        proc = subprocess.run(
            ["xmllint", "--noout", "--nonet", "--schema", self.schema_path, path],
            capture_output=True, text=True)
        return proc.stderr + proc.stdout

    def check(self, path):
        proc = subprocess.run(
            ["xmllint", "--noout", "--nonet", "--schema", self.schema_path, path],
            capture_output=True, text=True)
        if proc.returncode == 0:
            return None
        lines = [l for l in proc.stderr.splitlines() if l.strip()]
        return "rejected by xmllint (exit %d): %s" % (
            proc.returncode, lines[0] if lines else "no message")


def check(schema, path, xmlschema):
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
    validator = "xmlschema"
    if argv[0] == "--with":
        if len(argv) < 3 or argv[1] not in ("xmlschema", "xmllint"):
            sys.stderr.write("validate.py: --with takes xmlschema or xmllint\n")
            return 2
        validator, argv = argv[1], argv[2:]
    schema_path, rest = argv[0], argv[1:]
    valid_files, invalid_files = [], []
    target = valid_files
    for arg in rest:
        if arg == "--expect-invalid":
            target = invalid_files
        else:
            target.append(arg)

    try:
        if validator == "xmllint":
            schema = Xmllint(schema_path)
            checker = schema.check
            print("ok   schema %s compiles in xmllint" % schema_path)
        else:
            try:
                import xmlschema
            except ImportError:  # pragma: no cover
                sys.stderr.write(
                    "validate.py: the xmlschema package is missing (pip install xmlschema)\n")
                return 2
            schema = xmlschema.XMLSchema10(schema_path)
            checker = lambda path: check(schema, path, xmlschema)
            print("ok   schema %s loads (%d global elements, %d named types)" % (
                schema_path, len(schema.elements), len(schema.types)))
    except Exception as exc:
        sys.stderr.write("FAIL schema %s does not load: %s\n" % (schema_path, exc))
        return 2

    failures = 0
    for path in valid_files:
        reason = checker(path)
        if reason is None:
            print("ok   valid            %s" % path)
        else:
            failures += 1
            print("FAIL expected valid   %s: %s" % (path, reason))
    for path in invalid_files:
        reason = checker(path)
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
