/* Per-ISA clones of the hot loops, chosen at load time from the CPU.
 *
 * RFNAS__ISA_CLONES on a function makes the compiler emit it once for
 * AVX-512F, once for AVX2 and once for the baseline (SSE2 on x86-64) and
 * resolve the call through an ifunc when the library loads
 * (__builtin_cpu_supports underneath): one binary runs at full width on the
 * AVX-512 machines the library is tuned for and still runs anywhere.
 *
 * OpenMP outlines the body of a parallel loop into a function of its own,
 * which the clones do not cover, so each clone-carrying function is a
 * worker for one range that the parallel loop calls, never the loop itself.
 *
 * Results do not depend on the clone taken: the build is ISO C (c_std=c11,
 * and -ffp-contract=off, see meson.build) without -ffast-math, so every
 * clone performs the same operations in the same order, only on wider
 * vectors. The determinism promise (a given machine and thread count gives
 * the same bits) holds a fortiori. */
#ifndef RFNAS_KERNELS_LOOPS_ISA_H
#define RFNAS_KERNELS_LOOPS_ISA_H

#if defined(__x86_64__) && defined(__ELF__) && !defined(RFNAS_NO_ISA_CLONES) &&                  \
    ((defined(__clang__) && __clang_major__ >= 14) ||                                              \
     (!defined(__clang__) && defined(__GNUC__) && __GNUC__ >= 8))
#define RFNAS__ISA_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define RFNAS__ISA_CLONES
#endif

#endif
