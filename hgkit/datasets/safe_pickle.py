"""An allow-listed unpickler for untrusted dataset pickles.

Pickles can run arbitrary code on load: ``find_class`` is how they reach any callable. This
unpickler only resolves the names a dataset legitimately needs (numpy arrays and scalars, scipy
sparse matrices, Python containers) and refuses everything else *before* anything is called.
The deprecated module path ``scipy.sparse.csr`` (used by HyperGCN's ``features.pickle``) is
mapped to ``scipy.sparse``; Python-2 names (``__builtin__``) map to ``builtins``.

Example:
    >>> import io, pickle
    >>> safe_loads(pickle.dumps({"a": [1, 2, {3}]}))
    {'a': [1, 2, {3}]}
    >>> import os
    >>> safe_loads(pickle.dumps(os.system))
    Traceback (most recent call last):
    ...
    hgkit.datasets.safe_pickle.UnsafePickleError: refusing to unpickle 'posix.system': not on ...
"""

from __future__ import annotations

import io
import os
import pickle
from typing import Any

__all__ = ["UnsafePickleError", "safe_load", "safe_loads"]


class UnsafePickleError(pickle.UnpicklingError):
    """The pickle references a name outside the allow-list."""


_BUILTINS = {
    "set", "frozenset", "list", "dict", "tuple", "int", "float", "complex", "bool", "str",
    "bytes", "bytearray", "slice", "range", "object",
}
_NUMPY = {
    ("numpy", "ndarray"), ("numpy", "dtype"), ("numpy", "int8"), ("numpy", "int16"),
    ("numpy", "int32"), ("numpy", "int64"), ("numpy", "uint8"), ("numpy", "uint16"),
    ("numpy", "uint32"), ("numpy", "uint64"), ("numpy", "float16"), ("numpy", "float32"),
    ("numpy", "float64"), ("numpy", "bool_"), ("numpy", "str_"), ("numpy", "bytes_"),
    ("numpy.core.multiarray", "_reconstruct"), ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "scalar"),
    ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"),
}
_SCIPY_SPARSE = {"csr_matrix", "csc_matrix", "coo_matrix", "lil_matrix", "dok_matrix",
                 "csr_array", "csc_array", "coo_array"}
_SCIPY_MODULES = {"scipy.sparse", "scipy.sparse.csr", "scipy.sparse.csc", "scipy.sparse.coo",
                  "scipy.sparse._csr", "scipy.sparse._csc", "scipy.sparse._coo",
                  "scipy.sparse.lil", "scipy.sparse._lil", "scipy.sparse.dok",
                  "scipy.sparse._dok", "scipy.sparse._arrays"}


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module in ("builtins", "__builtin__") and name in _BUILTINS:
            import builtins

            return getattr(builtins, name)
        if (module, name) in _NUMPY:
            import numpy as np

            if name in ("_reconstruct", "scalar", "_frombuffer"):
                return super().find_class(module, name)
            return getattr(np, name)
        if module in _SCIPY_MODULES and name in _SCIPY_SPARSE:
            import scipy.sparse

            return getattr(scipy.sparse, name)
        raise UnsafePickleError(
            f"refusing to unpickle '{module}.{name}': not on the allow-list (numpy arrays, "
            f"scipy sparse matrices and Python containers only)"
        )


def safe_loads(data: bytes, encoding: str = "latin1") -> Any:
    """Unpickle ``data`` with the allow-list. ``encoding`` applies to Python-2 byte strings."""
    return _SafeUnpickler(io.BytesIO(data), encoding=encoding).load()


def safe_load(path: str | os.PathLike[str], encoding: str = "latin1") -> Any:
    """Unpickle the file at ``path`` with the allow-list.

    Raises:
        UnsafePickleError: the file references a name outside the allow-list.
        hgkit.datasets.base.DatasetError: the file is truncated or not a pickle.
    """
    from hgkit.datasets.base import DatasetError

    with open(path, "rb") as fh:
        try:
            return _SafeUnpickler(fh, encoding=encoding).load()
        except UnsafePickleError as exc:
            raise UnsafePickleError(f"{os.fspath(path)}: {exc}") from None
        except (EOFError, pickle.UnpicklingError, ValueError, TypeError,
                AttributeError, IndexError) as exc:
            raise DatasetError(f"{os.fspath(path)} is truncated or not a valid pickle: "
                               f"{exc}") from None
