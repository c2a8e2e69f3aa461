"""What a verified body is, by content type and fields: a word in a value never changes the route."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from bot.guard.body import MAX_FORM_FIELDS, Kind, MalformedBody, content_length, parse

FORM = "application/x-www-form-urlencoded"


def command(text: str, **extra: str) -> bytes:
    fields = {"token": "t", "team_id": "T1", "channel_id": "C1", "channel_name": "general", "user_id": "U1"}
    return urllib.parse.urlencode({**fields, "command": "/finetune", "text": text, **extra}).encode()


class TestRouting:
    @pytest.mark.parametrize(
        "text",
        ["", "help", "payload", "payload=1", 'payload={"type":"block_actions"}', "new data=s3://b/payload.jsonl"],
    )
    def test_a_slash_command_is_a_command_whatever_its_text(self, text: str) -> None:
        parsed = parse(FORM, command(text))
        assert parsed.kind is Kind.COMMAND
        assert parsed.fields["text"] == text
        assert parsed.fields["command"] == "/finetune"

    def test_a_channel_named_payload_does_not_change_the_route(self) -> None:
        parsed = parse(FORM + "; charset=utf-8", command("help", channel_name="payload-team"))
        assert parsed.kind is Kind.COMMAND
        assert parsed.fields["channel_name"] == "payload-team"

    def test_a_text_starting_with_a_brace_stays_a_form_field(self) -> None:
        body = urllib.parse.urlencode({"command": "/finetune", "text": "{}"}).encode()
        assert parse(FORM, body).fields["text"] == "{}"

    def test_an_interaction_is_its_payloads_json_object(self) -> None:
        payload = {"type": "block_actions", "actions": [{"value": "payload"}]}
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        parsed = parse(FORM, body)
        assert parsed.kind is Kind.INTERACTION
        assert parsed.fields == payload

    def test_an_event_callback_is_a_json_object(self) -> None:
        envelope = {"type": "event_callback", "event": {"type": "message", "text": "payload=x"}}
        parsed = parse("application/json", json.dumps(envelope).encode())
        assert parsed.kind is Kind.EVENT
        assert parsed.fields == envelope

    def test_url_verification_is_an_event(self) -> None:
        parsed = parse("application/json", b'{"type": "url_verification", "challenge": "c"}')
        assert parsed.kind is Kind.EVENT

    def test_slacks_ssl_check_is_recognised(self) -> None:
        assert parse(FORM, b"ssl_check=1&token=t").kind is Kind.SSL_CHECK


class TestMalformed:
    @pytest.mark.parametrize(
        ("content_type", "body"),
        [
            (FORM, b"command=%2Ffinetune&text=\xff\xfe"),  # raw bytes that are not UTF-8
            (FORM, b"command=%2Ffinetune&text=%FF%FE"),  # percent-encoded bytes that are not UTF-8
            (FORM, b"payload=not-json"),
            (FORM, b"payload=%5B1%2C2%5D"),  # a JSON array
            (FORM, b"payload=%7B%7D"),  # an object without a type
            (FORM, b"payload=%7B%22type%22%3A1%7D"),  # a type that is not a string
            (FORM, b"payload=%22block_actions%22"),
            (FORM, b"command=a&command=b"),
            (FORM, b"command=%2Ffinetune&payload=%7B%22type%22%3A%22x%22%7D"),
            (FORM, b"text=hello"),  # neither a command nor an interaction
            (FORM, b""),
            ("application/json", b"[1, 2]"),
            ("application/json", b'{"type": "event_callback"'),
            ("application/json", b'{"type": "event_callback", "x": "\xff"}'),
            ("application/json", b'{"type": "event_callback", "x": NaN}'),
            ("application/json", b"[" * 5000 + b"]" * 5000),  # nesting deeper than any parser should follow
            ("application/json", b""),
            ("text/plain", b"command=%2Ffinetune"),
            ("", b"command=%2Ffinetune"),
        ],
    )
    def test_bodies_slack_never_sends_are_refused(self, content_type: str, body: bytes) -> None:
        with pytest.raises(MalformedBody):
            parse(content_type, body)

    def test_a_form_with_too_many_fields_is_refused_without_building_it(self) -> None:
        body = "&".join(f"k{i}=v" for i in range(MAX_FORM_FIELDS + 1)).encode()
        with pytest.raises(MalformedBody):
            parse(FORM, body)


class TestContentLength:
    @pytest.mark.parametrize(("value", "expected"), [("0", 0), ("1024", 1024), ("1048576", 1048576)])
    def test_plain_numbers_are_lengths(self, value: str, expected: int) -> None:
        assert content_length(value) == expected

    @pytest.mark.parametrize("value", [None, "", "-1", "1e3", " 12", "12 ", "１２", "0x10", "9" * 30])
    def test_anything_else_is_no_length(self, value: str | None) -> None:
        assert content_length(value) is None
