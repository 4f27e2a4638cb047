/*
 * hgkit compiled CPU kernels: CSR gather-reduce (spmm: sum / mean / max / min), the backward
 * of max/min through the transposed pattern (arg_bwd, arg_sddmm), sddmm, segment softmax
 * forward / backward and an ownership-partitioned scatter-add.  Plain C11 + OpenMP, no torch
 * headers; built and loaded at run time by hgkit/ops/_native.py (gcc -O3 -march=native
 * -fopenmp -shared -fPIC).  Inside a torch process the dynamic loader resolves libgomp.so.1 to
 * the copy torch already loaded, so these kernels share torch's OpenMP thread pool.
 *
 * Every kernel exists for float/double values (suffix f32/f64) and int32/int64 index arrays
 * (suffix i32/i64); the four copies are stamped out by the DEFINE_* macros at the bottom.
 * All arrays are dense, C-contiguous and non-aliasing; row-major [rows, F] feature matrices.
 *
 * Parallelism: rows are cut into chunks of roughly equal cost (incidences + rows, computed
 * from ptr by binary search) and handed out dynamically, so skewed degree distributions do
 * not leave a thread idle.  Each output row is written by exactly one thread: no atomics,
 * results are deterministic and independent of the thread count.
 *
 * Inner loops run over the F contiguous features of a row in tiles of HGK_TILE elements held
 * in a local accumulator (registers for a full tile) and stored once per row.  Random source
 * rows are software-prefetched a fixed number of incidences ahead (see HGK_PF_ROW).
 */
#define _GNU_SOURCE
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>
#include <sys/mman.h>

#define HGK_EXPORT __attribute__((visibility("default")))
/* 512-bit vectors where the CPU has them: +20% for the compare/select loops of max/min. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define HGK_WIDE __attribute__((target("prefer-vector-width=512")))
#else
#define HGK_WIDE
#endif
#define HGK_TILE 64          /* features per accumulator tile */
#define HGK_CHUNKS_PER_THREAD 16
#define HGK_ROW_COST 2       /* cost of one output row, in units of one gathered row */

#ifndef HGK_PF_LOCALITY
#define HGK_PF_LOCALITY 1   /* prefetcht2: into L2, measured best for random rows */
#endif

#ifndef HGK_PREFETCH
#define HGK_PREFETCH 32      /* software prefetch distance, in incidences (0 = off) */
#endif

enum { HGK_SUM = 0, HGK_MEAN = 1, HGK_MAX = 2, HGK_MIN = 3 };

#define HGK_PF(addr) __builtin_prefetch((addr), 0, HGK_PF_LOCALITY)
/* Source rows: from DRAM, prefetch far ahead (pfd incidences) into L2: about 1.3x faster than
 * no prefetch for 128-256 MB sources.  When the source matrix is small enough to stay in the
 * last-level cache (<= HGK_NEAR_BYTES), prefetch into L1, HGK_NEAR_DISTANCE ahead: up to 15%
 * faster there for 25 MB sources, but 20% slower than the L2 variant for 256 MB sources. */
#define HGK_NEAR_BYTES ((int64_t)64 << 20)
#define HGK_NEAR_DISTANCE 16
#define HGK_PF_ROW(near, addr, nbytes)                                                            \
    do {                                                                                          \
        const char *hgk_q_ = (const char *)(addr);                                                \
        const int64_t hgk_m_ = (int64_t)(nbytes);                                                 \
        if (near)                                                                                 \
            for (int64_t hgk_b_ = 0; hgk_b_ < hgk_m_; hgk_b_ += 64)                               \
                __builtin_prefetch(hgk_q_ + hgk_b_, 0, 3);                                        \
        else                                                                                      \
            for (int64_t hgk_b_ = 0; hgk_b_ < hgk_m_; hgk_b_ += 64) HGK_PF(hgk_q_ + hgk_b_);      \
    } while (0)
/* Prefetch every 64-byte line of [addr, addr + nbytes). */
#define HGK_PF_SPAN(addr, nbytes)                                                                 \
    do {                                                                                          \
        const char *hgk_p_ = (const char *)(addr);                                                \
        const int64_t hgk_n_ = (int64_t)(nbytes);                                                 \
        for (int64_t hgk_b_ = 0; hgk_b_ < hgk_n_; hgk_b_ += 64) HGK_PF(hgk_p_ + hgk_b_);          \
    } while (0)

static int hgk_prefetch_distance = HGK_PREFETCH;

HGK_EXPORT int hgk_abi_version(void) { return 2; }

HGK_EXPORT void hgk_set_prefetch(int distance) {
    hgk_prefetch_distance = distance < 0 ? 0 : distance;
}

HGK_EXPORT int hgk_max_threads(void) { return omp_get_max_threads(); }

/* Ask for transparent huge pages on the 2 MiB-aligned interior of a freshly allocated, not yet
 * touched buffer: its first touch then faults 2 MiB at a time instead of 4 KiB.  Returns 0 on
 * success, -1 where unsupported or refused (harmless either way). */
HGK_EXPORT int hgk_advise_hugepage(void *addr, int64_t nbytes) {
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t lo = ((uintptr_t)addr + huge - 1) & ~(huge - 1);
    uintptr_t hi = ((uintptr_t)addr + (uintptr_t)nbytes) & ~(huge - 1);
    if (nbytes <= 0 || hi <= lo) return -1;
    return madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
    (void)addr; (void)nbytes;
    return -1;
#endif
}

static inline int hgk_nthreads(int requested) {
    return requested > 0 ? requested : omp_get_max_threads();
}

/* Vectorizable exp for x <= ~88 (the only use is exp(x - max) <= 1 in softmax).
 * Cephes expf: range reduction by n = round(x / ln 2), degree-6 polynomial; relative error
 * about 1e-7.  x < -87.3 flushes to 0, NaN stays NaN. */
static inline float hgk_expf(float x) {
    const float lo = -87.33654f, hi = 88.0f;
    float xc = x > lo ? x : lo;
    xc = xc < hi ? xc : hi;
    float n = rintf(xc * 1.44269504088896341f);
    float r = xc - n * 0.693359375f;
    r = r + n * 2.12194440e-4f;
    float r2 = r * r;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r2 + r + 1.0f;
    union { int32_t i; float f; } u;
    u.i = ((int32_t)n + 127) << 23;
    float y = p * u.f;
    y = x < lo ? 0.0f : y;
    y = x != x ? x : y;
    return y;
}

static inline double hgk_exp(double x) { return exp(x); }

/* ------------------------------------------------------------------------------ macros */
/* Chunk boundaries: bounds[c] = first row whose cost prefix reaches c/nchunks of the total,
 * cost(r) = (ptr[r] - ptr[0]) + HGK_ROW_COST * r.  Monotone, so binary search works. */
#define DEFINE_PARTITION(I, IS)                                                                   \
static int64_t hgk_partition_##IS(const I *ptr, int64_t rows, int64_t nchunks,                    \
                                  int64_t *bounds) {                                              \
    if (rows <= 0) { bounds[0] = 0; return 0; }                                                   \
    if (nchunks > rows) nchunks = rows;                                                           \
    const int64_t base = (int64_t)ptr[0];                                                         \
    const int64_t total = ((int64_t)ptr[rows] - base) + HGK_ROW_COST * rows;                      \
    bounds[0] = 0;                                                                                \
    for (int64_t c = 1; c < nchunks; ++c) {                                                       \
        int64_t target = (int64_t)((double)total * (double)c / (double)nchunks);                  \
        int64_t lo = bounds[c - 1], hi = rows;                                                    \
        while (lo < hi) {                                                                         \
            int64_t mid = lo + (hi - lo) / 2;                                                     \
            int64_t cost = ((int64_t)ptr[mid] - base) + HGK_ROW_COST * mid;                       \
            if (cost < target) lo = mid + 1; else hi = mid;                                       \
        }                                                                                         \
        bounds[c] = lo;                                                                           \
    }                                                                                             \
    bounds[nchunks] = rows;                                                                       \
    return nchunks;                                                                               \
}

/* Run the body (which sees r0, r1) over nnz-balanced row chunks in parallel; serially when
 * the work ((incidences + rows) * F) is too small to pay for waking the threads. */
#define HGK_SERIAL_WORK 32768
#define HGK_PARALLEL_ROWS(IS, ptr, rows, F, nthreads, ...)                                        \
    do {                                                                                          \
        int hgk_nt_ = hgk_nthreads(nthreads);                                                     \
        const int64_t hgk_work_ =                                                                 \
            ((int64_t)(ptr)[rows] - (int64_t)(ptr)[0] + (rows)) * (int64_t)(F);                   \
        int64_t hgk_want_ = (int64_t)hgk_nt_ * HGK_CHUNKS_PER_THREAD;                             \
        if (hgk_nt_ == 1 || hgk_work_ < HGK_SERIAL_WORK) hgk_want_ = 1;                           \
        int64_t hgk_stack_[1 + 64 * HGK_CHUNKS_PER_THREAD];                                       \
        int64_t *bounds = hgk_want_ <= 64 * HGK_CHUNKS_PER_THREAD ? hgk_stack_                    \
            : (int64_t *)malloc(sizeof(int64_t) * (size_t)(hgk_want_ + 1));                       \
        if (!bounds) { bounds = hgk_stack_; hgk_want_ = 64 * HGK_CHUNKS_PER_THREAD; }             \
        int64_t hgk_nc_ = hgk_partition_##IS(ptr, rows, hgk_want_, bounds);                       \
        _Pragma("omp parallel for schedule(dynamic, 1) num_threads(hgk_nt_) if(hgk_nc_ > 1)")     \
        for (int64_t hgk_c_ = 0; hgk_c_ < hgk_nc_; ++hgk_c_) {                                    \
            const int64_t r0 = bounds[hgk_c_], r1 = bounds[hgk_c_ + 1];                           \
            __VA_ARGS__                                                                           \
        }                                                                                         \
        if (bounds != hgk_stack_) free(bounds);                                                   \
    } while (0)

/* ------------------------------------------------------------------ spmm: sum and mean */
/* Effective weight of position j: w[wp[j]] (or w[j] without wp, 1 without w), times
 * sc[col[j]] when a per-source-row scale is given. */
#define DEFINE_WEIGHT(T, TS, I, IS)                                                               \
static inline T hgk_wt_##TS##_##IS(const T *w, const I *wp, const T *sc, const I *col,            \
                                   int64_t j) {                                                   \
    const T v = w ? w[wp ? (int64_t)wp[j] : j] : (T)1;                                            \
    return sc ? v * sc[(int64_t)col[j]] : v;                                                      \
}

/* out[i, :] = scale_i * sum_j w[j] * src[col[j], :], j in [ptr[i], ptr[i+1]). */
#define DEFINE_SPMM_SUM(T, TS, I, IS)                                                             \
static void hgk_spmm_sum_rows_##TS##_##IS(                                                        \
        const I *restrict ptr, const I *restrict col, const T *w, const I *wp, const T *sc,       \
        const T *restrict src, int64_t F, int mean, T *restrict out,                              \
        int64_t r0, int64_t r1, int64_t pf_end, int pfd, int near) {                              \
    for (int64_t i = r0; i < r1; ++i) {                                                           \
        const int64_t s = (int64_t)ptr[i], e = (int64_t)ptr[i + 1];                               \
        const T scale = (mean && e > s) ? (T)1 / (T)(e - s) : (T)1;                               \
        T *restrict o = out + i * F;                                                              \
        for (int64_t f0 = 0; f0 < F; f0 += HGK_TILE) {                                            \
            T acc[HGK_TILE];                                                                      \
            if (F - f0 >= HGK_TILE) {                                                             \
                for (int f = 0; f < HGK_TILE; ++f) acc[f] = 0;                                    \
                for (int64_t j = s; j < e; ++j) {                                                 \
                    if (pfd && j + pfd < pf_end) {                                                \
                        HGK_PF_ROW(near, src + (int64_t)col[j + pfd] * F + f0, sizeof(acc));      \
                        if (wp) HGK_PF(w + (int64_t)wp[j + pfd]);                                 \
                    }                                                                             \
                    const T wj = hgk_wt_##TS##_##IS(w, wp, sc, col, j);                           \
                    const T *restrict x = src + (int64_t)col[j] * F + f0;                         \
                    for (int f = 0; f < HGK_TILE; ++f) acc[f] += wj * x[f];                       \
                }                                                                                 \
                for (int f = 0; f < HGK_TILE; ++f) o[f0 + f] = acc[f] * scale;                    \
            } else {                                                                              \
                const int64_t n = F - f0;                                                         \
                for (int64_t f = 0; f < n; ++f) acc[f] = 0;                                       \
                for (int64_t j = s; j < e; ++j) {                                                 \
                    if (pfd && j + pfd < pf_end) {                                                \
                        HGK_PF_ROW(near, src + (int64_t)col[j + pfd] * F + f0, n * sizeof(T));    \
                        if (wp) HGK_PF(w + (int64_t)wp[j + pfd]);                                 \
                    }                                                                             \
                    const T wj = hgk_wt_##TS##_##IS(w, wp, sc, col, j);                           \
                    const T *restrict x = src + (int64_t)col[j] * F + f0;                         \
                    for (int64_t f = 0; f < n; ++f) acc[f] += wj * x[f];                          \
                }                                                                                 \
                for (int64_t f = 0; f < n; ++f) o[f0 + f] = acc[f] * scale;                       \
            }                                                                                     \
        }                                                                                         \
    }                                                                                             \
}

/* --------------------------------------------------------------------- spmm: max / min */
/* out[i, f] = extreme_j w[j] * src[col[j], f]; arg[i, f] = j of the first winner (stored as
 * int64, or int32 when arg32).  A NaN wins (the first NaN), as in torch's amax.  Empty rows:
 * out 0, arg -1.  Candidate v replaces best b when !(v <= b) (max; v > b or v NaN) and b is
 * not NaN; the running winners are kept in the index type I (positions fit in it). */
#define HGK_EXT_STEP(T, NF)                                                                       \
    for (int64_t f = 0; f < (NF); ++f) {                                                          \
        const T v = wj * x[f];                                                                    \
        const int better = is_max ? !(v <= best[f]) : !(v >= best[f]);                            \
        const int take = better & (best[f] == best[f]);                                           \
        best[f] = take ? v : best[f];                                                             \
        who[f] = take ? jj : who[f];                                                              \
    }
#define HGK_EXT_TILE(T, TS, I, IS, NF)                                                            \
    {                                                                                             \
        const T w0 = hgk_wt_##TS##_##IS(w, wp, sc, col, s);                                       \
        const T *restrict x0 = src + (int64_t)col[s] * F + f0;                                    \
        for (int64_t f = 0; f < (NF); ++f) { best[f] = w0 * x0[f]; who[f] = (I)s; }               \
        for (int64_t j = s + 1; j < e; ++j) {                                                     \
            if (pfd && j + pfd < pf_end) {                                                        \
                HGK_PF_ROW(near, src + (int64_t)col[j + pfd] * F + f0, (NF) * sizeof(T));         \
                if (wp) HGK_PF(w + (int64_t)wp[j + pfd]);                                         \
            }                                                                                     \
            const T wj = hgk_wt_##TS##_##IS(w, wp, sc, col, j);                                   \
            const T *restrict x = src + (int64_t)col[j] * F + f0;                                 \
            const I jj = (I)j;                                                                    \
            HGK_EXT_STEP(T, NF)                                                                   \
        }                                                                                         \
        for (int64_t f = 0; f < (NF); ++f) o[f0 + f] = best[f];                                   \
        if (arg32) for (int64_t f = 0; f < (NF); ++f) a32[i * F + f0 + f] = (int32_t)who[f];      \
        else for (int64_t f = 0; f < (NF); ++f) a64[i * F + f0 + f] = (int64_t)who[f];            \
    }
#define DEFINE_SPMM_EXT(T, TS, I, IS)                                                             \
HGK_WIDE static void hgk_spmm_ext_rows_##TS##_##IS(                                               \
        const I *restrict ptr, const I *restrict col, const T *w, const I *wp, const T *sc,       \
        const T *restrict src, int64_t F, int is_max, T *restrict out, void *arg,                 \
        int arg32, int64_t r0, int64_t r1, int64_t pf_end, int pfd, int near) {                   \
    int64_t *restrict a64 = (int64_t *)arg;                                                       \
    int32_t *restrict a32 = (int32_t *)arg;                                                       \
    for (int64_t i = r0; i < r1; ++i) {                                                           \
        const int64_t s = (int64_t)ptr[i], e = (int64_t)ptr[i + 1];                               \
        T *restrict o = out + i * F;                                                              \
        if (e <= s) {                                                                             \
            for (int64_t f = 0; f < F; ++f) o[f] = 0;                                             \
            if (arg32) for (int64_t f = 0; f < F; ++f) a32[i * F + f] = -1;                       \
            else for (int64_t f = 0; f < F; ++f) a64[i * F + f] = -1;                             \
            continue;                                                                             \
        }                                                                                         \
        for (int64_t f0 = 0; f0 < F; f0 += HGK_TILE) {                                            \
            T best[HGK_TILE];                                                                     \
            I who[HGK_TILE];                                                                      \
            if (F - f0 >= HGK_TILE) HGK_EXT_TILE(T, TS, I, IS, HGK_TILE)                          \
            else HGK_EXT_TILE(T, TS, I, IS, F - f0)                                               \
        }                                                                                         \
    }                                                                                             \
}

/* Backward of max/min through the transposed pattern, without atomics: for source row s,
 *   out[s, f] = sum_{t in [tptr[s], tptr[s+1])} [arg[i, f] == j] * w[j] * g[i, f],
 * with i = trow[t] the output row and j = tpos[t] the position (in the forward order) of
 * incidence t.  Each output row is written once, by one thread. */
#define DEFINE_ARG_BWD(T, TS, I, IS)                                                              \
HGK_EXPORT int hgk_arg_bwd_##TS##_##IS(                                                           \
        const I *tptr, const I *trow, const I *tpos, const void *arg, int arg32,                  \
        const T *w, const I *wp, const T *g, int64_t S, int64_t F, T *out, int nthreads) {        \
    if (S <= 0 || F <= 0) return 0;                                                               \
    const int64_t pf_end = (int64_t)tptr[S];                                                      \
    const int pfd = hgk_prefetch_distance;                                                        \
    const int64_t *restrict a64 = (const int64_t *)arg;                                           \
    const int32_t *restrict a32 = (const int32_t *)arg;                                           \
    HGK_PARALLEL_ROWS(IS, tptr, S, F, nthreads,                                                   \
    for (int64_t s_ = r0; s_ < r1; ++s_) {                                                        \
        const int64_t b = (int64_t)tptr[s_], e = (int64_t)tptr[s_ + 1];                           \
        for (int64_t f0 = 0; f0 < F; f0 += HGK_TILE) {                                            \
            const int64_t n = F - f0 < HGK_TILE ? F - f0 : HGK_TILE;                              \
            T acc[HGK_TILE];                                                                      \
            for (int64_t f = 0; f < n; ++f) acc[f] = 0;                                           \
            for (int64_t t = b; t < e; ++t) {                                                     \
                if (pfd && t + pfd < pf_end) {                                                    \
                    const int64_t ip = (int64_t)trow[t + pfd] * F + f0;                           \
                    HGK_PF_SPAN(g + ip, n * sizeof(T));                                           \
                    if (arg32) HGK_PF_SPAN(a32 + ip, n * 4);                                      \
                    else HGK_PF_SPAN(a64 + ip, n * 8);                                            \
                    if (w) {                                                                      \
                        const int64_t jp = (int64_t)tpos[t + pfd];                                \
                        HGK_PF(w + (wp ? (int64_t)wp[jp] : jp));                                  \
                    }                                                                             \
                }                                                                                 \
                const int64_t i = (int64_t)trow[t], j = (int64_t)tpos[t];                         \
                const T wj = w ? w[wp ? (int64_t)wp[j] : j] : (T)1;                               \
                const T *restrict gi = g + i * F + f0;                                            \
                if (arg32) {                                                                      \
                    const int32_t *restrict ai = a32 + i * F + f0;                                \
                    const int32_t j32 = (int32_t)j;                                               \
                    for (int64_t f = 0; f < n; ++f) acc[f] += ai[f] == j32 ? wj * gi[f] : 0;      \
                } else {                                                                          \
                    const int64_t *restrict ai = a64 + i * F + f0;                                \
                    for (int64_t f = 0; f < n; ++f) acc[f] += ai[f] == j ? wj * gi[f] : 0;        \
                }                                                                                 \
            }                                                                                     \
            for (int64_t f = 0; f < n; ++f) out[s_ * F + f0 + f] = acc[f];                        \
        }                                                                                         \
    });                                                                                           \
    return 0;                                                                                     \
}                                                                                                 \
/* Weight gradient of max/min: gw[j] = sum_f [arg[i, f] == j] * g[i, f] * x[col[j], f]. */        \
HGK_EXPORT int hgk_arg_sddmm_##TS##_##IS(                                                         \
        const I *ptr, const I *col, const void *arg, int arg32, const T *g, const T *x,           \
        int64_t rows, int64_t F, T *out, int nthreads) {                                          \
    if (rows <= 0) return 0;                                                                      \
    const int64_t *restrict a64 = (const int64_t *)arg;                                           \
    const int32_t *restrict a32 = (const int32_t *)arg;                                           \
    HGK_PARALLEL_ROWS(IS, ptr, rows, F, nthreads,                                                 \
    for (int64_t i = r0; i < r1; ++i) {                                                           \
        const T *restrict gi = g + i * F;                                                         \
        for (int64_t j = (int64_t)ptr[i]; j < (int64_t)ptr[i + 1]; ++j) {                         \
            const T *restrict xj = x + (int64_t)col[j] * F;                                       \
            T acc = 0;                                                                            \
            if (arg32) {                                                                          \
                const int32_t *restrict ai = a32 + i * F;                                         \
                for (int64_t f = 0; f < F; ++f)                                                   \
                    acc += ai[f] == (int32_t)j ? gi[f] * xj[f] : 0;                               \
            } else {                                                                              \
                const int64_t *restrict ai = a64 + i * F;                                         \
                for (int64_t f = 0; f < F; ++f) acc += ai[f] == j ? gi[f] * xj[f] : 0;            \
            }                                                                                     \
            out[j] = acc;                                                                         \
        }                                                                                         \
    });                                                                                           \
    return 0;                                                                                     \
}

#define DEFINE_SPMM(T, TS, I, IS)                                                                 \
HGK_EXPORT int hgk_spmm_##TS##_##IS(                                                              \
        const I *ptr, const I *col, const T *w, const I *wp, const T *sc, const T *src,           \
        int64_t src_rows, int64_t rows, int64_t F,                                                \
        int reduce, T *out, void *arg, int arg32, int nthreads) {                                 \
    if (rows <= 0 || F <= 0) return 0;                                                            \
    if ((reduce == HGK_MAX || reduce == HGK_MIN) && !arg) return -2;                              \
    if (reduce < HGK_SUM || reduce > HGK_MIN) return -1;                                          \
    const int64_t pf_end = (int64_t)ptr[rows];                                                    \
    const int near = src_rows * F * (int64_t)sizeof(T) <= HGK_NEAR_BYTES;                         \
    const int pfd = hgk_prefetch_distance == 0 ? 0                                                \
        : near ? HGK_NEAR_DISTANCE : hgk_prefetch_distance;                                       \
    HGK_PARALLEL_ROWS(IS, ptr, rows, F, nthreads, {                                               \
        if (reduce <= HGK_MEAN)                                                                   \
            hgk_spmm_sum_rows_##TS##_##IS(ptr, col, w, wp, sc, src, F, reduce == HGK_MEAN, out,   \
                                          r0, r1, pf_end, pfd, near);                             \
        else                                                                                      \
            hgk_spmm_ext_rows_##TS##_##IS(ptr, col, w, wp, sc, src, F, reduce == HGK_MAX, out,    \
                                          arg, arg32, r0, r1, pf_end, pfd, near);                 \
    });                                                                                           \
    return 0;                                                                                     \
}

/* ---------------------------------------------------------------------------- sddmm */
/* out[j] = <a[i, :], b[col[j], :]> for j in row i's segment. */
#define DEFINE_SDDMM(T, TS, I, IS)                                                                \
HGK_EXPORT int hgk_sddmm_##TS##_##IS(                                                             \
        const I *ptr, const I *col, const T *a, const T *b, int64_t rows, int64_t F,              \
        T *out, int nthreads) {                                                                   \
    if (rows <= 0) return 0;                                                                      \
    HGK_PARALLEL_ROWS(IS, ptr, rows, F, nthreads, {                                               \
        for (int64_t i = r0; i < r1; ++i) {                                                       \
            const T *restrict ai = a + i * F;                                                     \
            for (int64_t j = (int64_t)ptr[i]; j < (int64_t)ptr[i + 1]; ++j) {                     \
                const T *restrict bj = b + (int64_t)col[j] * F;                                   \
                T acc = 0;                                                                        \
                for (int64_t f = 0; f < F; ++f) acc += ai[f] * bj[f];                             \
                out[j] = acc;                                                                     \
            }                                                                                     \
        }                                                                                         \
    });                                                                                           \
    return 0;                                                                                     \
}

/* ---------------------------------------------------------------- segment softmax */
/* x[ptr[i]:ptr[i+1], :] -> column-wise softmax of that block, for rows r0..r1 with FF columns
 * (a compile-time constant for the common small widths: the column state lives in registers;
 * otherwise F with heap scratch m, sum of F each). */
#define HGK_SOFTMAX_ROWS(T, EXPF, FF, m, sum)                                                     \
    for (int64_t i = r0; i < r1; ++i) {                                                           \
        const int64_t s = (int64_t)ptr[i], e = (int64_t)ptr[i + 1];                               \
        if (e <= s) continue;                                                                     \
        const int64_t n = e - s;                                                                  \
        const T *restrict xs = x + s * (FF);                                                      \
        T *restrict os = out + s * (FF);                                                          \
        for (int64_t f = 0; f < (FF); ++f) { m[f] = xs[f]; sum[f] = 0; }                          \
        for (int64_t j = 1; j < n; ++j)                                                           \
            for (int64_t f = 0; f < (FF); ++f) {                                                  \
                const T v = xs[j * (FF) + f];                                                     \
                m[f] = v > m[f] ? v : m[f];                                                       \
            }                                                                                     \
        for (int64_t j = 0; j < n; ++j)                                                           \
            for (int64_t f = 0; f < (FF); ++f) os[j * (FF) + f] = xs[j * (FF) + f] - m[f];        \
        for (int64_t k = 0; k < n * (FF); ++k) os[k] = EXPF(os[k]);                               \
        for (int64_t j = 0; j < n; ++j)                                                           \
            for (int64_t f = 0; f < (FF); ++f) sum[f] += os[j * (FF) + f];                        \
        for (int64_t f = 0; f < (FF); ++f) sum[f] = (T)1 / sum[f];                                \
        for (int64_t j = 0; j < n; ++j)                                                           \
            for (int64_t f = 0; f < (FF); ++f) os[j * (FF) + f] *= sum[f];                        \
    }

/* grad_x = y * (g - sum_seg(y * g)) column-wise, same layout as HGK_SOFTMAX_ROWS. */
#define HGK_SOFTMAX_BWD_ROWS(T, EXPF, FF, dot, unused)                                            \
    (void)(unused);                                                                               \
    for (int64_t i = r0; i < r1; ++i) {                                                           \
        const int64_t s = (int64_t)ptr[i], e = (int64_t)ptr[i + 1];                               \
        if (e <= s) continue;                                                                     \
        const int64_t n = e - s;                                                                  \
        const T *restrict ys = y + s * (FF);                                                      \
        const T *restrict gs = g + s * (FF);                                                      \
        T *restrict os = gx + s * (FF);                                                           \
        for (int64_t f = 0; f < (FF); ++f) dot[f] = 0;                                            \
        for (int64_t j = 0; j < n; ++j)                                                           \
            for (int64_t f = 0; f < (FF); ++f) dot[f] += ys[j * (FF) + f] * gs[j * (FF) + f];     \
        for (int64_t j = 0; j < n; ++j)                                                           \
            for (int64_t f = 0; f < (FF); ++f)                                                    \
                os[j * (FF) + f] = ys[j * (FF) + f] * (gs[j * (FF) + f] - dot[f]);                \
    }

/* Run BODY(T, ARG, FF, a_, b_) with FF = F as a constant for the widths 1, 2, 4, 8, 16 (column
 * state in registers), else with FF = F and heap scratch a_, b_ of F elements each. */
#define HGK_BY_WIDTH(T, BODY, ARG)                                                                \
    switch (F) {                                                                                  \
    case 1: { T a_[1], b_[1]; BODY(T, ARG, 1, a_, b_) break; }                                    \
    case 2: { T a_[2], b_[2]; BODY(T, ARG, 2, a_, b_) break; }                                    \
    case 4: { T a_[4], b_[4]; BODY(T, ARG, 4, a_, b_) break; }                                    \
    case 8: { T a_[8], b_[8]; BODY(T, ARG, 8, a_, b_) break; }                                    \
    case 16: { T a_[16], b_[16]; BODY(T, ARG, 16, a_, b_) break; }                                \
    default: {                                                                                    \
        T *a_ = (T *)malloc(sizeof(T) * (size_t)F * 2);                                           \
        if (!a_) { failed = 1; break; }                                                           \
        T *b_ = a_ + F;                                                                           \
        BODY(T, ARG, F, a_, b_)                                                                   \
        free(a_);                                                                                 \
    }                                                                                             \
    }

#define DEFINE_SOFTMAX(T, TS, I, IS, EXPF)                                                        \
HGK_EXPORT int hgk_softmax_fwd_##TS##_##IS(                                                       \
        const I *ptr, const T *x, int64_t rows, int64_t F, T *out, int nthreads) {                \
    if (rows <= 0 || F <= 0) return 0;                                                            \
    int failed = 0;                                                                               \
    HGK_PARALLEL_ROWS(IS, ptr, rows, F, nthreads, {                                               \
        HGK_BY_WIDTH(T, HGK_SOFTMAX_ROWS, EXPF)                                                   \
    });                                                                                           \
    return failed ? -3 : 0;                                                                       \
}                                                                                                 \
HGK_EXPORT int hgk_softmax_bwd_##TS##_##IS(                                                       \
        const I *ptr, const T *y, const T *g, int64_t rows, int64_t F, T *gx,                     \
        int nthreads) {                                                                           \
    if (rows <= 0 || F <= 0) return 0;                                                            \
    int failed = 0;                                                                               \
    HGK_PARALLEL_ROWS(IS, ptr, rows, F, nthreads, {                                               \
        HGK_BY_WIDTH(T, HGK_SOFTMAX_BWD_ROWS, EXPF)                                               \
    });                                                                                           \
    return failed ? -3 : 0;                                                                       \
}

/* ------------------------------------------------------------------ scatter-add rows */
/* out[index[k], :] += src[k, :] (index [K], icols == 1) or, elementwise,
 * out[index[k, f], f] += src[k, f] (index [K, F], icols == F).  Negative indices are
 * skipped.  Thread t owns output rows [t*R/T, (t+1)*R/T) and scans the whole index, so
 * every output element is updated by one thread, in increasing k: deterministic. */
#define DEFINE_SCATTER(T, TS, I, IS)                                                              \
HGK_EXPORT int hgk_scatter_add_##TS##_##IS(                                                       \
        const I *index, const T *src, int64_t K, int64_t F, int64_t icols,                        \
        int64_t rows, T *out, int nthreads) {                                                     \
    if (K <= 0 || F <= 0 || rows <= 0) return 0;                                                  \
    int nt = hgk_nthreads(nthreads);                                                              \
    if ((int64_t)nt > rows) nt = (int)rows;                                                       \
    _Pragma("omp parallel num_threads(nt)")                                                       \
    {                                                                                             \
        const int t = omp_get_thread_num(), T_ = omp_get_num_threads();                           \
        const int64_t lo = rows * t / T_, hi = rows * (t + 1) / T_;                               \
        if (icols == 1) {                                                                         \
            for (int64_t k = 0; k < K; ++k) {                                                     \
                const int64_t r = (int64_t)index[k];                                              \
                if (r < lo || r >= hi) continue;                                                  \
                T *restrict o = out + r * F;                                                      \
                const T *restrict x = src + k * F;                                                \
                for (int64_t f = 0; f < F; ++f) o[f] += x[f];                                     \
            }                                                                                     \
        } else {                                                                                  \
            for (int64_t k = 0; k < K; ++k) {                                                     \
                const I *restrict ik = index + k * F;                                             \
                const T *restrict x = src + k * F;                                                \
                for (int64_t f = 0; f < F; ++f) {                                                 \
                    const int64_t r = (int64_t)ik[f];                                             \
                    if (r >= lo && r < hi) out[r * F + f] += x[f];                                \
                }                                                                                 \
            }                                                                                     \
        }                                                                                         \
    }                                                                                             \
    return 0;                                                                                     \
}

/* --------------------------------------------------------------------- instantiation */
DEFINE_PARTITION(int32_t, i32)
DEFINE_PARTITION(int64_t, i64)

#define DEFINE_ALL(T, TS, I, IS, EXPF)                                                            \
    DEFINE_WEIGHT(T, TS, I, IS)                                                                   \
    DEFINE_SPMM_SUM(T, TS, I, IS)                                                                 \
    DEFINE_SPMM_EXT(T, TS, I, IS)                                                                 \
    DEFINE_SPMM(T, TS, I, IS)                                                                     \
    DEFINE_ARG_BWD(T, TS, I, IS)                                                                  \
    DEFINE_SDDMM(T, TS, I, IS)                                                                    \
    DEFINE_SOFTMAX(T, TS, I, IS, EXPF)                                                            \
    DEFINE_SCATTER(T, TS, I, IS)

DEFINE_ALL(float, f32, int32_t, i32, hgk_expf)
DEFINE_ALL(float, f32, int64_t, i64, hgk_expf)
DEFINE_ALL(double, f64, int32_t, i32, hgk_exp)
DEFINE_ALL(double, f64, int64_t, i64, hgk_exp)
