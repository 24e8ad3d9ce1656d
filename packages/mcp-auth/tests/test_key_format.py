"""One key format: what `keys create` issues, the verifier parses and the scrubber hides."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from mcp_auth import APIKeyVerifier, parse_api_key, scrub_secrets
from mcp_auth.cli import keys_main

# Every shape of prefix the issuer allows: shortest, longest, digits, the default.
PREFIXES = ["mcpk", "acme", "ab", "z9", "a123456789abcdef"]
GOOD_ID = "0123456789abcdef"
GOOD_SECRET = "Ab3" * 14 + "x"  # 43 base62 characters


def issue(path: Path, name: str, prefix: str) -> tuple[str, str]:
    """A key made by the CLI, and its record id."""
    out, err = io.StringIO(), io.StringIO()
    argv = ["create", "--file", str(path), "--name", name, "--prefix", prefix, "--json"]
    assert keys_main(argv, stdout=out, stderr=err) == 0, err.getvalue()
    data = json.loads(out.getvalue())
    return data["key"], data["id"]


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_every_issued_key_is_parsed_verified_and_scrubbed(
    tmp_path: Path, prefix: str
) -> None:
    path = tmp_path / "keys.json"
    for n in range(5):  # several keys: secrets are random, the format must hold for each
        key, key_id = issue(path, f"bot-{n}", prefix)
        parsed = parse_api_key(key)
        assert parsed is not None
        assert (parsed.prefix, parsed.key_id) == (prefix, key_id)
        principal = await APIKeyVerifier(path, prefix=prefix).verify(key)
        assert principal.client_id == key_id
        for text in (key, f"token={key}", f"token_{key}", f"({key}).", f"a {key}\nb"):
            scrubbed = scrub_secrets(text)
            assert key not in scrubbed
            assert key.rsplit("_", 1)[1] not in scrubbed  # not even the secret alone
            assert "[redacted]" in scrubbed


@pytest.mark.parametrize("prefix", ["A", "a", "1abc", "ac-me", "ac_me", "Acme", "a" * 17, ""])
def test_the_cli_refuses_prefixes_the_format_does_not_allow(
    tmp_path: Path, prefix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["create", "--file", str(tmp_path / "k.json"), "--name", "x", "--prefix", prefix]
    assert keys_main(argv) == 2
    assert "key prefix must be 2-16 lowercase letters or digits" in capsys.readouterr().err
    assert not (tmp_path / "k.json").exists()


@pytest.mark.parametrize(
    "token",
    [
        f"mcpk_{GOOD_ID.upper()}_{GOOD_SECRET}",  # id must be lowercase hex
        f"mcpk_{GOOD_ID[:-1]}_{GOOD_SECRET}",  # 15-character id
        f"mcpk_{GOOD_ID}0_{GOOD_SECRET}",  # 17-character id
        f"mcpk_0123456789abcdeg_{GOOD_SECRET}",  # not hex
        f"mcpk_{GOOD_ID}_{GOOD_SECRET[:-1]}",  # short secret
        f"mcpk_{GOOD_ID}_{GOOD_SECRET}x",  # long secret
        f"mcpk_{GOOD_ID}_{GOOD_SECRET[:-1]}-",  # secret outside base62
        f"Mcpk_{GOOD_ID}_{GOOD_SECRET}",  # capital in the prefix
        f"9cpk_{GOOD_ID}_{GOOD_SECRET}",  # prefix starting with a digit
        f"m_{GOOD_ID}_{GOOD_SECRET}",  # one-character prefix
        f"{'a' * 17}_{GOOD_ID}_{GOOD_SECRET}",  # 17-character prefix
        f"mc_pk_{GOOD_ID}_{GOOD_SECRET}",  # underscore inside the prefix
        f" mcpk_{GOOD_ID}_{GOOD_SECRET}",  # surrounding whitespace is not stripped
        f"mcpk_{GOOD_ID}_{GOOD_SECRET}\n",
        "",
    ],
)
def test_other_shapes_are_not_parsed_as_keys(token: str) -> None:
    assert parse_api_key(token) is None


def test_the_well_formed_reference_key_parses() -> None:
    # Guards the negative cases above: they differ from a valid key in one respect only.
    parsed = parse_api_key(f"mcpk_{GOOD_ID}_{GOOD_SECRET}")
    assert parsed is not None
    assert (parsed.prefix, parsed.key_id) == ("mcpk", GOOD_ID)


@pytest.mark.parametrize(
    "text",
    [
        "snake_case_identifier_with_many_words_but_no_key_in_it_at_all",
        f"commit_{GOOD_ID}_short",
    ],
)
def test_the_scrubber_leaves_text_that_is_not_a_key(text: str) -> None:
    assert scrub_secrets(text) == text
