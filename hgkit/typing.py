"""Shared type aliases."""

from __future__ import annotations

from typing import Optional, Union

import numpy as np
import torch
from torch import Tensor

OptTensor = Optional[Tensor]
Device = Union[str, torch.device]
IndexLike = Union[Tensor, np.ndarray]

__all__ = ["OptTensor", "Device", "IndexLike", "Tensor"]
