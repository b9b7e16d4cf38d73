"""numpy side of pscan_bench: times np.cumsum on request (Debian's python3).

pscan_bench starts this script as a coprocess and speaks one line per
request, so numpy's repetitions interleave with the C contenders':
  hello                                  -> ok
  case DTYPE NDIM ROWS COLS AXIS INPLACE -> ready  (arrays built, untimed)
  run                                    -> SECONDS (one np.cumsum)
  quit
The arrays hold the same values as the C side's (i % 7 pattern).
"""
import sys
import time

import numpy as np


def build(dtype, ndim, rows, cols):
    shape = (rows,) if ndim == 1 else (rows, cols)
    n = int(np.prod(shape))
    base = np.arange(n) % 7
    if np.dtype(dtype).kind == "f":
        values = base.astype(dtype) * np.asarray(0.25, dtype=dtype)
    else:
        values = (base - 3).astype(dtype)
    return values.reshape(shape)


def main():
    source = out = None
    axis = 0
    in_place = False
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "hello":
            reply = "ok"
        elif words[0] == "case":
            dtype, ndim, rows, cols, axis, in_place = words[1], *map(int, words[2:])
            source = out = None
            source = build(dtype, ndim, rows, cols)
            out = np.empty_like(source)
            reply = "ready"
        elif words[0] == "run":
            if in_place:
                np.copyto(out, source)  # untimed refill, then scan in place
                target, argument = out, out
            else:
                target, argument = out, source
            start = time.perf_counter()
            np.cumsum(argument, axis=axis, dtype=source.dtype, out=target)
            reply = f"{time.perf_counter() - start:.9e}"
        elif words[0] == "quit":
            return
        else:
            reply = "error"
        sys.stdout.write(reply + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
