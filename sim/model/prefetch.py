"""A hint to the processor: fetch the memory a compiled loop will read soon.

The reading looks up each read's post at random: at a million members, in a table of
some 330,000 posts (10 MB) and in lists of eligible posts (14 MB), far past a core's
2 MB cache. A loop that loads them one read after the other waits for memory at every
read. Told a dozen reads ahead where the next lookups fall, the processor fetches them
while it works on the reads before (software prefetching: Mowry, Lam and Gupta 1992,
"Design and evaluation of a compiler algorithm for prefetching", ASPLOS V). A prefetch
changes no value, only when memory arrives: the results are the same bit for bit.

``ahead(array, index)`` does nothing in plain Python; ``compile()`` replaces it with
LLVM's ``llvm.prefetch`` (for a two-dimensional array, of the row ``index``), which
the compiled loops that call it (``sim.model.reading_loops``) then use.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ahead", "compile"]

_COMPILED: list[bool] = []
_READ, _KEEP, _DATA = 0, 3, 1  # llvm.prefetch's arguments: a read, kept in every cache level


def ahead(array: Any, index: int) -> None:
    """Ask for ``array[index]`` (a row of a two-dimensional array) to be fetched into
    the cache; a no-op until ``compile()``."""


def compile() -> None:
    """Replace ``ahead`` with its compiled form, LLVM's prefetch intrinsic (once)."""
    if _COMPILED:
        return
    from llvmlite import ir
    from numba import types
    from numba.core import cgutils
    from numba.extending import intrinsic

    @intrinsic
    def compiled_ahead(typingctx: Any, array: Any, index: Any) -> Any:
        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            array_type = signature.args[0]
            data = context.make_array(array_type)(context, builder, args[0])
            where = [args[1]] + [context.get_constant(types.intp, 0)] * (array_type.ndim - 1)
            pointer = cgutils.get_item_pointer(
                context, builder, array_type, data, where, wraparound=False
            )
            pointer = builder.bitcast(pointer, cgutils.voidptr_t)
            function = builder.module.declare_intrinsic(
                "llvm.prefetch",
                [cgutils.voidptr_t],
                ir.FunctionType(ir.VoidType(), [cgutils.voidptr_t, *[ir.IntType(32)] * 3]),
            )
            flags = [ir.IntType(32)(flag) for flag in (_READ, _KEEP, _DATA)]
            builder.call(function, [pointer, *flags])
            return context.get_dummy_value()

        return types.void(array, index), codegen

    globals()["ahead"] = compiled_ahead
    _COMPILED.append(True)
