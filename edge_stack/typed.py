"""Coerce camelCase stack config into the components' snake_case TypedDict args.

The component's own TypedDict is the schema: one source of truth for the shape, so a
new arg needs no second declaration here. Every problem is collected (unknown keys with
the allowed ones listed, wrong types, missing required keys), each naming its full
config key. Semantic checks stay in the components' validators.
"""

from __future__ import annotations

import enum
import re
import types
import typing
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Literal, NotRequired, Required, Union, get_args, get_origin, get_type_hints

import pulumi

from traffic_edge._shared.problems import MapKey, Path, Problem, invalid, missing, unknown

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def hints_of(tp: Any) -> dict[str, Any]:
    # pulumi.Input is declared with the forward reference "Output[T]".
    return get_type_hints(tp, localns=vars(pulumi.output), include_extras=True)


def required_keys(tp: Any) -> set[str]:
    """Required keys, also when annotations are strings (PEP 563 hides Required from __required_keys__)."""
    keys = set()
    for name, hint in hints_of(tp).items():
        origin = get_origin(hint)
        if origin is Required or (getattr(tp, "__total__", True) and origin is not NotRequired):
            keys.add(name)
    return keys


def is_typeddict(tp: Any) -> bool:
    return (
        isinstance(tp, type)
        and issubclass(tp, dict)
        and hasattr(tp, "__annotations__")
        and hasattr(tp, "__total__")
    )


def _is_deferred(tp: Any) -> bool:
    origin = get_origin(tp) or tp
    return origin is pulumi.Output or (isinstance(origin, type) and issubclass(origin, Awaitable))


def _strip(tp: Any) -> tuple[Any, bool]:
    """Unwrap Required/NotRequired/pulumi.Input/Optional; return (type, optional)."""
    optional = False
    while True:
        origin = get_origin(tp)
        if origin in (Required, NotRequired):
            tp = get_args(tp)[0]
            continue
        if origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) < len(get_args(tp)):
                optional = True
            # pulumi.Input[T] is Union[T, Awaitable[T], Output[T]]: keep T.
            plain = [a for a in args if not _is_deferred(a)]
            if len(plain) == 1:
                tp = plain[0]
                continue
            return plain, optional
        return tp, optional


def _plural(description: str) -> str:
    """``a string`` -> ``strings``, ``an object with keys a, b`` -> ``objects with keys a, b``."""
    for article in ("a ", "an "):
        if description.startswith(article):
            noun, _, rest = description[len(article) :].partition(" ")
            return f"{noun}s{' ' + rest if rest else ''}"
    return f"values, each {description}"


def _describe(tp: Any) -> str:
    tp, _ = _strip(tp)
    if isinstance(tp, list):
        return " or ".join(_describe(t) for t in tp)
    origin = get_origin(tp)
    if tp is bool:
        return "true or false"
    if tp is int:
        return "an integer"
    if tp is float:
        return "a number"
    if tp is str:
        return "a string"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return "one of " + ", ".join(repr(m.value) for m in tp)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in get_args(tp))
    if origin in (list, Sequence, typing.Sequence):
        return f"a list of {_plural(_describe(get_args(tp)[0]))}"
    if origin in (dict, Mapping, typing.Mapping):
        return f"a map of names to {_plural(_describe(get_args(tp)[1]))}"
    if is_typeddict(tp):
        return "an object with keys " + ", ".join(camel(k) for k in hints_of(tp))
    return getattr(tp, "__name__", str(tp))


_BAD = object()
"""What a converter returns for a value that is not of its type."""


def _bool(value: Any) -> Any:
    return value if isinstance(value, bool) else _BAD


def _int(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)  # `pulumi config set k 3` stores strings
    return _BAD


def _float(value: Any) -> Any:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else _BAD


def _str(value: Any) -> Any:
    return value if isinstance(value, str) else _BAD


def _str_rule(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        # YAML reads 1.30 as the float 1.3; a string field never wants that silently.
        if isinstance(value, float):
            # The zero the user wrote is gone: 1.30 and 1.3 are the same float.
            return f"a string: quote it in YAML, '{value}' (or '{value}0' if you wrote {value}0)"
        return f"a string: quote it in YAML, '{value}'"
    return "a string"


_SCALARS: dict[Any, tuple[Callable[[Any], Any], Callable[[Any], str]]] = {
    bool: (_bool, lambda _: "true or false"),
    int: (_int, lambda _: "an integer"),
    float: (_float, lambda _: "a number"),
    str: (_str, _str_rule),
}


def _member(tp: type[enum.Enum], value: Any) -> Any:
    for member in tp:
        if value == member.value or (isinstance(value, str) and value.lower() == str(member.value).lower()):
            return member
    return _BAD


def _checked(value: Any, converted: Any, rule: str, key: Path, problems: list[Problem]) -> Any:
    """The converted value, or `value` unchanged with a problem when it did not convert."""
    if converted is _BAD:
        problems.append(invalid(key, value, rule))
        return value
    return converted


def _union(value: Any, candidates: list[Any], key: Path, problems: list[Problem]) -> Any:
    """A union of several plain types: the first that fits."""
    for candidate in candidates:
        trial: list[Problem] = []
        out = coerce(value, candidate, key, trial)
        if not trial:
            return out
    problems.append(invalid(key, value, _describe(candidates)))
    return value


def _container(value: Any, tp: Any, key: Path, problems: list[Problem]) -> Any:
    """A list or a map: each item coerced to its type, at its own key."""
    if get_origin(tp) in (list, Sequence, typing.Sequence):
        if not isinstance(value, list):
            return _checked(value, _BAD, _describe(tp), key, problems)
        (item_tp,) = get_args(tp)
        return [coerce(v, item_tp, key / i, problems) for i, v in enumerate(value)]
    if not isinstance(value, dict):
        return _checked(value, _BAD, _describe(tp), key, problems)
    _, val_tp = get_args(tp)
    return {str(k): coerce(v, val_tp, key / MapKey(str(k)), problems) for k, v in value.items()}


def coerce(value: Any, tp: Any, key: Path, problems: list[Problem]) -> Any:
    """Return `value` converted to `tp`, appending a Problem per bad spot (value unchanged there)."""
    tp, optional = _strip(tp)
    if value is None:
        return None if optional else _checked(value, _BAD, _describe(tp), key, problems)
    if isinstance(tp, list):
        return _union(value, tp, key, problems)
    if tp in _SCALARS:
        convert, rule = _SCALARS[tp]
        return _checked(value, convert(value), rule(value), key, problems)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _checked(value, _member(tp, value), _describe(tp), key, problems)
    origin = get_origin(tp)
    if origin is Literal:
        return _checked(value, value if value in get_args(tp) else _BAD, _describe(tp), key, problems)
    if origin in (list, Sequence, typing.Sequence, dict, Mapping, typing.Mapping):
        return _container(value, tp, key, problems)
    if is_typeddict(tp):
        return coerce_object(value, tp, key, problems)
    return value


def coerce_object(
    value: Any, tp: Any, key: Path, problems: list[Problem], *, extra_keys: Sequence[str] = ()
) -> dict[str, Any]:
    """A camelCase config object -> the TypedDict `tp` (snake_case keys).

    A key the user misspelt is reported once, with the nearest known key; the key it meant
    is then not reported missing as well.
    """
    hints = hints_of(tp)
    if not isinstance(value, dict):
        problems.append(invalid(key, value, _describe(tp)))
        return {}
    out: dict[str, Any] = {}
    known = [*hints, *(snake(k) for k in extra_keys)]
    taken = [k for k in known if k in value or camel(k) in value]
    for raw_key, raw_value in value.items():
        if raw_key in extra_keys:
            continue
        name = snake(str(raw_key))
        if name not in hints or camel(name) != raw_key:
            problems.append(unknown(key / MapKey(str(raw_key)), raw_value, known, taken))
            continue
        out[name] = coerce(raw_value, hints[name], key / name, problems)
    for required in sorted(required_keys(tp)):
        if required not in value and camel(required) not in value:
            problems.append(missing(key / required, _describe(hints[required])))
    return out
