"""Wire parity from Python: runs the parity cases (test/api/parity-cases.ts) through boto3.

One process per boto3, driven by test/api/parity-boto3.test.ts:

    python3 parity_boto3.py <cases.json> [--prove-recipe <botocore wheel>]

prints one JSON document: for every case the HTTP status, the error code, the raw body and what
boto3 parsed (the test checks the raw body against the contract and that boto3's model knew every
member the service sent). With --prove-recipe <wheel or recipe.sh> (run with HOME set to an empty
folder) it first gives this botocore a model without the members botocore 1.43.11 lacks, shows
that boto3 then refuses them, and applies the README's recipe (its shell block as written, or
add_current_models below), so that the recipe is proven whatever botocore this machine has.

    python3 parity_boto3.py --add-models <botocore wheel>

applies only the README's recipe (what .ci/run does for the README's own examples).
"""
import copy
import gzip
import json
import os
import re
import subprocess
import sys
import time
import zipfile

MODELS = ["bedrock-agentcore-control/2023-06-05/service-2.json", "bedrock-agentcore/2024-02-28/service-2.json"]


# The README's recipe, as written there: botocore reads ~/.aws/models before its own data, so the
# two services' models of the botocore release this project tests against give an older botocore
# every member and operation they have.
def add_current_models(wheel):
    archive = zipfile.ZipFile(wheel)
    names = set(archive.namelist())
    for model in MODELS:
        name = "botocore/data/" + model
        data = archive.read(name) if name in names else gzip.decompress(archive.read(name + ".gz"))
        target = os.path.join(os.path.expanduser("~/.aws/models"), model)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as f:
            f.write(data)


# What botocore 1.43.11's models lack of today's identity contract (the members the project's
# former overlay added, private key JWT and consent portals), and what they still required.
OLD_LACKS = {"apiKeySecretSource", "apiKeySecretConfig", "apiKeySecretJsonKey", "clientSecretSource",
             "clientSecretConfig", "clientSecretJsonKey", "privateKeyJwtConfig"}
OLD_REQUIRED = {"apiKey", "clientSecret"}


def as_old_botocore(model):
    """The model with what botocore 1.43.11 lacks taken out."""
    model = copy.deepcopy(model)
    for name in [n for n in model["operations"] if "ConsentPortal" in n]:
        del model["operations"][name]
    for shape in model["shapes"].values():
        members = shape.get("members", {})
        for member in OLD_LACKS & set(members):
            del members[member]
        if members:
            shape["required"] = sorted(set(shape.get("required", [])) | (OLD_REQUIRED & set(members)))
        if "PRIVATE_KEY_JWT" in shape.get("enum", []):
            shape["enum"].remove("PRIVATE_KEY_JWT")
    return model


def installed_models():
    import botocore.loaders
    loader = botocore.loaders.Loader()
    models = {}
    for model in MODELS:
        service, version, _ = model.split("/")
        models[model] = loader.load_service_model(service, "service-2", version)
    return models


def write_models(models):
    for model, data in models.items():
        target = os.path.join(os.path.expanduser("~/.aws/models"), model)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w") as f:
            json.dump(data, f)


def create_members():
    import botocore.session
    shape = botocore.session.get_session().get_service_model("bedrock-agentcore-control").operation_model("CreateApiKeyCredentialProvider").input_shape
    return set(shape.members)


def prove_recipe(recipe, endpoint, region):
    """An old model refuses the members client-side; the recipe makes the same botocore send them.

    `recipe` is the botocore wheel for add_current_models, or a shell script: the README's own
    recipe block, run as written."""
    import boto3
    from botocore.exceptions import ParamValidationError
    write_models({model: as_old_botocore(data) for model, data in installed_models().items()})
    assert "apiKeySecretSource" not in create_members(), "the simulated old model still has apiKeySecretSource"
    old = boto3.client("bedrock-agentcore-control", endpoint_url=endpoint, region_name=region)
    try:
        old.create_api_key_credential_provider(name="never-sent", apiKeySecretSource="EXTERNAL", apiKeySecretConfig={"secretId": "s", "jsonKey": "k"})
        raise AssertionError("a botocore without apiKeySecretSource sent it")
    except ParamValidationError:
        pass
    if recipe.endswith(".sh"):
        subprocess.run(["sh", recipe], check=True, stdout=sys.stderr)
    else:
        add_current_models(recipe)
    missing = {"apiKeySecretSource", "apiKeySecretConfig"} - create_members()
    assert not missing, f"the recipe did not add {missing}"
    return {"refusedBefore": True, "membersAfter": sorted(create_members())}


def plain(value):
    return json.loads(json.dumps(value, default=str))


def take_lock(path):
    """The token vault lock of test/setup/token-vault-lock.ts: a folder made atomically."""
    deadline = time.time() + 120
    while True:
        try:
            os.mkdir(path)
            return True
        except FileExistsError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)


def resolve(value, captured):
    """The case's input with every {{name}} replaced by what an earlier case captured (ParityCase.capture)."""
    if isinstance(value, str):
        return re.sub(r"\{\{(\w+)\}\}", lambda m: captured.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [resolve(v, captured) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, captured) for k, v in value.items()}
    return value


def capture(case, body, captured):
    if not case.get("capture") or not body:
        return
    value = json.loads(body).get(case["capture"]["member"])
    if isinstance(value, str):
        captured[case["capture"]["name"]] = value


def run(cases, endpoint, region, vault_lock):
    import boto3
    import botocore
    from botocore.config import Config
    from botocore.exceptions import ClientError, ParamValidationError
    config = Config(retries={"max_attempts": 1}, read_timeout=30)
    session = boto3.Session(region_name=region, aws_access_key_id="local", aws_secret_access_key="local")
    clients = {plane: session.client(service, endpoint_url=endpoint, config=config)
               for plane, service in (("control", "bedrock-agentcore-control"), ("data", "bedrock-agentcore"))}
    seen = {}

    def after_call(http_response, **_):
        seen["status"] = http_response.status_code
        seen["body"] = http_response.content.decode("utf-8")
    for client in clients.values():
        client.meta.events.register("after-call", after_call)
    results = []
    captured = {}
    held = False
    try:
        for case in cases:
            held = take_lock(vault_lock) if case.get("vaultLock") == "take" else held
            seen.clear()
            result = {}
            try:
                parsed = getattr(clients[case["plane"]], botocore.xform_name(case["operation"]))(**resolve(case["input"], captured))
                parsed.pop("ResponseMetadata", None)
                result["parsed"] = plain(parsed)
            except ClientError as error:
                result["errorType"] = error.response["Error"]["Code"]
            except (ParamValidationError, AttributeError) as error:
                result["refused"] = f"{type(error).__name__}: {error}"
            results.append({**result, "status": seen.get("status", 0), "body": seen.get("body", "")})
            capture(case, seen.get("body", ""), captured)
            if case.get("vaultLock") == "release":
                os.rmdir(vault_lock)
                held = False
    finally:
        if held:
            os.rmdir(vault_lock)
    return {"boto3": boto3.__version__, "botocore": botocore.__version__, "modelFrom": model_location(), "results": results}


def model_location():
    import botocore.loaders
    _, path = botocore.loaders.Loader().load_data_with_path(MODELS[0].rsplit(".", 1)[0])
    return path


def main(argv):
    if argv[0] == "--add-models":
        add_current_models(argv[1])
        return
    with open(argv[0]) as f:
        spec = json.load(f)
    proof = prove_recipe(argv[argv.index("--prove-recipe") + 1], spec["endpoint"], spec["region"]) if "--prove-recipe" in argv else None
    out = run(spec["cases"], spec["endpoint"], spec["region"], spec["vaultLock"])
    print(json.dumps({**out, "recipe": proof}))


if __name__ == "__main__":
    main(sys.argv[1:])
