"""Read pip-audit's JSON report: fail on known vulnerabilities, say loudly what was not audited.

Usage: audit_report.py REPORT.json EXIT_STATUS STDERR_FILE
PyPI's JSON API may be unreachable (offline CI, a registry mirror without it):
then the packages are listed as not audited, which is reported clearly
instead of passing as "no known vulnerabilities". ZENTRUM_CI_STRICT_AUDIT=1
turns "not audited" into a failure.
"""

import json
import os
import sys
from pathlib import Path


def main(report: str, status: str, stderr: str) -> int:
    path = Path(report)
    strict = os.environ.get("ZENTRUM_CI_STRICT_AUDIT") == "1"
    if not path.exists() or not path.read_text().strip():
        tail = Path(stderr).read_text()[-800:] if Path(stderr).exists() else ""
        print(f"pip-audit DID NOT RUN (exit {status}); PyPI unreachable? Nothing was audited.")
        print(tail)
        return 1 if strict else 0
    deps = [
        d
        for d in json.loads(path.read_text())["dependencies"]
        if "editable" not in d.get("skip_reason", "")  # the project itself
    ]
    vulnerable = [d for d in deps if d.get("vulns")]
    skipped = [d for d in deps if d.get("skip_reason")]
    audited = len(deps) - len(skipped)
    for dep in vulnerable:
        ids = ", ".join(v["id"] for v in dep["vulns"])
        print(f"VULNERABLE: {dep['name']} {dep['version']}: {ids}")
    print(f"pip-audit: {audited} of {len(deps)} packages audited, {len(vulnerable)} vulnerable.")
    if skipped:
        reasons = {d["skip_reason"].split(":")[0] for d in skipped}
        print(
            f"WARNING: {len(skipped)} packages were NOT audited ({'; '.join(sorted(reasons))}). "
            "The vulnerability database (PyPI's JSON API) did not answer for them."
        )
    if vulnerable:
        return 1
    return 1 if strict and skipped else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
