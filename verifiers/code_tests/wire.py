"""Plain data across a process boundary: JSON, with one-key objects for what JSON lacks.

Lists stay lists; tuples, dicts (any keys), sets, frozensets, bytes and complex numbers
become ``{"t": [...]}``, ``{"d": [[key, value], ...]}``, ``{"s": ...}``, ``{"fs": ...}``,
``{"b": base64}``, ``{"c": [real, imag]}``. Nothing else crosses, so what a solution
returns is data, never an object whose ``__eq__`` it wrote. Used by the verifier and,
copied into the sandbox, by runner.py and solution_host.py (standard library only).
"""

import base64


def encode(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, tuple):
        return {"t": [encode(item) for item in value]}
    if isinstance(value, dict):
        return {"d": [[encode(key), encode(item)] for key, item in value.items()]}
    if isinstance(value, (set, frozenset)):
        return {"s" if isinstance(value, set) else "fs": [encode(item) for item in value]}
    if isinstance(value, bytes):
        return {"b": base64.b64encode(value).decode()}
    if isinstance(value, complex):
        return {"c": [value.real, value.imag]}
    raise TypeError(f"a {type(value).__name__} cannot cross between processes")


def decode(value):
    """The value :func:`encode` was given; ValueError (or TypeError) on anything else."""
    if isinstance(value, list):
        return [decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) != 1:
        raise ValueError("a tagged value has exactly one key")
    ((tag, inner),) = value.items()
    if tag == "t":
        return tuple(decode(item) for item in inner)
    if tag == "d":
        return {decode(key): decode(item) for key, item in inner}
    if tag == "s":
        return {decode(item) for item in inner}
    if tag == "fs":
        return frozenset(decode(item) for item in inner)
    if tag == "b":
        return base64.b64decode(inner, validate=True)
    if tag == "c":
        return complex(*inner)
    raise ValueError(f"unknown tag {tag!r}")


def from_json(value):
    """A JSON value of a dataset (objects as plain dicts) in this encoding."""
    if isinstance(value, list):
        return [from_json(item) for item in value]
    if isinstance(value, dict):
        return {"d": [[key, from_json(item)] for key, item in value.items()]}
    return value
