"""PROXY protocol v1/v2 parsing and a receiver that reports what it was told.

Written from HAProxy's `doc/proxy-protocol.txt` (the spec). The receiver follows the
spec's receiver rules, which are also what Envoy's proxy_protocol listener filter does:
the header is mandatory, it is read completely before anything else, a partial or
malformed header closes the connection, and a LOCAL command (health checks) means
"use the real peer address" — its payload is still skipped by its announced length.

`ProxyReceiver` is the stand-in for the Istio ingress gateway in the real HAProxy tests:
for every connection it records the parsed header and answers one line,
``"<command> <src>:<sport>\\n"``, then echoes back anything else the client sent, so a
test can see both the address the gateway would log and the bytes that followed.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
from dataclasses import dataclass, field

V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"
V1_MAX_LENGTH = 107

_FAMILIES = {0x0: "UNSPEC", 0x1: "INET", 0x2: "INET6", 0x3: "UNIX"}
_TRANSPORTS = {0x0: "UNSPEC", 0x1: "STREAM", 0x2: "DGRAM"}
_ADDRESS_LENGTHS = {"INET": 12, "INET6": 36, "UNIX": 216}


class ProxyHeaderError(ValueError):
    """The bytes are not a complete, valid PROXY header; the connection must be closed."""


@dataclass(frozen=True)
class ProxyHeader:
    version: int
    """1 or 2."""
    command: str
    """"PROXY" (addresses are the original connection) or "LOCAL" (v2 only; use the real peer)."""
    family: str
    """INET, INET6, UNIX or UNSPEC (v1 "UNKNOWN" maps to UNSPEC)."""
    transport: str
    """STREAM, DGRAM or UNSPEC."""
    src: str | None
    dst: str | None
    sport: int | None
    dport: int | None
    length: int
    """Total bytes the header occupied on the wire."""
    tlvs: tuple[tuple[int, bytes], ...] = field(default=())


def _v1(data: bytes) -> ProxyHeader:
    end = data.find(b"\r\n", 0, V1_MAX_LENGTH)
    if end < 0:
        if len(data) >= V1_MAX_LENGTH:
            raise ProxyHeaderError(f"v1 header has no CRLF within {V1_MAX_LENGTH} bytes")
        raise ProxyHeaderError("incomplete v1 header")
    line = data[:end].decode("ascii", errors="strict")
    parts = line.split(" ")
    if parts[0] != "PROXY" or len(parts) < 2:
        raise ProxyHeaderError(f"v1 header does not start with 'PROXY ': {line!r}")
    if parts[1] == "UNKNOWN":
        # The spec lets UNKNOWN carry anything up to CRLF; the receiver uses the real peer.
        return ProxyHeader(1, "PROXY", "UNSPEC", "UNSPEC", None, None, None, None, end + 2)
    if len(parts) != 6 or parts[1] not in ("TCP4", "TCP6"):
        raise ProxyHeaderError(f"v1 header must be 'PROXY TCP4|TCP6 src dst sport dport': {line!r}")
    _, proto, src, dst, sport, dport = parts
    version = 4 if proto == "TCP4" else 6
    for addr in (src, dst):
        try:
            ip = ipaddress.ip_address(addr)
        except ValueError:
            raise ProxyHeaderError(f"v1 address {addr!r} is not an IP address") from None
        if ip.version != version:
            raise ProxyHeaderError(f"v1 address {addr!r} does not match {proto}")
    ports = []
    for p in (sport, dport):
        if not p.isdigit() or (len(p) > 1 and p.startswith("0")) or int(p) > 65535:
            raise ProxyHeaderError(f"v1 port {p!r} must be 0..65535 without leading zeros")
        ports.append(int(p))
    family = "INET" if version == 4 else "INET6"
    return ProxyHeader(1, "PROXY", family, "STREAM", src, dst, ports[0], ports[1], end + 2)


def _v2(data: bytes) -> ProxyHeader:
    if len(data) < 16:
        raise ProxyHeaderError("incomplete v2 header")
    ver_cmd, fam_proto = data[12], data[13]
    if ver_cmd >> 4 != 2:
        raise ProxyHeaderError(f"v2 version nibble is {ver_cmd >> 4}, must be 2")
    cmd = ver_cmd & 0x0F
    if cmd not in (0, 1):
        raise ProxyHeaderError(f"v2 command {cmd} is neither LOCAL (0) nor PROXY (1)")
    family = _FAMILIES.get(fam_proto >> 4)
    transport = _TRANSPORTS.get(fam_proto & 0x0F)
    if family is None or transport is None:
        raise ProxyHeaderError(f"v2 family/transport byte 0x{fam_proto:02x} is not defined")
    length = int.from_bytes(data[14:16], "big")
    total = 16 + length
    if len(data) < total:
        raise ProxyHeaderError(f"incomplete v2 header: {len(data)} of {total} bytes")
    body = data[16:total]
    command = "LOCAL" if cmd == 0 else "PROXY"
    src = dst = None
    sport = dport = None
    used = 0
    if command == "PROXY" and family in _ADDRESS_LENGTHS:
        used = _ADDRESS_LENGTHS[family]
        if length < used:
            raise ProxyHeaderError(f"v2 length {length} is shorter than the {family} address block ({used})")
        if family == "INET":
            src, dst = (
                socket.inet_ntop(socket.AF_INET, body[0:4]),
                socket.inet_ntop(socket.AF_INET, body[4:8]),
            )
            sport, dport = int.from_bytes(body[8:10], "big"), int.from_bytes(body[10:12], "big")
        elif family == "INET6":
            src = socket.inet_ntop(socket.AF_INET6, body[0:16])
            dst = socket.inet_ntop(socket.AF_INET6, body[16:32])
            sport, dport = int.from_bytes(body[32:34], "big"), int.from_bytes(body[34:36], "big")
        else:
            src = body[0:108].rstrip(b"\x00").decode(errors="replace")
            dst = body[108:216].rstrip(b"\x00").decode(errors="replace")
    elif command == "LOCAL":
        # LOCAL: the address block (if any) is meaningless and skipped; TLVs may still follow.
        used = min(_ADDRESS_LENGTHS.get(family, 0), length)
    tlvs: list[tuple[int, bytes]] = []
    rest = body[used:]
    while rest:
        if len(rest) < 3:
            raise ProxyHeaderError(f"v2 TLV area has {len(rest)} trailing bytes, a TLV needs at least 3")
        tlv_type, tlv_len = rest[0], int.from_bytes(rest[1:3], "big")
        if len(rest) < 3 + tlv_len:
            raise ProxyHeaderError(f"v2 TLV 0x{tlv_type:02x} announces {tlv_len} bytes, {len(rest) - 3} left")
        tlvs.append((tlv_type, bytes(rest[3 : 3 + tlv_len])))
        rest = rest[3 + tlv_len :]
    return ProxyHeader(2, command, family, transport, src, dst, sport, dport, total, tuple(tlvs))


def parse(data: bytes) -> ProxyHeader:
    """Parse the PROXY header at the start of `data` (which may hold payload after it).

    Raises ProxyHeaderError when the bytes are not a complete valid header: the receiver
    never guesses whether a header is there.
    """
    if data.startswith(V2_SIGNATURE):
        return _v2(data)
    if data and len(data) < len(V2_SIGNATURE) and V2_SIGNATURE.startswith(data):
        raise ProxyHeaderError("incomplete v2 header")
    if data.startswith(b"PROXY"):
        return _v1(data)
    if data and b"PROXY".startswith(data):
        raise ProxyHeaderError("incomplete v1 header")
    raise ProxyHeaderError(f"no PROXY header: starts with {data[:16]!r}")


def build_v2(
    src: str,
    dst: str,
    sport: int,
    dport: int,
    *,
    local: bool = False,
    tlvs: tuple[tuple[int, bytes], ...] = (),
) -> bytes:
    """A v2 header, used by tests to forge one (what a spoofing client would send)."""
    ip_src, ip_dst = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    af = socket.AF_INET if ip_src.version == 4 else socket.AF_INET6
    body = socket.inet_pton(af, src) + socket.inet_pton(af, str(ip_dst))
    body += sport.to_bytes(2, "big") + dport.to_bytes(2, "big")
    body += b"".join(bytes([t]) + len(v).to_bytes(2, "big") + v for t, v in tlvs)
    fam = 0x11 if ip_src.version == 4 else 0x21
    return V2_SIGNATURE + bytes([0x20 if local else 0x21, fam]) + len(body).to_bytes(2, "big") + body


def read_header(sock: socket.socket) -> tuple[ProxyHeader, bytes]:
    """Read exactly one header from `sock` the way a strict receiver does.

    Reads the 16-byte v2 prefix, then exactly `len` more bytes; for v1 reads up to CRLF.
    Returns the header and any payload bytes already received after it (v1 only reads
    byte by byte, so that is always empty there).
    """
    first = _recv_exact(sock, 5)
    if first == b"PROXY":
        buf = first
        while not buf.endswith(b"\r\n"):
            if len(buf) >= V1_MAX_LENGTH:
                raise ProxyHeaderError(f"v1 header has no CRLF within {V1_MAX_LENGTH} bytes")
            buf += _recv_exact(sock, 1)
        return parse(buf), b""
    if not V2_SIGNATURE.startswith(first):
        raise ProxyHeaderError(f"no PROXY header: starts with {first!r}")
    prefix = first + _recv_exact(sock, 11)
    header = _recv_exact(sock, int.from_bytes(prefix[14:16], "big"), prefix)
    return parse(header), b""


def _recv_exact(sock: socket.socket, n: int, buf: bytes = b"") -> bytes:
    want = len(buf) + n
    while len(buf) < want:
        chunk = sock.recv(want - len(buf))
        if not chunk:
            raise ProxyHeaderError(f"connection closed inside the header ({len(buf)} of {want} bytes)")
        buf += chunk
    return buf


@dataclass(frozen=True)
class Seen:
    """One connection as the receiver saw it."""

    peer: tuple[str, int]
    header: ProxyHeader | None
    error: str | None

    @property
    def client(self) -> str | None:
        """The address the gateway would log: the PROXY source, or the peer for LOCAL."""
        if self.header is None:
            return None
        if self.header.command == "LOCAL" or self.header.src is None:
            return self.peer[0]
        return self.header.src


class ProxyReceiver:
    """A threaded TCP server that requires a PROXY header on every connection.

    Create it inside the namespace it should listen in (`TestNet.entered`); the listening
    socket stays there even though the accept thread is started afterwards.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, name: str = "rx") -> None:
        self.name = name
        self._sock = socket.create_server((host, port), backlog=512, reuse_port=False)
        self.address: tuple[str, int] = self._sock.getsockname()[:2]
        self._seen: list[Seen] = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._serve, name=f"proxy-receiver-{name}", daemon=True)

    def start(self) -> ProxyReceiver:
        self._thread.start()
        return self

    @property
    def seen(self) -> list[Seen]:
        with self._lock:
            return list(self._seen)

    def _serve(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, peer = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn, peer), daemon=True).start()

    def _handle(self, conn: socket.socket, peer: tuple[str, int]) -> None:
        with conn:
            conn.settimeout(10)
            try:
                header, _ = read_header(conn)
            except (ProxyHeaderError, OSError) as exc:
                self._record(Seen(peer[:2], None, str(exc)))
                return
            seen = Seen(peer[:2], header, None)
            self._record(seen)
            with contextlib.suppress(OSError):
                conn.sendall(f"{header.command} {seen.client}:{header.sport or peer[1]}\n".encode())
                while chunk := conn.recv(65536):
                    conn.sendall(chunk)

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self._seen.append(seen)

    def stop(self) -> None:
        """Close the listening socket: new connections are refused from now on."""
        self._stopped.set()
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ProxyReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
