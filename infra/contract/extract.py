"""Regenerates lib/contract/model.json: the identity operations of AgentCore's wire contract.

The botocore service models carry the exact constraints of every field: required members, lengths,
patterns, enums (the JS SDK's schemas carry none). We keep the identity operations (those under
/identities, and the tag operations) and the shapes they reach, without documentation, so that
validation at the edge is driven by the same data the official clients are generated from.

The model comes from one pinned botocore release, BOTOCORE: the installed botocore when it is that
release, otherwise its wheel fetched with `pip download` into node_modules/.cache. An update of the
contract is a change of that one line, `npm run contract`, and whatever behaviour the new members
bring. Payment operations are left out: this service does not implement them.

Run: npm run contract   (python3 infra/contract/extract.py)
"""
import gzip
import io
import json
import os
import subprocess
import sys
import zipfile

BOTOCORE = "1.43.107"

SERVICES = {
    "control": ("bedrock-agentcore-control", "2023-06-05"),
    "data": ("bedrock-agentcore", "2024-02-28"),
}
KEEP_KEYS = {"type", "required", "members", "member", "key", "value", "min", "max", "pattern",
             "enum", "sensitive", "union", "error", "exception", "location", "locationName",
             "timestampFormat", "jsonvalue"}
ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))


def installed_models():
    try:
        import botocore
    except ImportError:
        return None
    if botocore.__version__ != BOTOCORE:
        return None
    base = os.path.join(os.path.dirname(botocore.__file__), "data")

    def read(relative):
        path = os.path.join(base, relative)
        if os.path.exists(path):
            with open(path, "rb") as f:
                return f.read()
        with gzip.open(path + ".gz") as f:
            return f.read()
    return read


def wheel_models():
    cache = os.path.join(ROOT, "node_modules", ".cache", "botocore-" + BOTOCORE)
    wheels = [f for f in os.listdir(cache) if f.endswith(".whl")] if os.path.isdir(cache) else []
    if not wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--dest", cache, "botocore==" + BOTOCORE], check=True)
        wheels = [f for f in os.listdir(cache) if f.endswith(".whl")]
    archive = zipfile.ZipFile(os.path.join(cache, wheels[0]))
    names = set(archive.namelist())

    def read(relative):
        name = "botocore/data/" + relative
        if name in names:
            return archive.read(name)
        return gzip.GzipFile(fileobj=io.BytesIO(archive.read(name + ".gz"))).read()
    return read


def load(read, service, version):
    return json.loads(read(f"{service}/{version}/service-2.json"))


def strip(node):
    if not isinstance(node, dict):
        return node
    kept = {k: strip(v) for k, v in node.items() if k in KEEP_KEYS or k == "shape"}
    if "members" in node:
        kept["members"] = {name: strip(ref) for name, ref in node["members"].items()}
    return kept


def is_identity_operation(name, uri):
    if "Payment" in name:
        return False
    return uri.startswith("/identities") or uri.startswith("/tags/")


def main():
    read = installed_models() or wheel_models()
    out = {"operations": {}, "shapes": {}}
    for plane, (service, version) in SERVICES.items():
        model = load(read, service, version)
        shapes = model["shapes"]
        wanted = []
        for name, op in sorted(model["operations"].items()):
            uri = op["http"]["requestUri"]
            if not is_identity_operation(name, uri):
                continue
            out["operations"][name] = {
                "plane": plane,
                "method": op["http"]["method"],
                "path": uri,
                "status": op["http"].get("responseCode", 200),
                "input": op.get("input", {}).get("shape"),
                "output": op.get("output", {}).get("shape"),
                "errors": [e["shape"] for e in op.get("errors", [])],
            }
            wanted += [s for s in (op.get("input", {}).get("shape"), op.get("output", {}).get("shape")) if s]
            wanted += [e["shape"] for e in op.get("errors", [])]
        seen = set()
        while wanted:
            name = wanted.pop()
            if name in seen:
                continue
            seen.add(name)
            shape = shapes[name]
            previous = out["shapes"].get(name)
            stripped = strip(shape)
            if previous is not None and previous != stripped:
                raise SystemExit(f"shape {name} differs between the two planes")
            out["shapes"][name] = stripped
            for ref in list(shape.get("members", {}).values()) + [shape.get(k) for k in ("member", "key", "value")]:
                if ref:
                    wanted.append(ref["shape"])
        out.setdefault("source", {})[plane] = {"service": service, "apiVersion": version,
                                               "botocore": BOTOCORE}
    target = os.path.join(ROOT, "lib", "contract", "model.json")
    with open(target, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(out['operations'])} operations, {len(out['shapes'])} shapes -> {os.path.normpath(target)}")


if __name__ == "__main__":
    main()
