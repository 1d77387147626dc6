import pytest
@pytest.mark.django_db
def test_ops(client):
    schema = client.get("/api/v1/openapi.json").json()
    bad=[]
    for path, ops in schema["paths"].items():
        if "/contributions/" not in path: continue
        for method, op in ops.items():
            expected = {"401", "422"}
            if "{" in path: expected.add("404")
            if method != "get": expected.add("403")
            if method == "patch": expected.add("409")
            declared = {c for c in op["responses"] if c.startswith(("4","5"))}
            if declared != expected: bad.append((method, path, declared, expected))
    assert not bad, bad
