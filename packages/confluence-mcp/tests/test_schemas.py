import json

from pydantic import BaseModel

from confluence_mcp.models import PageList, PageRef, ResultModel, SpaceInfo
from confluence_mcp.schemas import compact_input_schema, inline_local_refs, output_schema_for


def test_input_schema_drops_null_branches_and_defaults() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"anyOf": [{"type": "string", "pattern": "x"}, {"type": "null"}], "default": None},
            "b": {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]},
            "c": {"type": "integer", "default": 3},
        },
        "required": ["c"],
    }
    assert compact_input_schema(schema) == {
        "type": "object",
        "properties": {
            "a": {"type": "string", "pattern": "x"},
            "b": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            "c": {"type": "integer"},
        },
        "required": ["c"],
    }


def test_output_schema_is_compact_and_inlined() -> None:
    schema = output_schema_for(PageList)
    text = json.dumps(schema)
    assert "$ref" not in text
    assert "null" not in text
    assert '"title": {"type": "string"}' in text  # a property named title survives
    assert "required" not in text
    assert "default" not in text
    item = schema["properties"]["pages"]["items"]
    assert set(item["properties"]) == {"id", "title", "version", "url"}


def test_description_property_survives_but_docstrings_do_not() -> None:
    schema = output_schema_for(SpaceInfo)
    assert "description" in schema["properties"]
    assert "description" not in schema


def test_result_models_omit_none() -> None:
    ref = PageRef(id="1", title="T")
    assert ref.model_dump() == {"id": "1", "title": "T"}
    assert json.loads(PageList(pages=[ref]).model_dump_json()) == {
        "pages": [{"id": "1", "title": "T"}]
    }


def test_schema_accepts_what_models_emit() -> None:
    import jsonschema

    class Sample(ResultModel):
        name: str
        count: int | None = None
        tags: list[str] | None = None

    schema = output_schema_for(Sample)
    jsonschema.validate(Sample(name="x").model_dump(mode="json"), schema)
    jsonschema.validate(Sample(name="x", count=2, tags=["a"]).model_dump(mode="json"), schema)
    assert issubclass(Sample, BaseModel)


def test_local_refs_are_inlined_like_fastmcp_does() -> None:
    from fastmcp.utilities.json_schema import dereference_refs

    schema = {
        "type": "object",
        "$defs": {"File": {"type": "object", "properties": {"name": {"type": "string"}}}},
        "properties": {
            "files": {"type": "array", "items": {"$ref": "#/$defs/File"}, "maxItems": 3},
            "one": {"$ref": "#/$defs/File", "description": "kept"},
        },
    }
    inlined = inline_local_refs(schema)
    assert "$defs" not in json.dumps(inlined)
    assert "$ref" not in json.dumps(inlined)
    assert inlined == dereference_refs(schema)
    assert inlined["properties"]["one"]["description"] == "kept"


def test_recursive_or_dangling_refs_are_left_alone() -> None:
    recursive = {
        "$defs": {"Node": {"type": "object", "properties": {"kids": {"$ref": "#/$defs/Node"}}}},
        "properties": {"root": {"$ref": "#/$defs/Node"}},
    }
    dangling = {"$defs": {}, "properties": {"x": {"$ref": "#/$defs/Missing"}}}
    assert inline_local_refs(recursive) is recursive
    assert inline_local_refs(dangling) is dangling
    assert inline_local_refs({"type": "string"}) == {"type": "string"}


async def test_no_tool_schema_leaves_references_to_resolve_at_list_time() -> None:
    from confluence_mcp.app import create_server
    from confluence_mcp.settings import Settings

    mcp = create_server(Settings(_env_file=None, confluence_url="https://x.atlassian.net/wiki"))
    for tool in await mcp.list_tools(run_middleware=False):
        for schema in (tool.parameters, tool.output_schema or {}):
            assert "$ref" not in json.dumps(schema), tool.name
