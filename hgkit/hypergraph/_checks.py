"""Input validation shared by every constructor and transform.

Each helper validates one argument and raises a clear error that names the argument, what was
expected and what was received. They are called once at the public entry points, never on hot
paths.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import torch
from torch import Tensor

_INT_DTYPES = (torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8)


def describe(value: Any) -> str:
    """A short description of ``value`` for error messages."""
    if isinstance(value, Tensor):
        return f"Tensor(shape={list(value.shape)}, dtype={value.dtype}, device={value.device})"
    if isinstance(value, np.ndarray):
        return f"ndarray(shape={list(value.shape)}, dtype={value.dtype})"
    return type(value).__name__


def check_count(value: Any, name: str, *, minimum: int = 0) -> int:
    """Validate a non-negative Python integer count (``num_nodes``, ``k``, ...)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, Tensor) and value.numel() == 1 and value.dtype in _INT_DTYPES:
            value = int(value.item())
        else:
            raise TypeError(f"Expected '{name}' to be an int (got {describe(value)})")
    value = int(value)
    if value < minimum:
        raise ValueError(f"Expected '{name}' to be >= {minimum} (got {value})")
    return value


def to_index_tensor(value: Any, name: str, *, ndim: int | None = None) -> Tensor:
    """Convert ``value`` (Tensor, ndarray or nested list of ints) to an int64 tensor.

    Float and bool inputs are rejected rather than silently cast; the device is kept.
    """
    if isinstance(value, Tensor):
        tensor = value
    elif isinstance(value, np.ndarray):
        if value.dtype == np.bool_ or not np.issubdtype(value.dtype, np.integer):
            if value.size > 0 or value.dtype == np.bool_:
                raise TypeError(
                    f"Expected '{name}' to hold integers (got dtype {value.dtype})"
                )
            value = value.astype(np.int64)
        tensor = torch.from_numpy(np.ascontiguousarray(value))
    elif isinstance(value, (list, tuple)):
        try:
            arr = np.asarray(value)
        except ValueError as exc:  # ragged lists
            raise ValueError(f"Expected '{name}' to be a rectangular array ({exc})") from None
        if arr.size == 0:
            arr = arr.astype(np.int64)
        return to_index_tensor(arr, name, ndim=ndim)
    else:
        raise TypeError(
            f"Expected '{name}' to be a LongTensor, ndarray or list of ints "
            f"(got {describe(value)})"
        )
    if tensor.dtype == torch.bool or tensor.dtype not in _INT_DTYPES:
        if tensor.numel() == 0 and tensor.dtype != torch.bool:
            tensor = tensor.long()
        else:
            raise TypeError(f"Expected '{name}' to hold integers (got dtype {tensor.dtype})")
    if ndim is not None and tensor.dim() != ndim:
        raise ValueError(
            f"Expected '{name}' to be {ndim}-dimensional (got shape {list(tensor.shape)})"
        )
    return tensor.long()


def check_nonnegative_ids(ids: Tensor, name: str) -> None:
    """Raise if ``ids`` holds a negative value."""
    if ids.numel() and int(ids.min()) < 0:
        raise IndexError(f"'{name}' holds negative id {int(ids.min())}")


def check_ids_below(ids: Tensor, name: str, bound: int, bound_name: str) -> None:
    """Raise if ``ids`` holds a value >= ``bound``."""
    if ids.numel():
        check_nonnegative_ids(ids, name)
        top = int(ids.max())
        if top >= bound:
            raise IndexError(f"'{name}' holds id {top} but {bound_name}={bound}")


def to_float_tensor(value: Any, name: str, device: torch.device) -> Tensor:
    """Convert ``value`` to a floating tensor on ``device`` without a silent device move."""
    if isinstance(value, Tensor):
        tensor = value
    elif isinstance(value, (np.ndarray, list, tuple)):
        arr = np.asarray(value)
        if arr.dtype == np.bool_ or not (
            np.issubdtype(arr.dtype, np.number) or arr.size == 0
        ):
            raise TypeError(f"Expected '{name}' to hold numbers (got dtype {arr.dtype})")
        tensor = torch.as_tensor(arr, device=device)
    else:
        raise TypeError(f"Expected '{name}' to be a Tensor (got {describe(value)})")
    if tensor.device != device:
        raise ValueError(
            f"Expected '{name}' on device {device} like 'hyperedge_index' (got {tensor.device})"
        )
    if tensor.dtype == torch.bool or tensor.is_complex():
        raise TypeError(f"Expected '{name}' to be a real tensor (got dtype {tensor.dtype})")
    if not tensor.is_floating_point():
        tensor = tensor.to(torch.get_default_dtype())
    return tensor


def check_weight(value: Any, name: str, length: int, length_name: str, device: torch.device
                 ) -> Tensor:
    """Validate a 1-D weight vector: right length, finite, non-negative."""
    tensor = to_float_tensor(value, name, device)
    if tensor.dim() != 1 or tensor.numel() != length:
        raise ValueError(
            f"Expected '{name}' to have shape [{length}] ({length_name}={length}) "
            f"(got {list(tensor.shape)})"
        )
    if tensor.numel():
        if not bool(torch.isfinite(tensor).all()):
            raise ValueError(f"'{name}' holds NaN or infinite values")
        if bool((tensor < 0).any()):
            raise ValueError(f"'{name}' holds negative values (min {float(tensor.min())})")
    return tensor


def check_rows(value: Any, name: str, rows: int, rows_name: str, device: torch.device
               ) -> Tensor:
    """Validate a feature matrix whose first dimension must equal ``rows``."""
    if isinstance(value, Tensor):
        tensor = value
    elif isinstance(value, np.ndarray):
        tensor = torch.from_numpy(value)
    else:
        raise TypeError(f"Expected '{name}' to be a Tensor (got {describe(value)})")
    if tensor.device != device:
        raise ValueError(
            f"Expected '{name}' on device {device} like 'hyperedge_index' (got {tensor.device})"
        )
    if tensor.dim() == 0 or tensor.size(0) != rows:
        raise ValueError(
            f"Expected '{name}' to have {rows} rows ({rows_name}={rows}) "
            f"(got shape {list(tensor.shape)})"
        )
    return tensor


def check_seed(seed: Any, name: str = "seed") -> int | None:
    """Validate an optional integer seed."""
    if seed is None:
        return None
    return check_count(seed, name)


def check_probability(value: Any, name: str) -> float:
    """Validate a probability in [0, 1]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"Expected '{name}' to be a float in [0, 1] (got {describe(value)})")
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"Expected '{name}' to be in [0, 1] (got {value})")
    return value
