"""Plain-data encoding of values that cross between a notebook kernel and the grader.

Hidden checks are judged outside the student's kernel, so what a student's function returned
has to leave the kernel as inert data: JSON with arrays as base64 bytes. Nothing is pickled,
so no object from the kernel can run code (or fake an `==`) in the judging process.
A tagged JSON form is written here rather than using `np.save`/`torch.save` because those
either pickle or cannot carry nested tuples, dicts and error text in one record.
"""

from __future__ import annotations

import base64
import decimal
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

WIRE_VERSION = 1

# Only numeric kinds can be compared by value; object arrays could smuggle arbitrary objects.
_NUMERIC_KINDS = set("biufc")


@dataclass(frozen=True)
class TensorData:
    """A torch tensor as the judge sees it: its values plus the facts checks care about."""

    array: np.ndarray
    dtype: str
    requires_grad: bool
    device: str


@dataclass(frozen=True)
class Unsupported:
    """A value of a type the wire does not carry (a model, a generator, a forged object)."""

    type_name: str


@dataclass(frozen=True)
class Build:
    """In a plan: an argument the kernel builds with a named builder from `dlmed.probe`."""

    name: str
    params: dict


@dataclass(frozen=True)
class Result:
    """In a plan: the value returned by an earlier call of the same check (optionally one item)."""

    index: int
    key: Any = None


def _encode_array(array: np.ndarray) -> dict:
    return {  # tobytes() is always C order, whatever the array's memory layout
        "dtype": array.dtype.str,
        "shape": list(array.shape),
        "data": base64.b64encode(array.tobytes()).decode("ascii"),
    }


def _decode_array(obj: dict) -> np.ndarray:
    dtype = np.dtype(obj["dtype"])
    if dtype.kind not in _NUMERIC_KINDS:
        raise ValueError(f"refusing non-numeric array dtype {dtype}")
    raw = base64.b64decode(obj["data"])
    return np.frombuffer(raw, dtype=dtype).reshape(obj["shape"]).copy()


def _torch_tensor_type():
    try:
        import torch
    except ImportError:
        return None
    return torch.Tensor


def encode(value: Any) -> Any:
    """Turn a value into JSON-ready plain data. Never raises: unknown types become Unsupported."""
    # Exact type checks on purpose: a subclass of float or dict could override comparison. What a
    # prompt calls "a dict" or "a list" may still come back as a look-alike (a defaultdict, a
    # namedtuple, a deque): `_plain` copies it into the builtin it stands for first.
    if value is None or type(value) in (bool, int, str):
        return value
    if type(value) is float:
        return value
    if isinstance(value, np.generic) and np.dtype(type(value)).kind in _NUMERIC_KINDS:
        return {"$ndarray": _encode_array(np.asarray(value))}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in _NUMERIC_KINDS:
            return {"$unsupported": f"numpy array of dtype {value.dtype}"}
        return {"$ndarray": _encode_array(np.asarray(value).view(np.ndarray))}
    tensor_type = _torch_tensor_type()
    if tensor_type is not None and isinstance(value, tensor_type):
        data = value.detach().cpu()
        if str(data.dtype) == "torch.bfloat16":  # numpy has no bfloat16; widening loses nothing
            data = data.float()
        payload = _encode_array(data.numpy())
        payload.update(
            torch_dtype=str(value.dtype),
            requires_grad=bool(value.requires_grad),
            device=str(value.device),
        )
        return {"$tensor": payload}
    if type(value) is tuple:
        return {"$tuple": [encode(v) for v in value]}
    if type(value) is list:
        return [encode(v) for v in value]
    if type(value) is dict and all(type(k) is str for k in value):
        return {"$dict": {k: encode(v) for k, v in value.items()}}
    if isinstance(value, Build):
        return {"$build": {"name": value.name, "params": encode(value.params)}}
    if isinstance(value, Result):
        return {"$result": [value.index, encode(value.key)]}
    try:
        plain = _plain(value)
    except Exception:  # the look-alike's own methods failed (in the student's kernel, where they run)
        plain = None
    if plain is None:
        return {"$unsupported": type(value).__qualname__}
    return encode(plain)


def _plain(value: Any) -> Any:
    """The builtin value a look-alike holds (an exact int, float, tuple, dict or list), or None."""
    if isinstance(value, bool) or isinstance(value, np.generic):
        return None
    if isinstance(value, int):
        return int.__int__(value)
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, (numbers.Real, decimal.Decimal)):  # a Fraction, a Decimal: a number all the same
        return float(value)
    if isinstance(value, tuple):
        return tuple(iter(value))
    if isinstance(value, Mapping):
        return dict(iter(value.items()))
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray, memoryview)):
        return list(iter(value))
    return None


def decode(obj: Any, *, build=None, results=None) -> Any:
    """Inverse of `encode`. `build` and `results` resolve plan references inside the kernel."""
    if isinstance(obj, list):
        return [decode(v, build=build, results=results) for v in obj]
    if not isinstance(obj, dict):
        return obj
    (tag, payload), = obj.items()
    if tag == "$ndarray":
        array = _decode_array(payload)
        return array[()] if array.ndim == 0 else array  # a numpy scalar went in, one comes out
    if tag == "$tensor":
        array = _decode_array(payload)
        if build is not None:  # inside the kernel a tensor argument must be a real tensor
            import torch

            tensor = torch.from_numpy(array)
            return tensor.requires_grad_(payload["requires_grad"])
        return TensorData(array, payload["torch_dtype"], payload["requires_grad"], payload["device"])
    if tag == "$tuple":
        return tuple(decode(v, build=build, results=results) for v in payload)
    if tag == "$dict":
        return {k: decode(v, build=build, results=results) for k, v in payload.items()}
    if tag == "$unsupported":
        return Unsupported(payload)
    if tag == "$build":
        params = decode(payload["params"], build=build, results=results)
        if build is None:
            return Build(payload["name"], params)
        return build(payload["name"], params)
    if tag == "$result":
        index, key = payload
        if results is None:
            return Result(index, key)
        value = results[index]
        return value if key is None else value[key]
    raise ValueError(f"unknown wire tag {tag!r}")
