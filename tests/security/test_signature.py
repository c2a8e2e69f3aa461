"""Slack's v0 signature: every malformed header is a refusal, never an exception; the HMAC is checked on raw bytes."""

from __future__ import annotations

import pytest

from bot.guard.signature import WINDOW_SECONDS, Refusal, SignedHeaders, check_headers, expected_signature, verify
from bot.sandbox.signing import signature as slack_signature

SECRET = "test-signing-secret"
NOW = 1_800_000_000.0
BODY = b"token=x&team_id=T0SANDBOX01&command=%2Ffinetune&text=payload"
GOOD_TS = str(int(NOW))
GOOD_SIG = slack_signature(SECRET, GOOD_TS, BODY)


class TestHeaders:
    """What can be refused before the body is read."""

    def test_well_formed_fresh_headers_pass(self) -> None:
        assert check_headers(GOOD_TS, GOOD_SIG, now=NOW) == SignedHeaders(GOOD_TS, GOOD_SIG)

    @pytest.mark.parametrize(
        ("timestamp", "signature"), [(None, GOOD_SIG), (GOOD_TS, None), ("", GOOD_SIG), (None, None)]
    )
    def test_a_missing_header_is_refused(self, timestamp: str | None, signature: str | None) -> None:
        assert check_headers(timestamp, signature, now=NOW) is Refusal.MISSING

    @pytest.mark.parametrize(
        "timestamp",
        [
            "abc",
            "1.8e9",
            "-1800000000",
            " 1800000000",
            "1800000000 ",
            "١٨٠٠٠٠٠٠٠٠",  # Arabic-Indic digits: int() would accept them, Slack never sends them
            "1" * 40,
            "0x6b49d200",
        ],
    )
    def test_a_timestamp_that_is_not_ascii_digits_is_malformed(self, timestamp: str) -> None:
        assert check_headers(timestamp, GOOD_SIG, now=NOW) is Refusal.MALFORMED

    @pytest.mark.parametrize(
        "signature",
        [
            "v0=" + "é" * 64,  # non-ASCII: hmac.compare_digest would raise TypeError on str
            "v0=" + "A" * 64,  # upper-case hex is not what Slack sends
            "v1=" + "a" * 64,
            "v0=" + "a" * 63,
            "v0=" + "a" * 65,
            "a" * 67,
            GOOD_SIG + "\n",
        ],
    )
    def test_a_signature_not_of_slacks_form_is_malformed(self, signature: str) -> None:
        assert check_headers(GOOD_TS, signature, now=NOW) is Refusal.MALFORMED

    @pytest.mark.parametrize("offset", [WINDOW_SECONDS + 1, -(WINDOW_SECONDS + 1), 10**6])
    def test_a_timestamp_outside_the_window_is_stale(self, offset: int) -> None:
        timestamp = str(int(NOW) - offset)
        assert check_headers(timestamp, slack_signature(SECRET, timestamp, BODY), now=NOW) is Refusal.STALE

    @pytest.mark.parametrize("offset", [WINDOW_SECONDS, -WINDOW_SECONDS, 0])
    def test_the_edges_of_the_window_are_accepted(self, offset: int) -> None:
        timestamp = str(int(NOW) - offset)
        assert isinstance(check_headers(timestamp, GOOD_SIG, now=NOW), SignedHeaders)


class TestHmac:
    """The body check, on the exact bytes received."""

    def test_slacks_signature_verifies(self) -> None:
        assert verify(SECRET.encode(), SignedHeaders(GOOD_TS, GOOD_SIG), BODY)

    def test_the_product_computes_the_same_signature_as_slack(self) -> None:
        assert expected_signature(SECRET.encode(), GOOD_TS, BODY) == GOOD_SIG

    @pytest.mark.parametrize(
        "body",
        [BODY + b"&x=1", BODY[:-1], BODY.replace(b"payload", b"Payload"), b""],
    )
    def test_any_change_to_the_body_fails(self, body: bytes) -> None:
        assert not verify(SECRET.encode(), SignedHeaders(GOOD_TS, GOOD_SIG), body)

    def test_another_secret_fails(self) -> None:
        assert not verify(b"another-secret", SignedHeaders(GOOD_TS, GOOD_SIG), BODY)

    def test_the_timestamp_is_part_of_what_is_signed(self) -> None:
        assert not verify(SECRET.encode(), SignedHeaders(str(int(NOW) + 1), GOOD_SIG), BODY)

    def test_invalid_utf8_bodies_are_verified_as_bytes(self) -> None:
        body = b"payload=\xff\xfe"
        assert verify(SECRET.encode(), SignedHeaders(GOOD_TS, slack_signature(SECRET, GOOD_TS, body)), body)
