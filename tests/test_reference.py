"""docs/cli.md and docs/json.md are generated (docs/make_reference.py): the committed files must be what the code
writes today, so that a new option or a new --json field cannot be left out of the reference."""

import importlib.util
import json

import pytest

from tests.conftest import EXAMPLE, ROOT
from tests.helpers import invoke, run

spec = importlib.util.spec_from_file_location("make_reference", ROOT / "docs" / "make_reference.py")
make_reference = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_reference)


@pytest.mark.parametrize(("path", "make"), [("cli.md", "cli_reference"), ("json.md", "json_reference")])
def test_the_committed_reference_is_what_the_code_writes(path, make):
    committed = (ROOT / "docs" / path).read_text(encoding="utf-8")
    assert committed == getattr(make_reference, make)(), (
        f"docs/{path} is out of date: run `{make_reference.REFRESH}` and commit it")


def test_every_command_and_option_is_in_the_cli_reference():
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for command in ("check", "summary", "baseline", "batch", "init", "addin install"):
        assert f"## salesmetrics {command}\n" in text
    for option in ("--tracking-sheet NAME", "--as-of DATE", "--rollup-reps", "--dry-run", "--detail", "--version"):
        assert option in text


def fields_outside(value: object, schema: dict, defs: dict, where: str = "") -> list[str]:
    """Where the printed JSON has other fields than its model's schema says: an object's keys are its properties,
    every required one among them (a field with a default may be left out at it: the summary's reps say only what
    is not the usual); a map's keys are data (metrics, reps), its values are walked."""
    if "$ref" in schema:
        return fields_outside(value, defs[schema["$ref"].rsplit("/", 1)[1]], defs, where)
    if "anyOf" in schema:
        found = [fields_outside(value, option, defs, where) for option in schema["anyOf"]]
        return min(found, key=len)
    if isinstance(value, list):
        if schema.get("type") != "array":
            return [f"{where}: a list where the schema has {schema}"]
        return [bad for i, item in enumerate(value) for bad in fields_outside(item, schema["items"], defs,
                                                                             f"{where}[{i}]")]
    if isinstance(value, dict):
        if "properties" in schema:
            required = set(schema.get("required", []))
            bad = [f"{where}: printed {sorted(set(value) - set(schema['properties']))}, "
                   f"left out {sorted(required - set(value))}"] \
                if not required <= set(value) <= set(schema["properties"]) else []
            return bad + [b for key, item in value.items() if key in schema["properties"]
                          for b in fields_outside(item, schema["properties"][key], defs, f"{where}.{key}")]
        if "additionalProperties" in schema:
            return [b for key, item in value.items()
                    for b in fields_outside(item, schema["additionalProperties"], defs, f"{where}[{key!r}]")]
        return [] if schema.get("type") == "object" else [f"{where}: an object where the schema has {schema}"]
    return []


def test_what_the_commands_print_is_what_the_models_declare(tmp_path):
    """Each --json report, as a command prints it, has exactly the fields its model's schema (docs/json.md) has,
    all the way down."""
    from salesmetrics_xl.baseline import BaselineReport
    from salesmetrics_xl.check import CheckReport
    from salesmetrics_xl.reports import BatchReport, ErrorReport, SummaryReport

    team = tmp_path / "team.xlsx"
    team.write_bytes(EXAMPLE.read_bytes())
    printed = [(CheckReport, record) for record in json.loads(invoke("check", "--json", str(team)).stdout)]
    printed += [
        (SummaryReport, json.loads(invoke("summary", str(team), "--json").stdout)),
        (BaselineReport, json.loads(invoke("baseline", str(team), "--as-of", "2026-11-22", "--dry-run",
                                           "--json").stdout)),
        (ErrorReport, json.loads(invoke("baseline", str(tmp_path / "none.xlsx"), "--json").stdout)),
        (BatchReport, json.loads(run("batch", str(team), "--out-dir", str(tmp_path / "out"), "--jobs", "1",
                                     "--json").stdout)),
    ]
    for model, record in printed:
        schema = model.model_json_schema(mode="serialization")
        assert fields_outside(record, schema, schema.get("$defs", {}), model.__name__) == []
    assert any("funnel" in rep for rep in printed[1][1]["summary"]["reps"]), "the example has funnels to check"
    for model, record in printed:  # only the summary's records leave a field out; every other report prints all
        if model.__name__ != "SummaryReport":
            assert set(record) == set(model.model_json_schema(mode="serialization")["properties"])
