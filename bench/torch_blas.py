"""Which BLAS this PyTorch process runs on, for the benchmarks' baseline (bench/coord.ts, bench/speed.ts).

Debian's python3-torch links libblas.so.3, which the alternatives system points at OpenBLAS
(libopenblas0-pthread) or at the reference (netlib) BLAS, 5-8x slower on these models; torch.__config__.show()
says BLAS_INFO=generic for both. What counts is the library mapped into this process: read /proc/self/maps
after a matrix product has run.
"""
import os

import torch

OPTIMISED = ("openblas", "mkl", "blis", "atlas")


def blas_library():
    """{"kind": "openblas" | "mkl" | "blis" | "atlas" | "reference" | "unknown", "path": str | None}"""
    a = torch.ones(64, 64)
    (a @ a).sum().item()  # make sure the BLAS is loaded and used
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "/" in line}
    except OSError:
        return {"kind": "unknown", "path": None}
    libs = sorted(p for p in paths if "blas" in os.path.basename(p).lower() or "mkl" in os.path.basename(p).lower())
    for p in libs:
        low = p.lower()
        for kind in OPTIMISED:
            if kind in low:
                return {"kind": kind, "path": p}
    if libs:
        # e.g. /usr/lib/x86_64-linux-gnu/blas/libblas.so.3 (Debian's libblas3, the netlib reference)
        return {"kind": "reference", "path": libs[0]}
    return {"kind": "unknown", "path": None}


if __name__ == "__main__":
    import json

    print(json.dumps(blas_library()))
