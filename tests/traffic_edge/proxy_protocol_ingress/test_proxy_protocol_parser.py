"""The test receiver's PROXY parser, checked against HAProxy's doc/proxy-protocol.txt.

The real HAProxy tests trust this parser to say which address the gateway would see, so
it is pinned here with byte strings written out from the spec (not produced by the
helper under test), plus the one independent sender on this machine: curl's v1 header.
"""

from __future__ import annotations

import shutil
import socket
import subprocess

import pytest

from tests.support.proxy_protocol import ProxyHeaderError, ProxyReceiver, build_v2, parse, read_header

SIG = bytes.fromhex("0D0A0D0A000D0A515549540A")


def test_v2_signature_is_the_spec_constant() -> None:
    from tests.support.proxy_protocol import V2_SIGNATURE

    assert V2_SIGNATURE == SIG
    assert b"\x00" in SIG  # the NUL is what makes it invalid as text for v1 parsers


def test_v2_tcp4_proxy() -> None:
    # 0x21: version 2, command PROXY; 0x11: AF_INET, STREAM; length 12.
    raw = SIG + bytes.fromhex("21 11 000C") + bytes([127, 0, 0, 5, 10, 0, 0, 1]) + bytes.fromhex("D431 01BB")
    h = parse(raw + b"GET / HTTP/1.1\r\n")
    assert (h.version, h.command, h.family, h.transport) == (2, "PROXY", "INET", "STREAM")
    assert (h.src, h.dst, h.sport, h.dport) == ("127.0.0.5", "10.0.0.1", 54321, 443)
    assert h.length == 28  # payload after the header is not consumed


def test_v2_tcp6_proxy() -> None:
    src = socket.inet_pton(socket.AF_INET6, "2001:db8::5")
    dst = socket.inet_pton(socket.AF_INET6, "2001:db8::1")
    raw = SIG + bytes.fromhex("21 21 0024") + src + dst + bytes.fromhex("0050 1F90")
    h = parse(raw)
    assert (h.family, h.src, h.dst, h.sport, h.dport, h.length) == (
        "INET6",
        "2001:db8::5",
        "2001:db8::1",
        80,
        8080,
        52,
    )


def test_v2_local_skips_its_announced_length() -> None:
    # HAProxy health checks: command LOCAL, family UNSPEC, length 0 — use the real peer.
    h = parse(SIG + bytes.fromhex("20 00 0000") + b"payload")
    assert (h.command, h.family, h.src, h.length) == ("LOCAL", "UNSPEC", None, 16)
    # A LOCAL header may still carry an address block and TLVs; all of it is skipped.
    block = SIG + bytes.fromhex("20 11 0010") + bytes(12) + bytes.fromhex("05 0001 41")
    h = parse(block)
    assert (h.command, h.src, h.length, h.tlvs) == ("LOCAL", None, 32, ((0x05, b"A"),))


def test_v2_tlvs_after_addresses() -> None:
    tlvs = bytes.fromhex("01 0002") + b"h2" + bytes.fromhex("02 000B") + b"example.com"
    body = bytes([192, 0, 2, 1, 192, 0, 2, 2]) + bytes.fromhex("0001 0002") + tlvs
    h = parse(SIG + bytes.fromhex("21 11") + len(body).to_bytes(2, "big") + body)
    assert h.tlvs == ((0x01, b"h2"), (0x02, b"example.com"))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (SIG + bytes.fromhex("11 11 000C") + bytes(12), "v2 version nibble is 1, must be 2"),
        (SIG + bytes.fromhex("22 11 000C") + bytes(12), "v2 command 2 is neither LOCAL (0) nor PROXY (1)"),
        (SIG + bytes.fromhex("21 41 000C") + bytes(12), "v2 family/transport byte 0x41 is not defined"),
        (SIG + bytes.fromhex("21 11 000C") + bytes(11), "incomplete v2 header: 27 of 28 bytes"),
        (
            SIG + bytes.fromhex("21 11 0008") + bytes(8),
            "v2 length 8 is shorter than the INET address block (12)",
        ),
        (
            SIG + bytes.fromhex("21 11 000E") + bytes(14),
            "v2 TLV area has 2 trailing bytes, a TLV needs at least 3",
        ),
        (
            SIG + bytes.fromhex("21 11 0010") + bytes(12) + bytes.fromhex("01 0005 41"),
            "v2 TLV 0x01 announces 5",
        ),
        (SIG[:7], "incomplete v2 header"),
        (SIG + b"\x21", "incomplete v2 header"),
        (b"PROX", "incomplete v1 header"),
        (b"PROXY TCP4 1.2.3.4 5.6.7.8 1 2", "incomplete v1 header"),
        (b"PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n", "v1 port '01' must be 0..65535 without leading zeros"),
        (b"PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", "v1 port '65536' must be 0..65535 without leading zeros"),
        (b"PROXY TCP4 ::1 5.6.7.8 1 2\r\n", "v1 address '::1' does not match TCP4"),
        (b"PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n", "v1 header must be 'PROXY TCP4|TCP6 src dst sport dport'"),
        (b"PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", "v1 header must be 'PROXY TCP4|TCP6 src dst sport dport'"),
        (b"PROXY TCP4 " + b"1" * 120, "v1 header has no CRLF within 107 bytes"),
        (b"GET / HTTP/1.1\r\n\r\n", "no PROXY header: starts with b'GET / HTTP/1.1\\r\\n'"),
        (b"", "no PROXY header: starts with b''"),
    ],
)
def test_malformed_headers_are_rejected_not_guessed(raw: bytes, message: str) -> None:
    with pytest.raises(ProxyHeaderError) as err:
        parse(raw)
    assert str(err.value).startswith(message)


def test_v1_spec_examples() -> None:
    h = parse(b"PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n")
    assert (h.version, h.family, h.src, h.sport, h.length) == (1, "INET", "255.255.255.255", 65535, 56)
    full6 = "ffff:f...:ffff".replace("f...", ":".join(["ffff"] * 6))
    h = parse(f"PROXY TCP6 {full6} {full6} 65535 65535\r\n".encode())
    assert (h.family, h.src, h.length) == ("INET6", full6, 104)
    h = parse(b"PROXY UNKNOWN\r\n")
    assert (h.family, h.src, h.length) == ("UNSPEC", None, 15)
    # The spec's worst case: UNKNOWN followed by a TCP6 line, exactly 107 bytes.
    worst = f"PROXY UNKNOWN {full6} {full6} 65535 65535\r\n".encode()
    assert len(worst) == 107
    assert parse(worst).length == 107


def test_build_v2_round_trips_through_the_parser() -> None:
    forged = build_v2("203.0.113.9", "198.51.100.1", 1234, 443)
    assert forged[:16] == SIG + bytes.fromhex("21 11 000C")
    h = parse(forged)
    assert (h.src, h.dst, h.sport, h.dport) == ("203.0.113.9", "198.51.100.1", 1234, 443)
    assert parse(build_v2("::1", "::2", 1, 2, local=True)).command == "LOCAL"


def test_read_header_reads_exactly_the_header_from_a_stream() -> None:
    a, b = socket.socketpair()
    with a, b:
        a.sendall(
            SIG + bytes.fromhex("21 11 000C") + bytes([10, 1, 2, 3, 10, 0, 0, 1, 0, 80, 0, 81]) + b"rest"
        )
        header, _ = read_header(b)
        assert header.src == "10.1.2.3"
        assert b.recv(4) == b"rest"  # the payload is left on the socket for the application
        a.sendall(b"PROXY TCP4 10.9.9.9 10.0.0.1 5 6\r\nnext")
        header, _ = read_header(b)
        assert (header.version, header.src) == (1, "10.9.9.9")
        assert b.recv(4) == b"next"
        a.sendall(SIG[:10])
        a.close()
        with pytest.raises(ProxyHeaderError, match="connection closed inside the header"):
            read_header(b)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_receiver_understands_curls_v1_header() -> None:
    # An independent sender: curl writes "PROXY TCP4 <its address> <ours> <sport> <dport>\r\n".
    with ProxyReceiver("127.0.0.1") as rx:
        url = f"http://127.0.0.1:{rx.address[1]}/"
        subprocess.run(
            ["curl", "-s", "--max-time", "3", "--haproxy-protocol", url], capture_output=True, check=False
        )
        (seen,) = rx.seen
    assert seen.error is None and seen.header is not None
    assert (seen.header.version, seen.header.src, seen.header.dport) == (1, "127.0.0.1", rx.address[1])
    assert seen.header.sport == seen.peer[1]


def test_receiver_closes_connections_without_a_header() -> None:
    with ProxyReceiver("127.0.0.1") as rx, socket.create_connection(rx.address, timeout=5) as c:
        c.sendall(b"GET / HTTP/1.1\r\n\r\n")
        try:
            answer = c.recv(100)
        except ConnectionResetError:  # closed with our request unread: RST instead of FIN
            answer = b""
        assert answer == b""
        (seen,) = rx.seen
    assert seen.header is None and seen.error is not None and seen.error.startswith("no PROXY header")
