"""botocore's reading of AWS config files, as an oracle for vault's INI reader.

stdin: a JSON array of file texts. stdout: a JSON array, one entry per text, either
{"profiles": {...}, "sso_sessions": {...}} (botocore's raw_config_parse, then build_profile_map,
as the AWS CLI does) or {"error": "<exception class>"}. One process for a whole batch.
"""
import json
import os
import sys
import tempfile

from botocore.configloader import build_profile_map, raw_config_parse


def read(text, path):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    try:
        built = build_profile_map(raw_config_parse(path))
    except Exception as e:  # noqa: BLE001 - the class is the answer
        return {"error": type(e).__name__}
    return {"profiles": built["profiles"], "sso_sessions": built["sso_sessions"]}


def main():
    texts = json.load(sys.stdin)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "config")
        json.dump([read(t, path) for t in texts], sys.stdout)


main()
