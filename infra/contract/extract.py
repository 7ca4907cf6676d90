"""Regenerates lib/contract/model.json: the identity operations of AgentCore's wire contract.

The botocore service models (shipped with boto3/moto on every machine of this project) carry
the exact constraints of every field: required members, lengths, patterns, enums. We keep only
the operations this service implements and the shapes they reach, without documentation, so that
validation at the edge is driven by the same data the official clients are generated from.

Run: python3 infra/contract/extract.py
"""
import gzip
import json
import os

import botocore

SERVICES = {
    "control": ("bedrock-agentcore-control", "2023-06-05"),
    "data": ("bedrock-agentcore", "2024-02-28"),
}
KEEP_KEYS = {"type", "required", "members", "member", "key", "value", "min", "max", "pattern",
             "enum", "sensitive", "union", "error", "exception", "location", "locationName",
             "timestampFormat", "jsonvalue"}


def load(service, version):
    path = os.path.join(os.path.dirname(botocore.__file__), "data", service, version, "service-2.json")
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    with gzip.open(path + ".gz") as f:
        return json.load(f)


def strip(node):
    if not isinstance(node, dict):
        return node
    kept = {k: strip(v) for k, v in node.items() if k in KEEP_KEYS or k == "shape"}
    if "members" in node:
        kept["members"] = {name: strip(ref) for name, ref in node["members"].items()}
    return kept


def apply_overlay(out):
    """Adds what the JS SDK clients already have and botocore's model does not (overlay.json)."""
    import fnmatch
    with open(os.path.join(os.path.dirname(__file__), "overlay.json")) as f:
        overlay = json.load(f)
    out["shapes"].update(overlay["shapes"])
    for pattern, members in overlay["members"].items():
        for name in fnmatch.filter(list(out["shapes"]), pattern):
            for member, target in members.items():
                out["shapes"][name]["members"][member] = {"shape": target}
    for pattern, optional in overlay["optional"].items():
        for name in fnmatch.filter(list(out["shapes"]), pattern):
            shape = out["shapes"][name]
            shape["required"] = [m for m in shape.get("required", []) if m not in optional]


def main():
    out = {"operations": {}, "shapes": {}}
    for plane, (service, version) in SERVICES.items():
        model = load(service, version)
        shapes = model["shapes"]
        wanted = []
        for name, op in sorted(model["operations"].items()):
            uri = op["http"]["requestUri"]
            if not uri.startswith("/identities") or "Payment" in name:
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
                                               "botocore": botocore.__version__}
    apply_overlay(out)
    target = os.path.join(os.path.dirname(__file__), "..", "..", "lib", "contract", "model.json")
    with open(target, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(out['operations'])} operations, {len(out['shapes'])} shapes -> {os.path.normpath(target)}")


if __name__ == "__main__":
    main()
