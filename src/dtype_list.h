/* dtype_list.h - the element types as X-macro lists, so every per-dtype
 * function is generated from one generic body instead of hand-copied. */
#ifndef PSCAN_DTYPE_LIST_H
#define PSCAN_DTYPE_LIST_H

#include "pscan.h"

#include <stdint.h>

/* Complex values are stored as numpy stores them: real, then imaginary. */
typedef struct pscan_c64 {
    float re, im;
} pscan_c64;
typedef struct pscan_c128 {
    double re, im;
} pscan_c128;

/* Storage type of each tag. float16 is kept as its IEEE bits. */
typedef uint8_t pscan_t_bool;
typedef int8_t pscan_t_i8;
typedef int16_t pscan_t_i16;
typedef int32_t pscan_t_i32;
typedef int64_t pscan_t_i64;
typedef uint8_t pscan_t_u8;
typedef uint16_t pscan_t_u16;
typedef uint32_t pscan_t_u32;
typedef uint64_t pscan_t_u64;
typedef uint16_t pscan_t_f16;
typedef float pscan_t_f32;
typedef double pscan_t_f64;
typedef pscan_c64 pscan_t_c64;
typedef pscan_c128 pscan_t_c128;

/* Public enumerator of each tag. */
#define PSCAN_DT_bool PSCAN_BOOL
#define PSCAN_DT_i8 PSCAN_INT8
#define PSCAN_DT_i16 PSCAN_INT16
#define PSCAN_DT_i32 PSCAN_INT32
#define PSCAN_DT_i64 PSCAN_INT64
#define PSCAN_DT_u8 PSCAN_UINT8
#define PSCAN_DT_u16 PSCAN_UINT16
#define PSCAN_DT_u32 PSCAN_UINT32
#define PSCAN_DT_u64 PSCAN_UINT64
#define PSCAN_DT_f16 PSCAN_FLOAT16
#define PSCAN_DT_f32 PSCAN_FLOAT32
#define PSCAN_DT_f64 PSCAN_FLOAT64
#define PSCAN_DT_c64 PSCAN_COMPLEX64
#define PSCAN_DT_c128 PSCAN_COMPLEX128

/* X(tag) for every element type. (clang-format does not settle on these
 * lists: they are kept as written.) */
// clang-format off
#define PSCAN_EACH_DTYPE(X) \
    X(bool) X(i8) X(i16) X(i32) X(i64) X(u8) X(u16) X(u32) X(u64) \
    X(f16) X(f32) X(f64) X(c64) X(c128)

/* X(arg, tag) for every element type: the inner level of a nested list
 * (a macro cannot expand itself inside its own expansion). */
#define PSCAN_EACH_DTYPE_WITH(X, arg) \
    X(arg, bool) X(arg, i8) X(arg, i16) X(arg, i32) X(arg, i64) \
    X(arg, u8) X(arg, u16) X(arg, u32) X(arg, u64) \
    X(arg, f16) X(arg, f32) X(arg, f64) X(arg, c64) X(arg, c128)
// clang-format on

/* Every table generated from the lists (conversions, kernels, MPI
 * combines) has a row per dtype only if the lists name them all. */
#define PSCAN_DTYPE_LIST_ONE(tag) +1
#define PSCAN_DTYPE_LIST_ONE_WITH(arg, tag) +1
_Static_assert(0 PSCAN_EACH_DTYPE(PSCAN_DTYPE_LIST_ONE) == PSCAN_DTYPE_COUNT - 1 &&
                   0 PSCAN_EACH_DTYPE_WITH(PSCAN_DTYPE_LIST_ONE_WITH, 0) == PSCAN_DTYPE_COUNT - 1,
               "the dtype lists name every dtype but DEFAULT");

#endif
