/*
 * tutorial.c - numpy's cumsum tutorial, computed with pscan.
 *
 *     a = np.array([5, 6, 7, 8, 9, 10, 11, 12, 19, 25])
 *     np.cumsum(a)[-1], np.cumsum(a)
 *     arr = np.array([[1, 4, 0], [7, 0, 9], [5, 0, 3], [12, 0, 5]])
 *     np.cumsum(arr, axis=1)
 *     b = np.arange(12).reshape(4, 3); b.cumsum(axis=1), axis=0, axis=None
 *     x = np.full(10, 0.1); np.cumsum(x)       (SEQUENTIAL: numpy's bits)
 *
 * The output is a numpy session: each ">>>" line is the numpy statement,
 * followed by what numpy prints for it (integer arrays right-aligned, as
 * numpy's print() does), so it reads, and is checked, as a doctest against
 * numpy itself (tests/numpy/tutorial_doctest.py). Any error status is
 * reported with pscan_strerror() and the program exits with status 1.
 */
#include <inttypes.h>
#include <pscan.h>
#include <stdio.h>
#include <stdlib.h>

static void check(pscan_status status, const char *what)
{
    if (status != PSCAN_OK) {
        fprintf(stderr, "tutorial: %s: %s\n", what, pscan_strerror(status));
        exit(EXIT_FAILURE);
    }
}

static void expect(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "tutorial: wrong result: %s\n", what);
        exit(EXIT_FAILURE);
    }
}

/* Print a C-contiguous 1-D or 2-D int64 array as numpy's print() does:
 * every element right-aligned to the widest one. */
static void print_i64(const char *label, const int64_t *v, int ndim, const int64_t *shape)
{
    int64_t rows = ndim == 2 ? shape[0] : 1, cols = shape[ndim - 1];
    int width = 1;
    for (int64_t i = 0; i < rows * cols; i++) {
        int w = snprintf(NULL, 0, "%" PRId64, v[i]);
        width = w > width ? w : width;
    }
    printf("%s\n%s", label, ndim == 2 ? "[" : "");
    for (int64_t r = 0; r < rows; r++) {
        printf("%s[", r > 0 ? "\n " : "");
        for (int64_t c = 0; c < cols; c++)
            printf("%s%*" PRId64, c > 0 ? " " : "", width, v[r * cols + c]);
        printf("]");
    }
    printf("%s\n\n", ndim == 2 ? "]" : "");
}

int main(void)
{
    /* 1-D int64: the accumulator stays int64 (PSCAN_DTYPE_DEFAULT). */
    int64_t a[10] = {5, 6, 7, 8, 9, 10, 11, 12, 19, 25}, a_sum[10];
    const int64_t a_shape[1] = {10};
    pscan_array a_in = {.data = a, .dtype = PSCAN_INT64, .ndim = 1, .shape = a_shape};
    pscan_array a_out = {.data = a_sum, .dtype = PSCAN_INT64, .ndim = 1, .shape = a_shape};
    check(pscan_cumsum(&a_in, 0, PSCAN_DTYPE_DEFAULT, &a_out, NULL), "cumsum(a)");
    printf(">>> a = np.array([5, 6, 7, 8, 9, 10, 11, 12, 19, 25])\n");
    printf(">>> print(np.cumsum(a)[-1])\n%" PRId64 "\n", a_sum[9]);
    print_i64(">>> print(np.cumsum(a))", a_sum, 1, a_shape);
    const int64_t a_want[10] = {5, 11, 18, 26, 35, 45, 56, 68, 87, 112};
    for (int i = 0; i < 10; i++)
        expect(a_sum[i] == a_want[i], "np.cumsum(a) == [5 11 18 26 35 45 56 68 87 112]");

    /* 2-D along the rows (axis=1): each row is scanned on its own. */
    int64_t arr[12] = {1, 4, 0, 7, 0, 9, 5, 0, 3, 12, 0, 5}, arr_rows[12];
    const int64_t arr_shape[2] = {4, 3};
    pscan_array arr_in = {.data = arr, .dtype = PSCAN_INT64, .ndim = 2, .shape = arr_shape};
    pscan_array arr_out = {.data = arr_rows, .dtype = PSCAN_INT64, .ndim = 2, .shape = arr_shape};
    check(pscan_cumsum(&arr_in, 1, PSCAN_DTYPE_DEFAULT, &arr_out, NULL), "cumsum(arr, axis=1)");
    printf(">>> arr = np.array([[1, 4, 0], [7, 0, 9], [5, 0, 3], [12, 0, 5]])\n");
    print_i64(">>> print(np.cumsum(arr, axis=1))", arr_rows, 2, arr_shape);
    const int64_t arr_want[12] = {1, 5, 5, 7, 7, 16, 5, 5, 8, 12, 12, 17};
    for (int i = 0; i < 12; i++)
        expect(arr_rows[i] == arr_want[i], "np.cumsum(arr, axis=1)");

    /* 2-D: strides NULL means C-contiguous; out has in's shape for an axis
     * scan and is 1-D of size(in) for PSCAN_AXIS_NONE. */
    int64_t b[12], by_row[12], by_col[12], flat[12];
    for (int i = 0; i < 12; i++)
        b[i] = i;
    const int64_t b_shape[2] = {4, 3}, flat_shape[1] = {12};
    pscan_array b_in = {.data = b, .dtype = PSCAN_INT64, .ndim = 2, .shape = b_shape};
    pscan_array row_out = {.data = by_row, .dtype = PSCAN_INT64, .ndim = 2, .shape = b_shape};
    pscan_array col_out = {.data = by_col, .dtype = PSCAN_INT64, .ndim = 2, .shape = b_shape};
    pscan_array flat_out = {.data = flat, .dtype = PSCAN_INT64, .ndim = 1, .shape = flat_shape};
    check(pscan_cumsum(&b_in, 1, PSCAN_DTYPE_DEFAULT, &row_out, NULL), "cumsum(b, axis=1)");
    check(pscan_cumsum(&b_in, 0, PSCAN_DTYPE_DEFAULT, &col_out, NULL), "cumsum(b, axis=0)");
    check(pscan_cumsum(&b_in, PSCAN_AXIS_NONE, PSCAN_DTYPE_DEFAULT, &flat_out, NULL), "cumsum(b)");
    printf(">>> b = np.arange(12).reshape(4, 3)\n");
    print_i64(">>> print(b.cumsum(axis=1))", by_row, 2, b_shape);
    print_i64(">>> print(b.cumsum(axis=0))", by_col, 2, b_shape);
    print_i64(">>> print(b.cumsum())", flat, 1, flat_shape);
    expect(by_row[11] == 30 && by_col[11] == 26 && flat[11] == 66, "b.cumsum() last values");

    /* float64 in SEQUENTIAL order: left to right along the lane, so every
     * bit equals numpy's (and this plain loop's). The default REPRODUCIBLE
     * order is bit-identical for any thread count, but not to numpy. */
    double x[10], x_sum[10], loop_sum = 0.0;
    for (int i = 0; i < 10; i++)
        x[i] = 0.1;
    pscan_array x_in = {.data = x, .dtype = PSCAN_FLOAT64, .ndim = 1, .shape = a_shape};
    pscan_array x_out = {.data = x_sum, .dtype = PSCAN_FLOAT64, .ndim = 1, .shape = a_shape};
    pscan_opts opts = PSCAN_OPTS_INIT;
    opts.order = PSCAN_ORDER_SEQUENTIAL;
    check(pscan_cumsum(&x_in, 0, PSCAN_DTYPE_DEFAULT, &x_out, &opts), "cumsum(x)");
    printf(">>> x = np.full(10, 0.1)\n");
    printf(">>> print('%%.17g' %% np.cumsum(x)[-1])\n%.17g\n", x_sum[9]);
    for (int i = 0; i < 10; i++) {
        loop_sum += x[i];
        expect(x_sum[i] == loop_sum, "SEQUENTIAL float64 equals the left-to-right loop");
    }
    return EXIT_SUCCESS;
}
