"""Validates a JUnit report as its consumers read it.

Usage: validate_junit.py SCHEMA REPORT FAILURES

Checks REPORT against the XML Schema SCHEMA (with xmlschema), reads it with
junitparser, and checks that it holds exactly FAILURES failed test cases.
Prints what it read; exits non-zero on any problem.
"""

import sys

import junitparser
import xmlschema


def main() -> int:
    schema_path, report_path, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
    schema = xmlschema.XMLSchema(schema_path)
    errors = list(schema.iter_errors(report_path))
    for error in errors:
        print(f"schema: {error}")
    xml = junitparser.JUnitXml.fromfile(report_path)
    failed = 0
    cases = 0
    for suite in xml:
        for case in suite:
            cases += 1
            results = [r for r in case.result if isinstance(r, junitparser.Failure)]
            failed += len(results)
            for result in results:
                print(f"{suite.name} | {case.name} | {result.type} | {result.message}")
    print(f"{cases} test cases, {failed} failures")
    if failed != expected:
        print(f"expected {expected} failures")
        return 1
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
