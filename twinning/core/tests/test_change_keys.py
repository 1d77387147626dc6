"""Every name a service writes into an audit event's changes has a label in the reader's language: a field of the
audited record (its translated verbose name) or a name in core.history.CHANGE_LABELS. A name that is neither shows
in English ("answered") on a French reader's history, so this test reads the source of every module that writes the
audit log and fails on one.

The walk is static (ast): it finds each call to audit_record / create_with_audit / update_with_audit /
AuditEvent(...), the record it audits (the `obj=` variable, or the model of `target_type=`), and every constant key
of the dict literals given as `changes=` / `extra_changes=` / `extra_values=`, directly or through a local variable
built in the same function (`changes = {...}`, `changes["x"] = ...`, `changes.update({...})`). Keys computed at run time come from field lists (snapshots) and are
fields by construction."""

import ast
import pathlib

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

import twinning
from twinning.core.history import CHANGE_LABELS, is_bookkeeping

AUDIT_CALLS = frozenset({"audit_record", "create_with_audit", "update_with_audit", "AuditEvent"})
CHANGE_ARGUMENTS = frozenset({"changes", "extra_changes", "extra_values"})
ROOT = pathlib.Path(twinning.__file__).parent


def _models_by_name() -> dict[str, type]:
    found: dict[str, type] = {}
    for model in apps.get_models():
        if model.__module__.startswith("twinning."):
            found[model.__name__] = model
    return found


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _dict_keys(node: ast.AST | None) -> list[str]:
    """The constant keys of a dict literal, with those of the dicts it unpacks (`**{...}`, `**({...} if c else {})`)."""
    if isinstance(node, ast.Dict):
        keys = []
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                keys += _dict_keys(value)
            elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                keys.append(key.value)
        return keys
    if isinstance(node, ast.IfExp):
        return _dict_keys(node.body) + _dict_keys(node.orelse)
    if isinstance(node, ast.BoolOp):
        return [key for value in node.values for key in _dict_keys(value)]
    return []


def _keys_of_variable(function: ast.AST, name: str) -> list[str]:
    """The constant keys a function puts in its local dict `name`."""
    keys: list[str] = []
    for node in ast.walk(function):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id == name:
                    keys += _dict_keys(node.value)
                elif (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == name
                    and isinstance(target.slice, ast.Constant)
                    and isinstance(target.slice.value, str)
                ):
                    keys.append(target.slice.value)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"update", "setdefault"}
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name
        ):
            for argument in node.args[:1]:
                if node.func.attr == "update":
                    keys += _dict_keys(argument)
                elif isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    keys.append(argument.value)
            keys += [k.arg for k in node.keywords if k.arg]
    return keys


def _annotation_name(annotation: ast.AST | None) -> str:
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return annotation.value.split(".")[-1].strip('"')
    if isinstance(annotation, ast.Name):
        return annotation.id
    if isinstance(annotation, ast.Attribute):
        return annotation.attr
    return ""


def _model_of(
    function: ast.AST, node: ast.AST | None, models: dict[str, type], depth: int = 0
) -> type | None:
    """The model of the record an expression holds, read from the function: a parameter's annotation, an
    assignment from `Model(...)`, `Model.objects....`, `lock_current(x)`, `get_for_model(Model)`, or a loop over
    a list annotated with the model."""
    if depth > 5 or node is None:
        return None
    if isinstance(node, ast.Name) and node.id in models:
        return models[node.id]
    if isinstance(node, ast.Call):
        name = _call_name(node)
        if name in models:
            return models[name]
        if name in {"lock_current", "get_for_model"} and node.args:
            return _model_of(function, node.args[0], models, depth + 1)
        base: ast.AST = node.func
        while isinstance(base, ast.Attribute | ast.Call):
            base = base.value if isinstance(base, ast.Attribute) else base.func
        if isinstance(base, ast.Name) and base.id in models:
            return models[base.id]
        return None
    if not isinstance(node, ast.Name):
        return None
    arguments = function.args  # type: ignore[attr-defined]
    for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
        if argument.arg == node.id:
            return models.get(_annotation_name(argument.annotation))
    for statement in ast.walk(function):
        if isinstance(statement, ast.Assign) and any(
            (isinstance(t, ast.Name) and t.id == node.id)
            # `record, created = Model.objects.get_or_create(...)`
            or (isinstance(t, ast.Tuple) and getattr(t.elts[0], "id", None) == node.id)
            for t in statement.targets
        ):
            found = _model_of(function, statement.value, models, depth + 1)
            if found is not None:
                return found
        if isinstance(statement, ast.AnnAssign) and getattr(statement.target, "id", None) == node.id:
            found = models.get(_annotation_name(statement.annotation))
            if found is not None:
                return found
        if (
            isinstance(statement, ast.For | ast.comprehension)
            and getattr(statement.target, "id", None) == node.id
        ):
            found = _model_of(function, statement.iter, models, depth + 1)
            if found is None and isinstance(statement.iter, ast.Name):
                for argument in [*arguments.args, *arguments.kwonlyargs]:
                    if argument.arg == statement.iter.id and isinstance(argument.annotation, ast.Subscript):
                        found = models.get(_annotation_name(argument.annotation.slice))
            if found is not None:
                return found
    return None


def _audit_writes() -> list[tuple[str, type | None, str]]:
    """(where, audited model or None when it cannot be read, key) for every constant change key in the project."""
    models = _models_by_name()
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for call in ast.walk(function):
                if not isinstance(call, ast.Call) or _call_name(call) not in AUDIT_CALLS:
                    continue
                arguments = {k.arg: k.value for k in call.keywords}
                if not CHANGE_ARGUMENTS & set(arguments):
                    continue
                audited = arguments.get("obj", arguments.get("target_type"))
                model = _model_of(function, audited, models)
                where = f"{path.relative_to(ROOT.parent)}:{call.lineno}"
                for argument in CHANGE_ARGUMENTS & set(arguments):
                    value = arguments[argument]
                    if isinstance(value, ast.Name):
                        keys = _keys_of_variable(function, value.id)
                    else:
                        keys = _dict_keys(value)
                        if isinstance(value, ast.BoolOp):  # `extra or None`
                            keys += [
                                k
                                for v in value.values
                                if isinstance(v, ast.Name)
                                for k in _keys_of_variable(function, v.id)
                            ]
                    found += [(where, model, key) for key in keys]
    return found


def _labelled(model: type | None, key: str) -> bool:
    if key in CHANGE_LABELS or is_bookkeeping(key):
        return True
    if model is None:
        return False
    try:
        model._meta.get_field(key)
    except FieldDoesNotExist:
        return False
    return True


def test_the_walk_finds_the_audit_writes_and_the_records_they_audit():
    writes = _audit_writes()
    assert len(writes) > 30
    unresolved = sorted({where for where, model, _key in writes if model is None})
    # A change key is checked against the audited model's fields: a call whose record the walk cannot read is
    # reported here, so that it is made readable (annotate the variable) rather than skipped.
    assert unresolved == []


def test_every_change_key_a_service_writes_is_a_field_of_the_record_or_has_a_label():
    unlabelled = sorted(
        f"{where} {model.__name__ if model else '?'}: {key!r}"
        for where, model, key in _audit_writes()
        if not _labelled(model, key)
    )
    assert unlabelled == []


@pytest.mark.parametrize(
    "source, expected",
    [
        (
            'def f(plan: "Plan"):\n    audit_record(obj=plan, changes={"title": 1, "nonsense": 2})',
            ["nonsense"],
        ),
        (
            "def f(plan: Plan):\n    changes = {}\n    changes['odd key'] = 1\n"
            "    audit_record(obj=plan, changes=changes)",
            ["odd key"],
        ),
    ],
)
def test_the_check_catches_a_key_that_is_neither_a_field_nor_labelled(source, expected):
    models = _models_by_name()
    function = ast.parse(source).body[0]
    call = next(n for n in ast.walk(function) if isinstance(n, ast.Call) and _call_name(n) == "audit_record")
    arguments = {k.arg: k.value for k in call.keywords}
    model = _model_of(function, arguments["obj"], models)
    assert model is models["Plan"]
    value = arguments["changes"]
    keys = _keys_of_variable(function, value.id) if isinstance(value, ast.Name) else _dict_keys(value)
    assert [key for key in keys if not _labelled(model, key)] == expected
