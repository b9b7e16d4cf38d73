// integral_bench.cpp - summed-area tables: pscan against OpenCV's
// cv::integral, in one run.
//
// Contenders, per case (input dtype -> sum dtype, image size):
//   opencv        cv::integral, one thread (cv::setNumThreads(1)): a
//                 (rows+1) x (cols+1) table with a zero first row and column
//   pscan         pscan_scan_axes SUM over axes {0, 1} into rows x cols
//   pscan_init    the same with PSCAN_FLAG_INCLUDE_INITIAL: OpenCV's layout
// pscan runs at each thread count. Each repetition runs every contender
// once, in turn, so a noisy neighbour slows them alike; each reports its
// median. Every out buffer is written once before timing (its pages
// faulted in), and each timed call follows an untimed one of the same
// contender: its table is as warm as a repeated call leaves it (a
// 2048x2048 table fits in L3, and the other contenders' tables would
// otherwise have evicted it between turns). Once per case pscan_init's table is checked against
// OpenCV's: integer sums value for value (OpenCV has no 64-bit integer
// depth; its float64 sums of uint8 and uint16 are exact integers), float
// sums of float inputs by their largest difference in ulps (OpenCV adds
// row then column, pscan in its REPRODUCIBLE order). The table shows
// time(opencv) / time(pscan) of the medians, and of the fastest runs
// (less moved by a busy neighbour): above 1 means pscan is faster.
//
//   pscan_integral_bench [--reps N] [--sizes 8192,2048] [--threads 1,2]
//                        [--csv FILE] [--only SUBSTRING]
#include <pscan.h>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace
{

struct bench_case {
    const char *name;
    pscan_dtype in, acc;
    int cv_in;
};

const bench_case cases[] = {
    {"uint8->int64", PSCAN_UINT8, PSCAN_INT64, CV_8U},
    {"uint8->float64", PSCAN_UINT8, PSCAN_FLOAT64, CV_8U},
    {"uint16->int64", PSCAN_UINT16, PSCAN_INT64, CV_16U},
    {"float32->float64", PSCAN_FLOAT32, PSCAN_FLOAT64, CV_32F},
    {"float64->float64", PSCAN_FLOAT64, PSCAN_FLOAT64, CV_64F},
};

double now()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double least(const std::vector<double> &v)
{
    return *std::min_element(v.begin(), v.end());
}

std::vector<int> parse_list(const char *text)
{
    std::vector<int> list;
    for (const char *p = text; *p;) {
        list.push_back(std::atoi(p));
        const char *comma = std::strchr(p, ',');
        if (!comma)
            break;
        p = comma + 1;
    }
    return list;
}

void fill(cv::Mat &image, std::mt19937_64 &rng)
{
    const size_t n = image.total();
    switch (image.depth()) {
    case CV_8U:
        for (size_t i = 0; i < n; i++)
            image.ptr<uint8_t>()[i] = static_cast<uint8_t>(rng());
        break;
    case CV_16U:
        for (size_t i = 0; i < n; i++)
            image.ptr<uint16_t>()[i] = static_cast<uint16_t>(rng());
        break;
    case CV_32F:
        for (size_t i = 0; i < n; i++)
            image.ptr<float>()[i] = static_cast<float>(rng() >> 40) / 16777216.0f;
        break;
    default:
        for (size_t i = 0; i < n; i++)
            image.ptr<double>()[i] = static_cast<double>(rng() >> 11) / 9007199254740992.0;
        break;
    }
}

// How many doubles lie between a and b (both finite, same sign here).
int64_t ulps(double a, double b)
{
    int64_t x, y;
    std::memcpy(&x, &a, sizeof x);
    std::memcpy(&y, &b, sizeof y);
    return x > y ? x - y : y - x;
}

// pscan_init's table against OpenCV's: the number of differing values
// (integer sums) or the largest ulp difference (float sums); -1 on error.
int64_t compare(const bench_case &c, const std::vector<char> &table, const cv::Mat &sum)
{
    const size_t n = sum.total();
    const double *expected = sum.ptr<double>();
    int64_t result = 0;
    for (size_t i = 0; i < n; i++) {
        if (c.acc == PSCAN_INT64) {
            int64_t v;
            std::memcpy(&v, table.data() + i * 8, 8);
            result += static_cast<double>(v) != expected[i];
        } else {
            double v;
            std::memcpy(&v, table.data() + i * 8, 8);
            result = std::max(result, ulps(v, expected[i]));
        }
    }
    return result;
}

pscan_status run_pscan(const bench_case &c, const cv::Mat &image, std::vector<char> &out,
                       int threads, bool initial)
{
    const int64_t rows = image.rows, cols = image.cols;
    const int64_t in_shape[2] = {rows, cols};
    const int64_t out_shape[2] = {rows + initial, cols + initial};
    const pscan_array in = {const_cast<uchar *>(image.data), c.in, 2, in_shape, nullptr};
    const pscan_array to = {out.data(), c.acc, 2, out_shape, nullptr};
    pscan_opts opts = PSCAN_OPTS_INIT;
    opts.threads = threads;
    opts.flags = initial ? PSCAN_FLAG_INCLUDE_INITIAL : 0;
    const int axes[2] = {0, 1};
    return pscan_scan_axes(PSCAN_SUM, &in, 2, axes, c.acc, &to, &opts);
}

} // namespace

int main(int argc, char **argv)
{
    int reps = 5;
    std::vector<int> sizes = {8192, 2048}, thread_counts = {1, 2};
    const char *csv_path = "integral_bench.csv", *only = nullptr;
    for (int k = 1; k < argc; k++) {
        const std::string arg = argv[k];
        const char *value = k + 1 < argc ? argv[k + 1] : nullptr;
        if (arg == "--reps" && value)
            reps = std::max(1, std::atoi(value));
        else if (arg == "--sizes" && value)
            sizes = parse_list(value);
        else if (arg == "--threads" && value)
            thread_counts = parse_list(value);
        else if (arg == "--csv" && value)
            csv_path = value;
        else if (arg == "--only" && value)
            only = value;
        else {
            std::fprintf(stderr,
                         "usage: %s [--reps N] [--sizes 8192,2048] [--threads 1,2] [--csv FILE] "
                         "[--only SUBSTRING]\n",
                         argv[0]);
            return 2;
        }
        k++;
    }
    cv::setNumThreads(1);
    FILE *csv = std::fopen(csv_path, "w");
    if (!csv) {
        std::perror(csv_path);
        return 1;
    }
    std::fprintf(csv, "case,size,threads,contender,median_s,min_s\n");
    std::printf("pscan %s (%s), OpenCV %s; medians of %d; ratio = time(opencv) / time(pscan)\n",
                pscan_version(), pscan_isa_name(), CV_VERSION, reps);
    std::printf("%-18s %6s %10s %3s %10s %10s %7s %7s %7s %7s  %s\n", "case", "size", "opencv ms",
                "thr", "pscan ms", "init ms", "ratio", "r.init", "min", "min.i", "check");
    int failures = 0;
    std::mt19937_64 rng(20261129);
    for (const bench_case &c : cases) {
        if (only && !std::strstr(c.name, only))
            continue;
        for (int size : sizes) {
            cv::Mat image(size, size, c.cv_in);
            fill(image, rng);
            cv::Mat sum(size + 1, size + 1, CV_64F);
            sum.setTo(0); // faulted in; cv::integral reuses it (same size and type)
            const size_t acc = pscan_dtype_size(c.acc);
            std::vector<char> plain((size_t)size * size * acc, 1),
                initial((size_t)(size + 1) * (size + 1) * acc, 1);
            const size_t counts = thread_counts.size();
            std::vector<double> cv_times;
            std::vector<std::vector<double>> plain_times(counts), initial_times(counts);
            for (int rep = 0; rep < reps; rep++) {
                cv::integral(image, sum, CV_64F);
                double t0 = now();
                cv::integral(image, sum, CV_64F);
                cv_times.push_back(now() - t0);
                for (size_t t = 0; t < counts; t++) {
                    (void)run_pscan(c, image, plain, thread_counts[t], false);
                    t0 = now();
                    pscan_status s = run_pscan(c, image, plain, thread_counts[t], false);
                    plain_times[t].push_back(now() - t0);
                    (void)run_pscan(c, image, initial, thread_counts[t], true);
                    t0 = now();
                    pscan_status s2 = run_pscan(c, image, initial, thread_counts[t], true);
                    initial_times[t].push_back(now() - t0);
                    if (s != PSCAN_OK || s2 != PSCAN_OK) {
                        std::fprintf(stderr, "%s: pscan failed: %s\n", c.name,
                                     pscan_strerror(s != PSCAN_OK ? s : s2));
                        return 1;
                    }
                }
            }
            const int64_t diff = compare(c, initial, sum);
            const bool exact = c.in != PSCAN_FLOAT32 && c.in != PSCAN_FLOAT64;
            char check[64];
            if (exact && diff != 0)
                failures++;
            std::snprintf(check, sizeof check, exact ? "%lld differ" : "max %lld ulp",
                          (long long)diff);
            const double cv_median = median(cv_times), cv_min = least(cv_times);
            std::fprintf(csv, "%s,%d,1,opencv,%.6f,%.6f\n", c.name, size, cv_median, cv_min);
            for (size_t t = 0; t < counts; t++) {
                const double p = median(plain_times[t]), q = median(initial_times[t]);
                const double p_min = least(plain_times[t]), q_min = least(initial_times[t]);
                std::printf("%-18s %6d %10.2f %3d %10.2f %10.2f %6.2fx %6.2fx %6.2fx %6.2fx  %s\n",
                            c.name, size, 1e3 * cv_median, thread_counts[t], 1e3 * p, 1e3 * q,
                            cv_median / p, cv_median / q, cv_min / p_min, cv_min / q_min, check);
                std::fprintf(csv, "%s,%d,%d,pscan,%.6f,%.6f\n%s,%d,%d,pscan_init,%.6f,%.6f\n",
                             c.name, size, thread_counts[t], p, p_min, c.name, size,
                             thread_counts[t], q, q_min);
            }
            std::fflush(stdout);
        }
    }
    std::fclose(csv);
    if (failures)
        std::fprintf(stderr, "%d integer case(s) differ from OpenCV\n", failures);
    return failures ? 1 : 0;
}
