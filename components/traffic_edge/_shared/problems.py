"""One grammar for every problem a component or the stack layer reports.

A validator is a pure function that returns *all* problems at once, never raising on the
first; a component raises `ArgsError` with them before it registers anything. A problem
is one of four kinds, each rendered one way, identical in every component and in the
stack layer:

- invalid:  ``ports[0].port: 70000 is not allowed: an integer port from 1 to 65535``
- missing:  ``zones is required: the availability zones the proxies spread over``
- unknown:  ``alowed_domains is not a known key: did you mean allowed_domains?``
- conflict: ``internal_ip: '10.0.0.4' conflicts with public_ip: an internal load balancer has no public IP``

`allowed` is a noun phrase for what is allowed (``an integer port from 1 to 65535``); for
a missing key it says what the key is for, for a conflict why the two cannot go together.

The key is a `Path` of field names (snake_case: the Python API's vocabulary), list indexes
and map keys that are the user's own data (zone names, label keys). The same problem
renders in the Python vocabulary (``allowed_domains``, values as Python literals) or in a
stack file's (``traffic-edge:squid.allowedDomains``, values as YAML), so a user reads the
key as they wrote it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal

import pulumi

Style = Literal["python", "config"]


class MapKey(str):
    """A path segment that is the user's data (a zone name, a label key): never re-cased."""

    __slots__ = ()


Segment = str | int
_SEGMENT = re.compile(r"\[(\d+)\]|\[(['\"])(.*?)\2\]|([^.\[\]]+)")


def camel(name: str) -> str:
    """``allowed_source_cidrs`` -> ``allowedSourceCidrs`` (the stack file's spelling)."""
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


@dataclass(frozen=True)
class Path:
    """Where a value sits in the args: ``ports[0].port`` is ``Path(("ports", 0, "port"))``."""

    parts: tuple[Segment, ...] = ()

    @classmethod
    def of(cls, key: str | Path | Sequence[Segment]) -> Path:
        """From ``"ports[0].port"``, ``"subnets['ap-northeast-2a'][0]"`` or segments."""
        if isinstance(key, Path):
            return key
        if not isinstance(key, str):
            return cls(tuple(key))
        parts: list[Segment] = []
        for index, quote, data, name in _SEGMENT.findall(key):
            parts.append(int(index) if index else MapKey(data) if quote else name)
        return cls(tuple(parts))

    def __truediv__(self, part: Segment | Path) -> Path:
        return Path(self.parts + (part.parts if isinstance(part, Path) else (part,)))

    @property
    def parent(self) -> Path:
        return Path(self.parts[:-1])

    @property
    def leaf(self) -> Segment | None:
        return self.parts[-1] if self.parts else None

    def startswith(self, other: Path) -> bool:
        return self.parts[: len(other.parts)] == other.parts

    def render(self, style: Style = "python") -> str:
        out = ""
        for part in self.parts:
            if isinstance(part, int):
                out += f"[{part}]"
                continue
            name = camel(part) if style == "config" and not isinstance(part, MapKey) else part
            out += f".{name}" if out else name
        return out

    def __str__(self) -> str:
        return self.render()


class Kind(StrEnum):
    INVALID = "invalid"
    MISSING = "missing"
    UNKNOWN = "unknown"
    CONFLICT = "conflict"


SHOW_MAX = 200
"""Longest value a problem prints whole; longer ones (a whole section, a file's text) are cut."""

REDACTED = "[secret]"


class Secret(str):
    """A value that is a secret: shown as ``[secret]`` in every problem, never in clear.

    The offline plan stands one in for an encrypted config value (``secure: v1:...``); the
    stack layer wraps values of keys the engine marks secret in it before validating them.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return REDACTED


_SECRET_WORDS = re.compile(
    r"(password|passwd|passphrase|token|credential|kubeconfig|apikey|privatekey|accesskey|secretkey)"
)


def is_secret_name(name: str) -> bool:
    """A key whose value is a secret by its name (``secretAccessKey``, ``redis_password``).

    Names of Kubernetes Secrets (``tls_secret``, ``basic_auth_secret``) are not secrets.
    """
    return _SECRET_WORDS.search(name.replace("_", "").replace("-", "").lower()) is not None


def show(value: object, style: Style = "python") -> str:
    """A value as the user would have written it (a Python literal, or YAML in a stack file),
    cut to `SHOW_MAX` characters, with every secret in it as ``[secret]``."""
    text = _show(value, style)
    return text if len(text) <= SHOW_MAX else f"{text[: SHOW_MAX - 5]} ... ({len(text)} characters)"


def _show(value: object, style: Style) -> str:
    if isinstance(value, Secret):
        return REDACTED
    if style == "config":
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
    if isinstance(value, list | tuple):
        inner = ", ".join(_show(v, style) for v in value)
        if isinstance(value, tuple) and style == "python":
            return f"({inner},)" if len(value) == 1 else f"({inner})"
        return f"[{inner}]"
    if isinstance(value, dict):
        pairs = (f"{k if style == 'config' else repr(k)}: {_show(v, style)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    return repr(value)


@dataclass(frozen=True)
class Problem:
    """One bad input: where it is, the value, what is allowed, and what kind of problem."""

    path: Path
    value: object = None
    allowed: str = ""
    """What is allowed (a noun phrase); for missing: what the key is for; for conflict: why."""
    kind: Kind = Kind.INVALID
    other: Path | None = None
    """The key this one conflicts with (conflict only)."""
    known: tuple[str, ...] = field(default=(), compare=False)
    """The keys allowed where an unknown key was found (unknown only)."""
    taken: tuple[str, ...] = field(default=(), compare=False)
    """Known keys the user also wrote there: their problems are their own, never knock-ons of
    the typo (unknown only)."""

    def __post_init__(self) -> None:
        if not isinstance(self.path, Path):
            object.__setattr__(self, "path", Path.of(self.path))

    @property
    def key(self) -> str:
        """The key in the Python vocabulary: ``ports[0].port``."""
        return self.path.render()

    def within(self, prefix: Path | str | Sequence[Segment]) -> Problem:
        """The same problem with its keys nested under `prefix` (a sub-object's validator)."""
        base = Path.of(prefix)
        other = base / self.other if self.other is not None else None
        return replace(self, path=base / self.path, other=other)

    @property
    def secret(self) -> bool:
        """The value is a secret by its key's name: it is never shown."""
        return any(isinstance(part, str) and is_secret_name(part) for part in self.path.parts)

    def render(self, style: Style = "python", keys: Collection[str] = ()) -> str:
        """The problem as one line; in a stack file's style, the arg names in `keys` that the
        message text mentions are spelled as in the file too (``privateRouteTableIds``)."""
        key = self.path.render(style)
        allowed = _respell(self.allowed, keys) if style == "config" else self.allowed
        value = _respell_keys(self.value, keys) if style == "config" else self.value
        return replace(self, allowed=allowed)._render(key, Secret(REDACTED) if self.secret else value, style)

    def _render(self, key: str, value: object, style: Style) -> str:
        if self.kind is Kind.UNKNOWN:
            return f"{key} is not a known key: {_hint(self, style)}"
        if self.kind is Kind.MISSING:
            return f"{key} is required: {self.allowed}"
        if self.kind is Kind.CONFLICT:
            other = self.other.render(style) if self.other is not None else "another key"
            return f"{key}: {show(value, style)} conflicts with {other}: {self.allowed}"
        return f"{key}: {show(value, style)} is not allowed: {self.allowed}"


# A quoted value (an apostrophe inside a word, as in "pod's", is not a quote), or a snake_case word.
_WORD = re.compile(r"(?<![A-Za-z])'[^']*'(?![A-Za-z])|\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def _respell(text: str, keys: Collection[str]) -> str:
    """`text` with the snake_case arg names in `keys` camelCased; quoted values untouched."""
    if not keys:
        return text
    return _WORD.sub(lambda m: camel(m.group()) if m.group() in keys else m.group(), text)


def _respell_keys(value: object, keys: Collection[str]) -> object:
    """`value` with the arg names in `keys` used as its map keys camelCased, at any depth (a
    sub-object shown whole, like ``{myAsn: 64600, peers: [...]}``); other keys untouched."""
    if isinstance(value, Secret) or not keys:
        return value
    if isinstance(value, dict):
        return {
            camel(k) if isinstance(k, str) and k in keys else k: _respell_keys(v, keys)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_respell_keys(v, keys) for v in value]
    return value


def _spell(name: str, style: Style) -> str:
    return camel(name) if style == "config" else name


def suggestion(problem: Problem) -> str | None:
    """The known key (Python spelling) an unknown key most likely meant, or None."""
    leaf = problem.path.leaf
    if problem.kind is not Kind.UNKNOWN or not isinstance(leaf, str):
        return None
    by_spelling = {_bare(_spell(k, "config")): k for k in problem.known}
    by_spelling.update({_bare(k): k for k in problem.known})
    close = difflib.get_close_matches(_bare(leaf), list(by_spelling), n=1, cutoff=0.8)
    return by_spelling[close[0]] if close else None


def _bare(key: str) -> str:
    """What is compared for a suggestion: lower case, without a ``namespace:`` both share."""
    return key.rsplit(":", 1)[-1].lower()


def _hint(problem: Problem, style: Style) -> str:
    meant = suggestion(problem)
    if meant is not None:
        return f"did you mean {_spell(meant, style)}?"
    if not problem.known:
        return "no keys are allowed here"
    return "the known keys are " + ", ".join(_spell(k, style) for k in problem.known)


def invalid(key: Path | str, value: object, allowed: str) -> Problem:
    return Problem(Path.of(key), value, allowed)


def missing(key: Path | str, what_for: str) -> Problem:
    return Problem(Path.of(key), None, what_for, Kind.MISSING)


def unknown(key: Path | str, value: object, known: Iterable[str], taken: Iterable[str] = ()) -> Problem:
    """`key` is not one of `known`; `taken`: the known keys also given beside it."""
    return Problem(Path.of(key), value, "", Kind.UNKNOWN, known=tuple(sorted(known)), taken=tuple(taken))


def conflict(key: Path | str, value: object, other: Path | str, why: str) -> Problem:
    return Problem(Path.of(key), value, why, Kind.CONFLICT, other=Path.of(other))


def without_knock_on(problems: Iterable[Problem]) -> list[Problem]:
    """Drop what a misspelled key caused: the key it meant is then missing or at its default.

    ``alowedDomains: [...]`` is one mistake; reporting also that ``allowedDomains`` is missing,
    or invalid at a default the user never wrote, would be a second, false one.
    """
    found = list(problems)
    meant = [p.path.parent / s for p in found if (s := suggestion(p)) is not None and s not in p.taken]
    return [p for p in found if p.kind is Kind.UNKNOWN or not any(p.path.startswith(m) for m in meant)]


class ArgsError(pulumi.RunError, ValueError):
    """Raised with every problem found, before any resource is registered.

    A `pulumi.RunError`, so `pulumi up`/`preview` print the message without a traceback.
    """

    def __init__(
        self, where: str, problems: Iterable[Problem], style: Style = "python", keys: Collection[str] = ()
    ) -> None:
        """`keys`: the arg names a stack file's messages spell in camelCase (see `Problem.render`)."""
        self.problems = without_knock_on(problems)
        self.style = style
        self.keys = frozenset(keys)
        lines = "\n".join(f"  {i}. {p.render(style, self.keys)}" for i, p in enumerate(self.problems, 1))
        n = len(self.problems)
        super().__init__(f"{where}: {n} problem{'s' if n != 1 else ''}:\n{lines}")


def raise_if(where: str, problems: Iterable[Problem]) -> None:
    """Raise ArgsError naming `where` (``SquidProxy 'egress'``) if there is any problem."""
    found = list(problems)
    if found:
        raise ArgsError(where, found)
