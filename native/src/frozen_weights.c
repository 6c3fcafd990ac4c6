// Frozen base weights held by the addon in their stored precision (f32, bf16 or f16), outside the 4 GB wasm32
// heap, and the products the model needs from them: y = x·Wᵀ (forward), dx = dy·W (input gradient) and row
// lookups (embeddings). bf16/f16 are widened to float32 one tile at a time, so every product is the float32
// product of the stored values — the same numbers as widening the whole weight first, at a fraction of the memory.
#include <node_api.h>
#include <cblas.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "frozen_weights.h"
#include "parallel.h"
#include "vecmath.h"


static Weight* weights = NULL;
static int64_t n_weights = 0, cap_weights = 0;
static int64_t total_bytes = 0;
static float* tile = NULL;
static int64_t tile_cap = 0;
// A tile of 2^22 floats (16 MB): few enough sgemm calls per product that each is wide (a 2^20 tile gave down_proj of
// Qwen2.5-0.5B 215-row calls at ~93 GFLOP/s per core, 2^22 ~115; the LM head walk ran 9% faster).
static const int64_t TILE_FLOATS = 1 << 22;

static int64_t elem_bytes(int dtype) { return dtype == W_F32 ? 4 : 2; }

MULTIVERSION static void widen_bf16(const uint16_t* src, float* dst, int64_t n) {
  uint32_t* d = (uint32_t*)dst;
  for (int64_t i = 0; i < n; i++) d[i] = (uint32_t)src[i] << 16;
}

static inline float half_to_float(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff, bits;
  if (exp == 0) {
    if (mant == 0) bits = sign;
    else {
      // Subnormal half: normalise into a float32 exponent.
      int e = -1;
      do { mant <<= 1; e++; } while (!(mant & 0x400));
      bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((mant & 0x3ff) << 13);
    }
  } else if (exp == 0x1f) bits = sign | 0x7f800000 | (mant << 13);
  else bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  union { uint32_t u; float f; } v = { bits };
  return v.f;
}

MULTIVERSION static void widen_f16(const uint16_t* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; i++) dst[i] = half_to_float(src[i]);
}

/** Rows [r0, r0+nr) × columns [c0, c0+nc) of w as a dense float32 block [nr, nc]. */
static void widen_block(const Weight* w, int64_t r0, int64_t nr, int64_t c0, int64_t nc, float* out) {
  for (int64_t r = 0; r < nr; r++) {
    int64_t at = (r0 + r) * w->cols + c0;
    if (w->dtype == W_BF16) widen_bf16((const uint16_t*)w->data + at, out + r * nc, nc);
    else if (w->dtype == W_F16) widen_f16((const uint16_t*)w->data + at, out + r * nc, nc);
    else memcpy(out + r * nc, (const float*)w->data + at, sizeof(float) * (size_t)nc);
  }
}

typedef struct { const Weight* w; int64_t r0; float* out; } WidenCtx;
static void widen_chunk(void* p, int64_t b, int64_t e, int worker) {
  (void)worker;
  WidenCtx* c = (WidenCtx*)p;
  widen_block(c->w, c->r0 + b, e - b, 0, c->w->cols, c->out + b * c->w->cols);
}

const float* frozen_rows_f32(const Weight* w, int64_t r0, int64_t nr, float* scratch) {
  if (w->dtype == W_F32) return (const float*)w->data + r0 * w->cols;
  WidenCtx c = { w, r0, scratch };
  par_for(nr, (1 << 16) / w->cols + 1, widen_chunk, &c);
  return scratch;
}

int64_t frozen_tile_rows(const Weight* w) {
  int64_t r = TILE_FLOATS / w->cols;
  return r < 1 ? 1 : (r > w->rows ? w->rows : r);
}

static float* tile_buffer(int64_t n) {
  if (n > tile_cap) {
    free(tile);
    tile = (float*)aligned_alloc(64, (size_t)((n * 4 + 63) / 64 * 64));
    tile_cap = tile ? n : 0;
  }
  return tile;
}

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "clinical_ft_blas: N-API call failed"); return NULL; } } while (0)

static int64_t i64(napi_env env, napi_value v) {
  int64_t x = 0;
  napi_get_value_int64(env, v, &x);
  return x;
}

Weight* frozen_lookup(napi_env env, napi_value v) {
  int64_t id = i64(env, v);
  if (id < 0 || id >= n_weights || !weights[id].data) {
    napi_throw_range_error(env, NULL, "frozen weight: unknown or freed handle");
    return NULL;
  }
  return &weights[id];
}

static int heap_of(napi_env env, napi_value v, float** data, int64_t* len) {
  napi_typedarray_type type;
  size_t length, off;
  void* ptr;
  napi_value ab;
  if (napi_get_typedarray_info(env, v, &type, &length, &ptr, &ab, &off) != napi_ok || type != napi_float32_array) {
    napi_throw_type_error(env, NULL, "frozen weight: expected the heap as a Float32Array");
    return 0;
  }
  *data = (float*)ptr;
  *len = (int64_t)length;
  return 1;
}

static int span_ok(napi_env env, int64_t len, int64_t off, int64_t n, const char* what) {
  if (off < 0 || n < 0 || off + n > len) {
    napi_throw_range_error(env, NULL, what);
    return 0;
  }
  return 1;
}

// weightCreate(bytes: TypedArray, dtype 0 f32 | 1 bf16 | 2 f16, rows, cols) → handle. Copies the bytes.
static napi_value weight_create(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value a[4];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  napi_typedarray_type type;
  size_t length, off;
  void* ptr;
  napi_value ab;
  if (argc != 4 || napi_get_typedarray_info(env, a[0], &type, &length, &ptr, &ab, &off) != napi_ok) {
    napi_throw_type_error(env, NULL, "weightCreate(bytes, dtype, rows, cols)");
    return NULL;
  }
  int dtype = (int)i64(env, a[1]);
  int64_t rows = i64(env, a[2]), cols = i64(env, a[3]);
  size_t bytes_in = length;
  if (type == napi_float32_array) bytes_in *= 4;
  else if (type == napi_uint16_array || type == napi_int16_array) bytes_in *= 2;
  else if (type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "weightCreate: bytes must be a Uint8Array, Uint16Array or Float32Array");
    return NULL;
  }
  if (dtype < 0 || dtype > 2 || rows <= 0 || cols <= 0 || (int64_t)bytes_in != rows * cols * elem_bytes(dtype)) {
    napi_throw_range_error(env, NULL, "weightCreate: size does not match rows × cols × dtype");
    return NULL;
  }
  void* data = aligned_alloc(64, (bytes_in + 63) / 64 * 64);
  if (!data) {
    napi_throw_error(env, "ENOMEM", "weightCreate: out of memory");
    return NULL;
  }
  memcpy(data, ptr, bytes_in);
  if (n_weights == cap_weights) {
    int64_t cap = cap_weights ? cap_weights * 2 : 256;
    Weight* grown = (Weight*)realloc(weights, sizeof(Weight) * (size_t)cap);
    if (!grown) {
      free(data);
      napi_throw_error(env, "ENOMEM", "weightCreate: out of memory");
      return NULL;
    }
    weights = grown;
    cap_weights = cap;
  }
  weights[n_weights] = (Weight){data, dtype, rows, cols};
  total_bytes += (int64_t)bytes_in;
  napi_value out;
  CHECK(napi_create_int64(env, n_weights++, &out));
  return out;
}

static napi_value weight_free(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value a[1];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  Weight* w = argc == 1 ? frozen_lookup(env, a[0]) : NULL;
  if (!w) return NULL;
  total_bytes -= w->rows * w->cols * elem_bytes(w->dtype);
  free(w->data);
  w->data = NULL;
  return NULL;
}

static napi_value weight_bytes(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  CHECK(napi_create_int64(env, total_bytes, &out));
  return out;
}

// weightMatMul(heap, handle, x, y, M, transpose): false → y[M, rows] = x[M, cols]·Wᵀ; true → y[M, cols] = x[M, rows]·W.
static napi_value weight_matmul(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value a[6];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  float* heap;
  int64_t len;
  if (argc != 6 || !heap_of(env, a[0], &heap, &len)) return NULL;
  Weight* w = frozen_lookup(env, a[1]);
  if (!w) return NULL;
  int64_t x = i64(env, a[2]), y = i64(env, a[3]), M = i64(env, a[4]);
  bool tr = false;
  napi_get_value_bool(env, a[5], &tr);
  int64_t R = w->rows, C = w->cols, in = tr ? R : C, out = tr ? C : R;
  if (M < 0 || M > INT32_MAX || !span_ok(env, len, x, M * in, "weightMatMul: input outside the heap") || !span_ok(env, len, y, M * out, "weightMatMul: output outside the heap")) return NULL;
  if (M == 0) return NULL;
  const float* X = heap + x;
  float* Y = heap + y;
  if (w->dtype == W_F32) {
    const float* W = (const float*)w->data;
    if (!tr) {
      if (M == 1) cblas_sgemv(CblasRowMajor, CblasNoTrans, (blasint)R, (blasint)C, 1.0f, W, (blasint)C, X, 1, 0.0f, Y, 1);
      else cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (blasint)M, (blasint)R, (blasint)C, 1.0f, X, (blasint)C, W, (blasint)C, 0.0f, Y, (blasint)R);
    } else {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)M, (blasint)C, (blasint)R, 1.0f, X, (blasint)R, W, (blasint)C, 0.0f, Y, (blasint)C);
    }
    return NULL;
  }
  // Contiguous blocks of whole rows of W (cheap to widen): forward, each gives a disjoint column block of y;
  // input gradient (tr), each adds its share to dx.
  int64_t tr_rows = frozen_tile_rows(w);
  float* T = tile_buffer(tr_rows * C);
  if (!T) { napi_throw_error(env, "ENOMEM", "weightMatMul: out of memory"); return NULL; }
  for (int64_t r0 = 0; r0 < R; r0 += tr_rows) {
    int64_t nr = R - r0 < tr_rows ? R - r0 : tr_rows;
    frozen_rows_f32(w, r0, nr, T);
    if (tr) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)M, (blasint)C, (blasint)nr, 1.0f, X + r0, (blasint)R, T, (blasint)C, r0 == 0 ? 0.0f : 1.0f, Y, (blasint)C);
    else if (M == 1) cblas_sgemv(CblasRowMajor, CblasNoTrans, (blasint)nr, (blasint)C, 1.0f, T, (blasint)C, X, 1, 0.0f, Y + r0, 1);
    else cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (blasint)M, (blasint)nr, (blasint)C, 1.0f, X, (blasint)C, T, (blasint)C, 0.0f, Y + r0, (blasint)R);
  }
  return NULL;
}

// weightRows(heap, handle, ids(int32), out, N): out[i, :] = W[ids[i], :] as float32 (embedding lookup).
static napi_value weight_rows(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value a[5];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  float* heap;
  int64_t len;
  if (argc != 5 || !heap_of(env, a[0], &heap, &len)) return NULL;
  Weight* w = frozen_lookup(env, a[1]);
  if (!w) return NULL;
  int64_t ids = i64(env, a[2]), out = i64(env, a[3]), N = i64(env, a[4]);
  if (!span_ok(env, len, ids, N, "weightRows: ids outside the heap") || !span_ok(env, len, out, N * w->cols, "weightRows: output outside the heap")) return NULL;
  const int32_t* id = (const int32_t*)heap + ids;
  for (int64_t i = 0; i < N; i++) {
    if (id[i] < 0 || id[i] >= w->rows) {
      napi_throw_range_error(env, NULL, "embed: token id outside the vocabulary");
      return NULL;
    }
  }
  for (int64_t i = 0; i < N; i++) widen_block(w, id[i], 1, 0, w->cols, heap + out + i * w->cols);
  return NULL;
}

// weightToFloat32(handle, out Float32Array): the whole weight widened (folding an adapter into it).
static napi_value weight_to_float32(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value a[2];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  float* out;
  int64_t len;
  if (argc != 2) return NULL;
  Weight* w = frozen_lookup(env, a[0]);
  if (!w || !heap_of(env, a[1], &out, &len)) return NULL;
  if (len != w->rows * w->cols) {
    napi_throw_range_error(env, NULL, "weightToFloat32: output has the wrong length");
    return NULL;
  }
  widen_block(w, 0, w->rows, 0, w->cols, out);
  return NULL;
}

void register_frozen_weights(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"weightCreate", NULL, weight_create, NULL, NULL, NULL, napi_default, NULL},
    {"weightFree", NULL, weight_free, NULL, NULL, NULL, napi_default, NULL},
    {"weightBytes", NULL, weight_bytes, NULL, NULL, NULL, napi_default, NULL},
    {"weightMatMul", NULL, weight_matmul, NULL, NULL, NULL, napi_default, NULL},
    {"weightRows", NULL, weight_rows, NULL, NULL, NULL, napi_default, NULL},
    {"weightToFloat32", NULL, weight_to_float32, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
