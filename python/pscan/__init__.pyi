from typing import Any, Literal, Optional, Sequence, TypeVar

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

__version__: str

_Out = TypeVar("_Out", bound=np.ndarray[Any, Any])
_Order = Optional[Literal["reproducible", "sequential"]]

def cumsum(a: ArrayLike, axis: Optional[int] = ..., dtype: DTypeLike = ..., out: Optional[_Out] = ..., *,
           threads: Optional[int] = ..., order: _Order = ..., exclusive: bool = ..., reverse: bool = ...,
           check_overflow: bool = ..., compensated: bool = ...) -> NDArray[Any]: ...
def cumprod(a: ArrayLike, axis: Optional[int] = ..., dtype: DTypeLike = ..., out: Optional[_Out] = ..., *,
            threads: Optional[int] = ..., order: _Order = ..., exclusive: bool = ..., reverse: bool = ...,
            check_overflow: bool = ..., compensated: bool = ...) -> NDArray[Any]: ...
def nancumsum(a: ArrayLike, axis: Optional[int] = ..., dtype: DTypeLike = ..., out: Optional[_Out] = ..., *,
              threads: Optional[int] = ..., order: _Order = ..., exclusive: bool = ..., reverse: bool = ...,
              check_overflow: bool = ..., compensated: bool = ...) -> NDArray[Any]: ...
def nancumprod(a: ArrayLike, axis: Optional[int] = ..., dtype: DTypeLike = ..., out: Optional[_Out] = ..., *,
               threads: Optional[int] = ..., order: _Order = ..., exclusive: bool = ..., reverse: bool = ...,
               check_overflow: bool = ..., compensated: bool = ...) -> NDArray[Any]: ...
def cummax(a: ArrayLike, axis: Optional[int] = ..., dtype: DTypeLike = ..., out: Optional[_Out] = ..., *,
           threads: Optional[int] = ..., order: _Order = ..., exclusive: bool = ..., reverse: bool = ...,
           check_overflow: bool = ..., compensated: bool = ...) -> NDArray[Any]: ...
def cummin(a: ArrayLike, axis: Optional[int] = ..., dtype: DTypeLike = ..., out: Optional[_Out] = ..., *,
           threads: Optional[int] = ..., order: _Order = ..., exclusive: bool = ..., reverse: bool = ...,
           check_overflow: bool = ..., compensated: bool = ...) -> NDArray[Any]: ...
def cumulative_sum(x: ArrayLike, /, *, axis: Optional[int] = ..., dtype: DTypeLike = ...,
                   out: Optional[_Out] = ..., include_initial: bool = ..., threads: Optional[int] = ...,
                   order: _Order = ..., exclusive: bool = ..., reverse: bool = ...,
                   check_overflow: bool = ..., compensated: bool = ...) -> NDArray[Any]: ...
def cumulative_prod(x: ArrayLike, /, *, axis: Optional[int] = ..., dtype: DTypeLike = ...,
                    out: Optional[_Out] = ..., include_initial: bool = ..., threads: Optional[int] = ...,
                    order: _Order = ..., exclusive: bool = ..., reverse: bool = ...,
                    check_overflow: bool = ..., compensated: bool = ...) -> NDArray[Any]: ...
def scan_axes(a: ArrayLike, axes: Sequence[int], op: Literal["sum", "prod", "max", "min"] = ...,
              dtype: DTypeLike = ..., out: Optional[_Out] = ..., *, threads: Optional[int] = ...,
              order: _Order = ...) -> NDArray[Any]: ...
def info() -> dict[str, Any]: ...
def set_result_cache(max_bytes: int, /) -> int: ...
def clear_result_cache() -> int: ...
