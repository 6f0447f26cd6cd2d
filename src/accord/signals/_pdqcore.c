/* PDQ (Meta's perceptual photo hash) computed in one pass over 8-bit pixels, bit for bit as pdqhash computes it.

   pdqhash (the Python binding of ThreatExchange's pdq/cpp) turns RGB into float luma in numpy, as
   float32((R*0.299 + G*0.587) + B*0.114) computed in double, then blurs it with two Jarosz box-filter passes
   along rows and columns, samples 64x64 points, takes a 16x16 DCT, and sets the bits above the median. Every
   floating-point operation below happens in the same order on the same values as there (no FMA contraction, no
   reassociation: the module is compiled with -ffp-contract=off and without -ffast-math), so the 256 bits and
   the quality are the same. What is faster here is only the memory traffic and the vector width:

   - luma comes from a 256-entry table per channel (the same double products numpy forms), fused into the
     first box pass, with no float copy of the whole image; Pillow's own pixel memory (RGBX) is read in place
     through the Arrow C data interface (hash_arrow), or any buffer of RGB or grey bytes (hash);
   - a box pass along rows transposes a strip of 8 rows into a small buffer, so that 8 rows' running sums
     advance side by side in vector registers (each sum sees its additions in the reference's order);
   - a box pass along columns advances all columns' running sums side by side, one input row at a time;
   - the four passes stream: pass 1 writes strips of rows into a ring of the last (window + 8) rows, pass 2
     reads that ring, pass 3 runs on strips of pass 2's output and keeps only the 64 columns the 64x64
     sampling reads, pass 4 runs on those 64 columns. No buffer holds the whole image as floats (pdqhash holds
     three: float64 luma, float32 luma, a float32 scratch), so a 1080p hash touches a few hundred KB, not 25 MB.

   Reference: ThreatExchange pdq/cpp/hashing/pdqhashing.cpp, downscaling/downscaling.cpp, hashing/torben.cpp
   (BSD licence, Meta Platforms). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define STRIP 8
#define MIN_HASHABLE_DIM 5

static float DCT[16 * 64];
static double LUMA_R[256], LUMA_G[256], LUMA_B[256];
static float LUMA_GREY[256];

static void init_tables(void) {
    const double pi = 3.14159265358979323846;
    const float scale = (float)sqrt(2.0 / 64.0);
    for (int i = 0; i < 16; i++) {
        for (int j = 0; j < 64; j++) {
            DCT[i * 64 + j] = (float)(scale * cos(((pi / 2.0 / 64.0) * (double)(i + 1)) * (double)(2 * j + 1)));
        }
    }
    for (int v = 0; v < 256; v++) {
        LUMA_R[v] = (double)v * 0.299;
        LUMA_G[v] = (double)v * 0.587;
        LUMA_B[v] = (double)v * 0.114;
        LUMA_GREY[v] = (float)((LUMA_R[v] + LUMA_G[v]) + LUMA_B[v]);
    }
}

static int window_size(int old_dim, int new_dim) { return (old_dim + 2 * new_dim - 1) / (2 * new_dim); }

/* The reference's box1DFloat on `nlanes` independent vectors at once: element k of lane l is in[k*step + l],
   and goes to out[k*step + l]. */
static void box_lanes(const float *restrict in, float *restrict out, int n, ptrdiff_t step, int nlanes,
                      int window, float *restrict sum) {
    int half = (window + 2) / 2;
    int p1 = half - 1, p2 = window - half + 1, p3 = n - window, p4 = half - 1;
    ptrdiff_t li = 0, ri = 0, oi = 0;
    int cws = 0;
    for (int l = 0; l < nlanes; l++) sum[l] = 0.0f;
    for (int i = 0; i < p1; i++, ri += step) {
        const float *src = in + ri;
        for (int l = 0; l < nlanes; l++) sum[l] += src[l];
        cws++;
    }
    for (int i = 0; i < p2; i++, ri += step, oi += step) {
        const float *src = in + ri;
        float *dst = out + oi;
        cws++;
        float w = (float)cws;
        for (int l = 0; l < nlanes; l++) {
            sum[l] += src[l];
            dst[l] = sum[l] / w;
        }
    }
    {
        float w = (float)cws;
        for (int i = 0; i < p3; i++, li += step, ri += step, oi += step) {
            const float *add = in + ri, *sub = in + li;
            float *dst = out + oi;
            for (int l = 0; l < nlanes; l++) {
                sum[l] += add[l];
                sum[l] -= sub[l];
                dst[l] = sum[l] / w;
            }
        }
    }
    for (int i = 0; i < p4; i++, li += step, oi += step) {
        const float *sub = in + li;
        float *dst = out + oi;
        cws--;
        float w = (float)cws;
        for (int l = 0; l < nlanes; l++) {
            sum[l] -= sub[l];
            dst[l] = sum[l] / w;
        }
    }
}

typedef struct {
    const uint8_t *pixels; /* rows x cols pixels, rows `stride` bytes apart, pixels `step` bytes apart */
    ptrdiff_t stride;
    int channels; /* 3: RGB, 1: grey (hashed as pdqhash hashes its RGB conversion) */
    int rows, cols;
    int step; /* 3 or 4 (Pillow's RGB storage: RGBX) for RGB, 1 for grey */
} Source;

/* Float luma of rows r0..r0+nr of the source, transposed into tin[c*STRIP + k]. */
static void luma_strip(const Source *src, int r0, int nr, float *restrict tin) {
    for (int k = 0; k < nr; k++) {
        const uint8_t *p = src->pixels + (ptrdiff_t)(r0 + k) * src->stride;
        if (src->channels == 3 && src->step == 4) {
            for (int c = 0; c < src->cols; c++, p += 4) {
                tin[c * STRIP + k] = (float)((LUMA_R[p[0]] + LUMA_G[p[1]]) + LUMA_B[p[2]]);
            }
        } else if (src->channels == 3) {
            for (int c = 0; c < src->cols; c++, p += 3) {
                tin[c * STRIP + k] = (float)((LUMA_R[p[0]] + LUMA_G[p[1]]) + LUMA_B[p[2]]);
            }
        } else {
            for (int c = 0; c < src->cols; c++) tin[c * STRIP + k] = LUMA_GREY[p[c]];
        }
    }
}

/* Box filter along rows of `nr` rows held in `tin` (transposed: tin[c*STRIP + k]); the result, transposed back,
   goes to rows out[k*out_stride + c] (all columns), or only the columns `cols_kept` to out[k*64 + s]. */
static void rows_strip(int nr, int cols, int window, const int *cols_kept, float *out, ptrdiff_t out_stride,
                       float *tin, float *tout, float *sum) {
    box_lanes(tin, tout, cols, STRIP, STRIP, window, sum);
    for (int k = 0; k < nr; k++) {
        float *p = out + (ptrdiff_t)k * out_stride;
        if (cols_kept == NULL) {
            for (int c = 0; c < cols; c++) p[c] = tout[c * STRIP + k];
        } else {
            for (int s = 0; s < 64; s++) p[s] = tout[cols_kept[s] * STRIP + k];
        }
    }
}

/* The streaming state of the second pass (a box filter along columns, all columns side by side) feeding the
   third (along rows, keeping the 64 sampled columns): the reference's box1DFloat, one input row at a time. */
typedef struct {
    int rows, cols, wrows, wcols;
    const int *cols_kept;
    float *sum;     /* cols running sums of the column pass */
    float *strip;   /* STRIP rows of column-pass output awaiting the row pass */
    float *tin, *tout, *rowsum;
    float *kept;    /* rows x 64: the third pass at the sampled columns */
    int emitted;    /* column-pass output rows produced so far */
} Stream;

static float *next_out(Stream *st) { return st->strip + (ptrdiff_t)(st->emitted % STRIP) * st->cols; }

static void emitted_one(Stream *st) {
    st->emitted++;
    int nr = st->emitted % STRIP;
    if (nr != 0 && st->emitted != st->rows) return;
    if (nr == 0) nr = STRIP;
    int r0 = st->emitted - nr;
    for (int k = 0; k < nr; k++) {
        const float *p = st->strip + (ptrdiff_t)k * st->cols;
        for (int c = 0; c < st->cols; c++) st->tin[c * STRIP + k] = p[c];
    }
    rows_strip(nr, st->cols, st->wrows, st->cols_kept, st->kept + (ptrdiff_t)r0 * 64, 64, st->tin, st->tout,
               st->rowsum);
}

static int quality_of(float a[64][64]) {
    int gradient_sum = 0;
    for (int i = 0; i < 63; i++) {
        for (int j = 0; j < 64; j++) {
            float u = a[i][j], v = a[i + 1][j];
            int d = (int)(((u - v) * 100) / 255);
            gradient_sum += abs(d);
        }
    }
    for (int i = 0; i < 64; i++) {
        for (int j = 0; j < 63; j++) {
            float u = a[i][j], v = a[i][j + 1];
            int d = (int)(((u - v) * 100) / 255);
            gradient_sum += abs(d);
        }
    }
    int quality = gradient_sum / 90;
    return quality > 100 ? 100 : quality;
}

static void dct64_to_16(float a[64][64], float b[16][16]) {
    float t[16][64];
    for (int i = 0; i < 16; i++) {
        for (int j = 0; j < 64; j++) t[i][j] = 0.0f;
        for (int k = 0; k < 64; k++) {
            float d = DCT[i * 64 + k];
            for (int j = 0; j < 64; j++) t[i][j] += d * a[k][j];
        }
    }
    for (int i = 0; i < 16; i++) {
        for (int j = 0; j < 16; j++) {
            const float *pd = &DCT[j * 64];
            float s = 0.0f;
            for (int k = 0; k < 64; k++) s += t[i][k] * pd[k];
            b[i][j] = s;
        }
    }
}

static float torben(const float *m, int n) {
    int less, greater, equal;
    float min, max, guess, maxltguess, mingtguess;
    min = max = m[0];
    for (int i = 1; i < n; i++) {
        if (m[i] < min) min = m[i];
        if (m[i] > max) max = m[i];
    }
    for (;;) {
        guess = (min + max) / 2;
        less = 0;
        greater = 0;
        equal = 0;
        maxltguess = min;
        mingtguess = max;
        for (int i = 0; i < n; i++) {
            if (m[i] < guess) {
                less++;
                if (m[i] > maxltguess) maxltguess = m[i];
            } else if (m[i] > guess) {
                greater++;
                if (m[i] < mingtguess) mingtguess = m[i];
            } else {
                equal++;
            }
        }
        if (less <= (n + 1) / 2 && greater <= (n + 1) / 2) break;
        if (less > greater) {
            max = maxltguess;
        } else {
            min = mingtguess;
        }
    }
    if (less >= (n + 1) / 2) return maxltguess;
    if (less + equal >= (n + 1) / 2) return guess;
    return mingtguess;
}

/* 256 bits, bit i*16+j set when b[i][j] is above the median, written as the reference's hex form:
   words 15..0, each high byte first. */
static void to_bits(float b[16][16], uint8_t out[32]) {
    float median = torben(&b[0][0], 256);
    uint16_t w[16];
    memset(w, 0, sizeof w);
    for (int i = 0; i < 16; i++) {
        for (int j = 0; j < 16; j++) {
            int k = i * 16 + j;
            if (b[i][j] > median) w[k >> 4] |= (uint16_t)(1u << (k & 15));
        }
    }
    for (int i = 0; i < 16; i++) {
        out[2 * i] = (uint8_t)(w[15 - i] >> 8);
        out[2 * i + 1] = (uint8_t)(w[15 - i] & 0xff);
    }
}

/* The eight dihedral transforms of the DCT (reference: dct16OriginalTo*), in pdqhash's order: original,
   rotate 90, 180, 270, flip x, flip y, flip +1, flip -1. */
static void dihedral(float a[16][16], int which, float b[16][16]) {
    for (int i = 0; i < 16; i++) {
        for (int j = 0; j < 16; j++) {
            float v = a[i][j];
            switch (which) {
            case 0: b[i][j] = v; break;
            case 1: b[j][i] = (j & 1) ? v : -v; break;
            case 2: b[i][j] = ((i + j) & 1) ? -v : v; break;
            case 3: b[j][i] = (i & 1) ? v : -v; break;
            case 4: b[i][j] = (i & 1) ? v : -v; break;
            case 5: b[i][j] = (j & 1) ? v : -v; break;
            case 6: b[j][i] = v; break;
            default: b[j][i] = ((i + j) & 1) ? -v : v; break;
            }
        }
    }
}

/* The 64x64 image-domain downsample of the source. Returns -1 when memory is short. */
static int downsample(const Source *src, float a[64][64]) {
    int rows = src->rows, cols = src->cols;
    if (rows == 64 && cols == 64) {
        /* As the reference: a frame already scaled to 64x64 (video) is sampled as it is. */
        float *tin = malloc(sizeof(float) * 64 * STRIP);
        if (tin == NULL) return -1;
        for (int r0 = 0; r0 < 64; r0 += STRIP) {
            luma_strip(src, r0, STRIP, tin);
            for (int k = 0; k < STRIP; k++)
                for (int c = 0; c < 64; c++) a[r0 + k][c] = tin[c * STRIP + k];
        }
        free(tin);
        return 0;
    }
    int wrows = window_size(cols, 64); /* window along rows */
    int wcols = window_size(rows, 64); /* window along columns */
    int sample_rows[64], sample_cols[64];
    for (int o = 0; o < 64; o++) {
        sample_rows[o] = (int)(((o + 0.5) * rows) / 64);
        sample_cols[o] = (int)(((o + 0.5) * cols) / 64);
    }
    /* Pass 1 (rows, from the pixels) writes strips of STRIP rows into a ring of the last wcols + STRIP rows;
       pass 2 (columns) consumes that ring row by row; its output rows gather in strips for pass 3 (rows, the
       sampled columns only); pass 4 (columns) runs on the 64 sampled columns. No buffer holds the whole image. */
    int ring_rows = wcols + STRIP;
    size_t cs = (size_t)cols;
    float *ring = malloc(sizeof(float) * (size_t)ring_rows * cs);
    float *strip = malloc(sizeof(float) * STRIP * cs);
    float *tin = malloc(sizeof(float) * STRIP * cs);
    float *tout = malloc(sizeof(float) * STRIP * cs);
    float *sum = malloc(sizeof(float) * (cs > 64 ? cs : 64));
    float *rowsum = malloc(sizeof(float) * STRIP);
    float *kept = malloc(sizeof(float) * (size_t)rows * 64);
    float *kept2 = malloc(sizeof(float) * (size_t)rows * 64);
    int status = -1;
    if (ring && strip && tin && tout && sum && rowsum && kept && kept2) {
        Stream st = {rows, cols, wrows, wcols, sample_cols, sum, strip, tin, tout, rowsum, kept, 0};
        int half = (wcols + 2) / 2, p1 = half - 1, cws = 0;
        for (int l = 0; l < cols; l++) sum[l] = 0.0f;
        for (int r0 = 0; r0 < rows; r0 += STRIP) {
            int nr = rows - r0 < STRIP ? rows - r0 : STRIP;
            luma_strip(src, r0, nr, tin);
            box_lanes(tin, tout, cols, STRIP, STRIP, wrows, rowsum);
            for (int k = 0; k < nr; k++) {
                float *p = ring + (ptrdiff_t)((r0 + k) % ring_rows) * cols;
                for (int c = 0; c < cols; c++) p[c] = tout[c * STRIP + k];
            }
            for (int r = r0; r < r0 + nr; r++) {
                const float *add = ring + (ptrdiff_t)(r % ring_rows) * cols;
                if (r < p1) {
                    for (int l = 0; l < cols; l++) sum[l] += add[l];
                    cws++;
                } else if (r < wcols) {
                    float *out = next_out(&st);
                    cws++;
                    float w = (float)cws;
                    for (int l = 0; l < cols; l++) {
                        sum[l] += add[l];
                        out[l] = sum[l] / w;
                    }
                    emitted_one(&st);
                } else {
                    const float *sub = ring + (ptrdiff_t)((r - wcols) % ring_rows) * cols;
                    float *out = next_out(&st);
                    float w = (float)cws;
                    for (int l = 0; l < cols; l++) {
                        sum[l] += add[l];
                        sum[l] -= sub[l];
                        out[l] = sum[l] / w;
                    }
                    emitted_one(&st);
                }
            }
        }
        for (int i = 0; i < p1; i++) {
            const float *sub = ring + (ptrdiff_t)((rows - wcols + i) % ring_rows) * cols;
            float *out = next_out(&st);
            cws--;
            float w = (float)cws;
            for (int l = 0; l < cols; l++) {
                sum[l] -= sub[l];
                out[l] = sum[l] / w;
            }
            emitted_one(&st);
        }
        box_lanes(kept, kept2, rows, 64, 64, wcols, sum);
        for (int o = 0; o < 64; o++) memcpy(a[o], kept2 + (ptrdiff_t)sample_rows[o] * 64, sizeof(float) * 64);
        status = 0;
    }
    free(ring);
    free(strip);
    free(tin);
    free(tout);
    free(sum);
    free(rowsum);
    free(kept);
    free(kept2);
    return status;
}

static PyObject *hash_source(const Source *src, int want_dihedral) {
    int nhashes = want_dihedral ? 8 : 1;
    uint8_t out[8 * 32];
    int quality = 0, status = 0;
    memset(out, 0, sizeof out);
    Py_BEGIN_ALLOW_THREADS
    if (src->rows >= MIN_HASHABLE_DIM && src->cols >= MIN_HASHABLE_DIM) {
        float a[64][64], b[16][16], t[16][16];
        status = downsample(src, a);
        if (status == 0) {
            quality = quality_of(a);
            dct64_to_16(a, b);
            for (int h = 0; h < nhashes; h++) {
                dihedral(b, h, t);
                to_bits(t, out + 32 * h);
            }
        }
    }
    Py_END_ALLOW_THREADS
    if (status != 0) return PyErr_NoMemory();
    return Py_BuildValue("(y#i)", (const char *)out, (Py_ssize_t)(32 * nhashes), quality);
}

/* hash(pixels, rows, cols, channels, stride, dihedral) -> (bytes, quality)

   `pixels`: any buffer of rows x cols x channels bytes (channels 3: RGB, 1: grey), rows `stride` bytes apart.
   Returns 32 bytes (the hash) or 256 (the eight dihedral hashes in pdqhash's order) and the quality. An image
   under 5 pixels on a side hashes to zeros with quality 0, as in the reference. */
static PyObject *pdq_hash(PyObject *self, PyObject *args) {
    Py_buffer view;
    int rows, cols, channels, want_dihedral;
    Py_ssize_t stride;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*iiinp", &view, &rows, &cols, &channels, &stride, &want_dihedral)) return NULL;
    if (rows < 1 || cols < 1 || (channels != 1 && channels != 3) || stride < (Py_ssize_t)cols * channels ||
        view.len < (Py_ssize_t)(rows - 1) * stride + (Py_ssize_t)cols * channels) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "the pixel buffer does not match its declared shape");
        return NULL;
    }
    Source src = {(const uint8_t *)view.buf, stride, channels, rows, cols, channels};
    PyObject *result = hash_source(&src, want_dihedral);
    PyBuffer_Release(&view);
    return result;
}

/* The Arrow C data interface (stable ABI), as Pillow exports an image without copying it. */
struct ArrowSchema {
    const char *format, *name, *metadata;
    int64_t flags, n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;
    void (*release)(struct ArrowSchema *);
    void *private_data;
};
struct ArrowArray {
    int64_t length, null_count, offset, n_buffers, n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *);
    void *private_data;
};

/* hash_arrow(schema, array, width, height, left, top, right, bottom, dihedral) -> (bytes, quality)

   The region of a Pillow image exported through ``Image.__arrow_c_array__`` (RGB, stored as RGBX, or L), read
   in place. The capsules must stay alive for the call (they are its arguments). */
static PyObject *pdq_hash_arrow(PyObject *self, PyObject *args) {
    PyObject *schema_capsule, *array_capsule;
    int width, height, left, top, right, bottom, want_dihedral;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOiiiiiip", &schema_capsule, &array_capsule, &width, &height, &left, &top, &right,
                          &bottom, &want_dihedral))
        return NULL;
    struct ArrowSchema *schema = PyCapsule_GetPointer(schema_capsule, "arrow_schema");
    if (schema == NULL) return NULL;
    struct ArrowArray *array = PyCapsule_GetPointer(array_capsule, "arrow_array");
    if (array == NULL) return NULL;
    if (array->release == NULL || width < 1 || height < 1 || array->length != (int64_t)width * height ||
        array->null_count > 0 || left < 0 || top < 0 || right > width || bottom > height || left >= right ||
        top >= bottom) {
        PyErr_SetString(PyExc_ValueError, "the Arrow image does not match its declared shape");
        return NULL;
    }
    const uint8_t *base = NULL;
    int step = 0, channels = 0;
    if (strcmp(schema->format, "+w:4") == 0 && schema->n_children == 1 && array->n_children == 1 &&
        strcmp(schema->children[0]->format, "C") == 0) {
        struct ArrowArray *child = array->children[0];
        if (child->n_buffers == 2 && child->length >= 4 * (array->offset + array->length)) {
            base = (const uint8_t *)child->buffers[1] + child->offset + 4 * array->offset;
            step = 4;
            channels = 3;
        }
    } else if (strcmp(schema->format, "C") == 0 && array->n_buffers == 2) {
        base = (const uint8_t *)array->buffers[1] + array->offset;
        step = 1;
        channels = 1;
    }
    if (base == NULL) {
        PyErr_SetString(PyExc_ValueError, "the Arrow image is neither RGB (as RGBX) nor L");
        return NULL;
    }
    ptrdiff_t stride = (ptrdiff_t)width * step;
    Source src = {base + (ptrdiff_t)top * stride + (ptrdiff_t)left * step, stride, channels, bottom - top,
                  right - left, step};
    return hash_source(&src, want_dihedral);
}

static PyMethodDef METHODS[] = {
    {"hash", pdq_hash, METH_VARARGS, "hash(pixels, rows, cols, channels, stride, dihedral) -> (bytes, quality)"},
    {"hash_arrow", pdq_hash_arrow, METH_VARARGS,
     "hash_arrow(schema, array, width, height, left, top, right, bottom, dihedral) -> (bytes, quality)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "_pdqcore", "PDQ hashing, bit for bit as pdqhash.", -1,
                                    METHODS, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__pdqcore(void) {
    init_tables();
    return PyModule_Create(&MODULE);
}
