"""json_schema against hostile inputs: regex blow-ups, fetching, huge or deep JSON.

A model's output is untrusted, and so, to a degree, is a dataset's schema: scoring must
stay fast, must never touch the network or the file system, and must refuse what strict
JSON refuses before any validator sees it.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import socket
import string
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from verifiers import InvalidInput, Outcome, Status
from verifiers.json_schema import verify

ENGINES = ["rs", "python"]


def timed(
    response: str, ground_truth: object, options: dict | None = None
) -> tuple[Outcome, float]:
    started = time.perf_counter()
    outcome = verify(response, ground_truth, options)
    return outcome, time.perf_counter() - started


def assert_format_error(outcome: Outcome) -> None:
    assert outcome.status is Status.FORMAT_ERROR, outcome
    assert outcome.reward == 0.0
    assert outcome.components["parsed"] == 0


# Regular expressions.


def test_catastrophic_pattern_is_cut_short_by_the_rs_engine() -> None:
    schema = {"type": "string", "pattern": "^(a+)+$"}
    verify('"a"', schema)  # compile outside the clock; the match is what is timed
    outcome, seconds = timed(json.dumps("a" * 30 + "!"), schema)
    assert seconds < 0.5, f"took {seconds:.2f} s"
    assert outcome.status is Status.OK
    assert outcome.reward < 1.0
    assert verify(json.dumps("a" * 30), schema).reward == 1.0


def test_catastrophic_pattern_cold_including_compilation() -> None:
    schema = {"type": "string", "pattern": "^(b+)+$", "minLength": 1}
    outcome, seconds = timed(json.dumps("b" * 30 + "!"), schema)
    assert seconds < 0.5, f"took {seconds:.2f} s"
    assert outcome.reward < 1.0


def test_catastrophic_pattern_properties_are_cut_short_too() -> None:
    schema = {
        "type": "object",
        "patternProperties": {"^(a+)+$": {"type": "integer"}},
        "additionalProperties": False,
    }
    response = json.dumps({"a" * 30 + "!": 1, "b": 2})
    outcome, seconds = timed(response, schema)
    assert seconds < 0.5, f"took {seconds:.2f} s"
    assert outcome.reward < 1.0


# The network and the file system.


class RecordingServer:
    """A loopback HTTP server in a thread that serves any path and records every request."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        requests = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                requests.append(self.path)
                body = b'{"type": "integer"}'
                self.send_response(200)
                self.send_header("content-type", "application/schema+json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def fetch_once(self) -> bytes:
        """Prove the server answers (and forget that request)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
            sock.sendall(b"GET /probe HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            data = b""
            while chunk := sock.recv(4096):
                data += chunk
        self.requests.clear()
        return data


@pytest.fixture
def recording_server() -> Iterator[RecordingServer]:
    server = RecordingServer()
    server.thread.start()
    try:
        assert b'"integer"' in server.fetch_once()
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        server.thread.join(timeout=5)


def refuses_or_does_not_pass(response: str, ground_truth: object, options: dict) -> None:
    """InvalidInput, or at least no full reward: the remote schema was not used."""
    try:
        outcome = verify(response, ground_truth, options)
    except InvalidInput:
        return
    assert outcome.reward < 1.0, outcome


@pytest.mark.parametrize("engine", ENGINES)
def test_a_remote_ref_is_never_fetched(recording_server: RecordingServer, engine: str) -> None:
    url = f"{recording_server.base}/x.json"
    options = {"engine": engine}
    refuses_or_does_not_pass("1", {"$ref": url}, options)
    refuses_or_does_not_pass('{"a": 1}', {"properties": {"a": {"$ref": url}}}, options)
    refuses_or_does_not_pass(
        "1", {"$id": f"{recording_server.base}/root.json", "$ref": "x.json"}, options
    )
    assert recording_server.requests == []


@pytest.mark.parametrize("engine", ENGINES)
def test_the_remote_ref_is_refused_as_invalid_input(
    recording_server: RecordingServer, engine: str
) -> None:
    with pytest.raises(InvalidInput):
        verify("1", {"$ref": f"{recording_server.base}/x.json"}, {"engine": engine})
    assert recording_server.requests == []


@pytest.mark.parametrize("engine", ENGINES)
def test_a_document_pointing_at_the_network_is_not_followed(
    recording_server: RecordingServer, engine: str
) -> None:
    truth = {
        "schema": {"$ref": "https://schemas.example/a.json"},
        "documents": {"https://schemas.example/a.json": {"$ref": f"{recording_server.base}/b"}},
    }
    refuses_or_does_not_pass("1", truth, {"engine": engine})
    assert recording_server.requests == []


@pytest.mark.parametrize("engine", ENGINES)
def test_an_unknown_metaschema_is_not_fetched(
    recording_server: RecordingServer, engine: str
) -> None:
    schema = {"$schema": f"{recording_server.base}/meta.json", "type": "integer"}
    for draft in (None, "2020-12"):
        with contextlib.suppress(InvalidInput):
            verify("1", schema, {"engine": engine, "draft": draft})
    assert recording_server.requests == []


@pytest.mark.parametrize("engine", ENGINES)
def test_file_refs_are_refused(engine: str) -> None:
    with pytest.raises(InvalidInput):
        verify(
            '"root:x:0:0:root:/root:/bin/bash"', {"$ref": "file:///etc/passwd"}, {"engine": engine}
        )
    with pytest.raises(InvalidInput):
        verify(
            '{"a": 1}', {"properties": {"a": {"$ref": "file:///etc/passwd#/x"}}}, {"engine": engine}
        )


@pytest.mark.parametrize("engine", ENGINES)
def test_file_refs_are_never_opened(tmp_path: Path, engine: str) -> None:
    # A FIFO: a writer blocked on it is released the moment anything opens it for reading,
    # so it tells whether the verifier (Python or Rust) even opened the path.
    fifo = tmp_path / "schema.json"
    os.mkfifo(fifo)
    opened = threading.Event()

    def writer() -> None:
        with open(fifo, "w") as pipe:
            opened.set()
            pipe.write('{"type": "integer"}')

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        refuses_or_does_not_pass("1", {"$ref": fifo.as_uri()}, {"engine": engine})
        refuses_or_does_not_pass(
            "1", {"$id": tmp_path.as_uri() + "/", "$ref": "schema.json"}, {"engine": engine}
        )
        time.sleep(0.05)
        assert not opened.is_set(), "the verifier opened a file named by $ref"
    finally:
        if not opened.is_set():
            release = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
            thread.join(timeout=5)
            os.close(release)
        thread.join(timeout=5)


# Depth and size.


@pytest.mark.parametrize(
    ("response", "options"),
    [
        ("[" * 100_000 + "]" * 100_000, {}),
        ("[" * 129 + "]" * 129, {"max_depth": 128}),
        ("[" * 129 + "]" * 129, {}),
        ('{"a":' * 129 + "1" + "}" * 129, {}),
        ('{"a": [' * 65 + "]}" * 65, {}),
        ("[" * 11 + "]" * 11, {"max_depth": 10}),
        ("```json\n" + "[" * 100_000 + "]" * 100_000 + "\n```", {}),
        ("{" * 200_000, {}),
        ("[" * 100_000 + "]" * 100_000, {"extraction": "lenient"}),
        ("Here: " + "[" * 100_000 + "]" * 100_000 + " done.", {"extraction": "lenient"}),
    ],
    ids=[
        "100k-arrays",
        "129-arrays-limit-128",
        "129-arrays-default",
        "129-objects",
        "130-mixed",
        "11-arrays-limit-10",
        "100k-arrays-fenced",
        "200k-open-braces",
        "100k-arrays-lenient",
        "100k-arrays-in-prose",
    ],
)
def test_too_deep_is_a_format_error_quickly(response: str, options: dict) -> None:
    # The false schema rejects everything: a format error shows the validator never ran.
    outcome, seconds = timed(response, False, options)
    assert seconds < 1.0, f"took {seconds:.2f} s"
    assert_format_error(outcome)


def test_depth_limit_is_inclusive() -> None:
    assert verify("[" * 128 + "]" * 128, {}).reward == 1.0
    assert verify("[" * 128 + "]" * 128, {}, {"max_depth": 128}).reward == 1.0
    assert verify('{"a":' * 128 + "1" + "}" * 128, {}).reward == 1.0
    assert verify("[" * 10 + "]" * 10, {}, {"max_depth": 10}).reward == 1.0
    # Brackets inside strings are text, not nesting.
    assert verify(json.dumps("[" * 1000 + "{" * 1000), {"type": "string"}).reward == 1.0


@pytest.mark.parametrize("engine", ENGINES)
def test_deep_instance_never_reaches_either_engine(engine: str) -> None:
    deep = "[" * 5000 + "]" * 5000
    outcome, seconds = timed(deep, {"items": {"$ref": "#"}}, {"engine": engine})
    assert seconds < 1.0
    assert_format_error(outcome)


def test_over_max_bytes_is_a_format_error() -> None:
    big = json.dumps(["x" * 1000] * 300)  # ~300 kB, over the 262144 default
    assert len(big.encode()) > 262_144
    outcome, seconds = timed(big, {"type": "array"})
    assert seconds < 1.0
    assert_format_error(outcome)
    fenced = f"```json\n{big}\n```"
    assert_format_error(verify(fenced, {"type": "array"}))
    assert_format_error(verify(f"The list: {big}", {"type": "array"}, {"extraction": "lenient"}))


def test_max_bytes_counts_utf8_bytes_and_is_configurable() -> None:
    wide = json.dumps("é" * 140_000, ensure_ascii=False)  # 140k characters, 280k bytes
    assert len(wide) < 262_144 < len(wide.encode())
    assert_format_error(verify(wide, {"type": "string"}))
    small = json.dumps(["x" * 1000] * 200)  # ~200 kB, under the default
    assert verify(small, {"type": "array"}).reward == 1.0
    assert_format_error(verify(small, {"type": "array"}, {"max_bytes": 100_000}))
    assert verify(small, {"type": "array"}, {"max_bytes": 1_000_000}).reward == 1.0
    assert_format_error(verify('{"a": "0123456789"}', {}, {"max_bytes": 10}))


def _garbage(size: int, seed: int, alphabet: str) -> str:
    rng = random.Random(seed)
    return "".join(rng.choices(alphabet, k=size))


MEGABYTE = 1_000_000
GARBAGE = {
    "letters": "x" * MEGABYTE,
    "printable": _garbage(MEGABYTE, 1, string.printable),
    "json-punctuation": _garbage(MEGABYTE, 2, '{}[]",:0123456789 ae\\'),
    "open-braces": "{" * MEGABYTE,
    "key-prefixes": '{"a": ' * (MEGABYTE // 6),
    "unclosed-strings": '["' * (MEGABYTE // 2),
    "fences": "```json\n{\n```\n" * (MEGABYTE // 14),
    "unterminated-array": "[" + "1," * (MEGABYTE // 2),
    "think-tags": "<think>{[" * (MEGABYTE // 9),
    # Every inner bracket once started a decode that read to the end: 127 x 1 MB.
    "unclosed-nest": "x " + "[0," * 127 + "0," * (MEGABYTE // 2 - 200),
    "unclosed-nest-in-a-string": 'x "' + "[" * 500 + "0," * (MEGABYTE // 2 - 300),
    # Lenient pairs every bracket of the text once, and reads candidates past those that
    # do not fit the schema's root type (issue 20).
    "mismatched-brackets": "[}" * (MEGABYTE // 2),
    "empty-arrays": "[] " * (MEGABYTE // 3),
    "malformed-objects": "{'a': 1} " * (MEGABYTE // 9),
}


@pytest.mark.parametrize("extraction", ["strict", "lenient"])
@pytest.mark.parametrize("name", list(GARBAGE))
def test_a_megabyte_of_garbage_returns_quickly(name: str, extraction: str) -> None:
    outcome, seconds = timed(GARBAGE[name], {"type": "object"}, {"extraction": extraction})
    assert seconds < 1.0, f"took {seconds:.2f} s"
    assert outcome.reward < 1.0
    assert outcome.status in (Status.FORMAT_ERROR, Status.OK)


def test_prose_finds_the_value_inside_an_unclosed_nest() -> None:
    response = "Here: " + "[0," * 100 + '{"ok": true} and that is all'
    outcome = verify(response, {"type": "object"}, {"extraction": "lenient"})
    assert (outcome.status, outcome.reward) == (Status.OK, pytest.approx(0.9))
    assert "found in prose" in outcome.detail


@pytest.mark.parametrize("engine", ENGINES)
def test_partial_credit_of_a_long_keyed_instance(engine: str) -> None:
    # 50,000 leaves under a 100,000-character key: one pointer per leaf would be 5 GB.
    instance = {"k" * 100_000: [0] * 50_000, "b": "x"}
    schema = {"properties": {"b": {"type": "integer"}}}
    outcome = verify(json.dumps(instance), schema, {"engine": engine})
    assert outcome.components["checks_passed_fraction"] == 50_000 / 50_001
    assert outcome.reward == pytest.approx(0.5 * 50_000 / 50_001 * 0.9)
    expected = {"schema": {}, "expected": {"k" * 100_000: [0] * 49_999 + [1], "b": "x"}}
    outcome = verify(json.dumps(instance), expected, {"engine": engine})
    assert outcome.components["checks_passed_fraction"] == 50_000 / 50_001


# Strict JSON.


@pytest.mark.parametrize(
    "response",
    [
        "NaN",
        "Infinity",
        "-Infinity",
        '{"a": NaN}',
        '{"a": Infinity}',
        '{"a": -Infinity}',
        "[1, NaN]",
        '{"a": 1, "a": 1}',
        '{"a": 1, "b": {"c": 1, "c": 2}}',
        '[{"x": 1, "y": 2, "x": 3}]',
        '{"a": 1,}',
        "[1, 2,]",
        '{"a": [1,],}',
        "1e400",
        "-1e400",
        '{"a": 1e400}',
        "[1.5e309]",
        "{'a': 1}",
        "{a: 1}",
        '{"a": 1 // a comment\n}',
        '{"a": /* a comment */ 1}',
        '```json\n{"a": NaN}\n```',
        '```json\n{"a": 1, "a": 2}\n```',
        '```json\n{"a": 1,}\n```',
        '```json\n{"a": 1e400}\n```',
        '```json\n{"a": 1 // no comments in json\n}\n```',
        '```\n{"a": 1 /* nor here */}\n```',
        '```jsonc\n// NaN is still not JSON\n{"a": NaN}\n```',
        '```jsonc\n{"a": 1, /* dup */ "a": 2}\n```',
        '```jsonc\n{"a": 1e400}\n```',
    ],
)
def test_non_json_is_a_format_error(response: str) -> None:
    for extraction in ("strict", "lenient"):
        assert_format_error(verify(response, {}, {"extraction": extraction}))


def test_two_values_are_a_format_error_when_strict() -> None:
    assert_format_error(verify('{"a": 1}{"b": 2}', {}))
    assert_format_error(verify('{"a": 1} {"b": 2}', {}))
    assert_format_error(verify("[1] [2]", {}))
    # Lenient reads the first complete value, with the prose penalty.
    assert verify('{"a": 1}{"b": 2}', {}, {"extraction": "lenient"}).reward == pytest.approx(0.9)


@pytest.mark.parametrize("response", ['{"a": NaN}', '{"a": 1, "a": 2}', "[1e400]", "[1,]"])
def test_non_json_in_prose_is_a_format_error_when_lenient(response: str) -> None:
    assert_format_error(
        verify(f"The answer is {response} as requested.", {}, {"extraction": "lenient"})
    )


def test_strings_that_look_like_bad_json_are_fine() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    for text in ["NaN", "Infinity", "1e400", "// not a comment", "/* nor this */", "a,}"]:
        assert verify(json.dumps({"a": text}), schema).reward == 1.0, text
    assert verify('{"a": 1e300, "b": -1e-400}', {}).reward == 1.0
