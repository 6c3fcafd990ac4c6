// N-API addon: OpenBLAS sgemm and a few float32 element-wise loops working in place on the tfjs wasm heap.
// Every function takes the heap as a Float32Array plus element offsets, so no tensor is ever copied.
// Offsets and sizes are checked against the heap length before any pointer is formed.
#include <node_api.h>
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "frozen_weights.h"
#include "parallel.h"
#include "vecmath.h"

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "clinical_ft_blas: N-API call failed"); return NULL; } } while (0)

// ---- vectorisable float32 loops (vecmath.h: MULTIVERSION, fexp) ---------------------------------------------
MULTIVERSION static void loop_exp(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = fexp(x[i]);
}

MULTIVERSION static void loop_swiglu(const float* g, const float* u, float* y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = g[i] / (1.0f + fexp(-g[i])) * u[i];
}

MULTIVERSION static void loop_swiglu_grad(const float* g, const float* u, const float* dy, float* dg, float* du, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    float gv = g[i], sg = 1.0f / (1.0f + fexp(-gv)), d = dy[i];
    du[i] = d * gv * sg;
    dg[i] = d * u[i] * sg * (1.0f + gv * (1.0f - sg));
  }
}

// ---- chunk workers for par_for (each reads its operands from a context struct) --------------------------------
static void exp_chunk(void* c, int64_t b, int64_t e, int w) {
  (void)w;
  float** xy = (float**)c;
  loop_exp(xy[0] + b, xy[1] + b, e - b);
}

typedef struct { const float *g, *u, *dy; float *y, *dg, *du; } SwigluCtx;
static void swiglu_chunk(void* c, int64_t b, int64_t e, int w) {
  (void)w;
  SwigluCtx* s = (SwigluCtx*)c;
  loop_swiglu(s->g + b, s->u + b, s->y + b, e - b);
}
static void swiglu_grad_chunk(void* c, int64_t b, int64_t e, int w) {
  (void)w;
  SwigluCtx* s = (SwigluCtx*)c;
  loop_swiglu_grad(s->g + b, s->u + b, s->dy + b, s->dg + b, s->du + b, e - b);
}

/** Rows per chunk so that a chunk holds at least ~64k floats of work. */
static int64_t row_grain(int64_t row_len) { return row_len >= 65536 ? 1 : 65536 / (row_len > 0 ? row_len : 1); }

static int get_heap(napi_env env, napi_value v, float** data, int64_t* len) {
  napi_typedarray_type type;
  size_t length;
  void* ptr;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &type, &length, &ptr, &ab, &off) != napi_ok || type != napi_float32_array) {
    napi_throw_type_error(env, NULL, "clinical_ft_blas: expected the heap as a Float32Array");
    return 0;
  }
  *data = (float*)ptr;
  *len = (int64_t)length;
  return 1;
}

static int64_t arg_i64(napi_env env, napi_value v) {
  int64_t x = 0;
  napi_get_value_int64(env, v, &x);
  return x;
}

static double arg_f64(napi_env env, napi_value v) {
  double x = 0;
  napi_get_value_double(env, v, &x);
  return x;
}

/** The span [off, off + (rows-1)*ld + cols) must lie inside the heap (plus batch strides). */
static int in_heap(int64_t heap_len, int64_t off, int64_t rows, int64_t cols, int64_t ld, int64_t batch, int64_t stride) {
  if (off < 0 || rows < 0 || cols < 0 || batch < 1 || stride < 0 || ld < cols) return 0;
  if (rows == 0 || cols == 0) return off <= heap_len;
  int64_t last = off + (batch - 1) * stride + (rows - 1) * ld + cols;
  return last <= heap_len;
}

/** Multiply-adds below which a product runs single-threaded (2^23: ~17 MFLOP, ~0.1–0.2 ms on one core). */
static const double SMALL_PRODUCT_MACS = 8388608.0;

// sgemm(heap, transA, transB, M, N, K, alpha, aOff, lda, bOff, ldb, beta, cOff, ldc, batch, strideA, strideB, strideC)
// Row-major C[b] = alpha * op(A[b]) * op(B[b]) + beta * C[b].
static napi_value sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 18;
  napi_value a[18];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  if (argc != 18) {
    napi_throw_error(env, NULL, "clinical_ft_blas.sgemm: expected 18 arguments");
    return NULL;
  }
  float* heap;
  int64_t heap_len;
  if (!get_heap(env, a[0], &heap, &heap_len)) return NULL;
  bool ta = false, tb = false;
  napi_get_value_bool(env, a[1], &ta);
  napi_get_value_bool(env, a[2], &tb);
  int64_t M = arg_i64(env, a[3]), N = arg_i64(env, a[4]), K = arg_i64(env, a[5]);
  float alpha = (float)arg_f64(env, a[6]);
  int64_t aOff = arg_i64(env, a[7]), lda = arg_i64(env, a[8]);
  int64_t bOff = arg_i64(env, a[9]), ldb = arg_i64(env, a[10]);
  float beta = (float)arg_f64(env, a[11]);
  int64_t cOff = arg_i64(env, a[12]), ldc = arg_i64(env, a[13]);
  int64_t batch = arg_i64(env, a[14]), sA = arg_i64(env, a[15]), sB = arg_i64(env, a[16]), sC = arg_i64(env, a[17]);
  int64_t aRows = ta ? K : M, aCols = ta ? M : K;
  int64_t bRows = tb ? N : K, bCols = tb ? K : N;
  if (M < 0 || N < 0 || K < 0 || M > INT32_MAX || N > INT32_MAX || K > INT32_MAX ||
      !in_heap(heap_len, aOff, aRows, aCols, lda, batch, sA) || !in_heap(heap_len, bOff, bRows, bCols, ldb, batch, sB) ||
      !in_heap(heap_len, cOff, M, N, ldc, batch, sC)) {
    napi_throw_range_error(env, NULL, "clinical_ft_blas.sgemm: operand outside the heap or inconsistent strides");
    return NULL;
  }
  if (M == 0 || N == 0) return NULL;
  // Small products (LoRA's rank-r factors, short attention blocks) run on one thread: splitting ~100 µs of work across
  // threads that must meet at a barrier gains nothing on an idle machine and costs milliseconds on a busy one.
  int small = par_threads() > 1 && (double)M * (double)N * (double)K * (double)batch < SMALL_PRODUCT_MACS;
  if (small) openblas_set_num_threads(1);
  for (int64_t b = 0; b < batch; b++) {
    float* C = heap + cOff + b * sC;
    if (K == 0) {
      for (int64_t i = 0; i < M; i++) {
        if (beta == 0.0f) memset(C + i * ldc, 0, sizeof(float) * (size_t)N);
        else for (int64_t j = 0; j < N; j++) C[i * ldc + j] *= beta;
      }
      continue;
    }
    const float* A = heap + aOff + b * sA;
    const float* B = heap + bOff + b * sB;
    // Matrix-vector products (one generated token) go to gemv: sgemm would repack the whole weight every call.
    if (M == 1) {
      // c = op(B)ᵀ-side product: C[0, n] = Σ_k a_k op(B)[k, n]; a is contiguous (lda or stride 1 when M == 1).
      if (tb) cblas_sgemv(CblasRowMajor, CblasNoTrans, (blasint)N, (blasint)K, alpha, B, (blasint)ldb, A, 1, beta, C, 1);
      else cblas_sgemv(CblasRowMajor, CblasTrans, (blasint)K, (blasint)N, alpha, B, (blasint)ldb, A, 1, beta, C, 1);
      continue;
    }
    if (N == 1) {
      if (ta) cblas_sgemv(CblasRowMajor, CblasTrans, (blasint)K, (blasint)M, alpha, A, (blasint)lda, B, (blasint)(tb ? 1 : ldb), beta, C, (blasint)ldc);
      else cblas_sgemv(CblasRowMajor, CblasNoTrans, (blasint)M, (blasint)K, alpha, A, (blasint)lda, B, (blasint)(tb ? 1 : ldb), beta, C, (blasint)ldc);
      continue;
    }
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (blasint)M, (blasint)N, (blasint)K, alpha,
                A, (blasint)lda, B, (blasint)ldb, beta, C, (blasint)ldc);
  }
  if (small) openblas_set_num_threads(par_threads());
  return NULL;
}

// exp(heap, inOff, outOff, n)
static napi_value vexp(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value a[4];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  float* heap;
  int64_t heap_len;
  if (argc != 4 || !get_heap(env, a[0], &heap, &heap_len)) return NULL;
  int64_t in = arg_i64(env, a[1]), out = arg_i64(env, a[2]), n = arg_i64(env, a[3]);
  if (n < 0 || in < 0 || out < 0 || in + n > heap_len || out + n > heap_len) {
    napi_throw_range_error(env, NULL, "clinical_ft_blas.exp: operand outside the heap");
    return NULL;
  }
  float* xy[2] = { heap + in, heap + out };
  par_for(n, 1 << 15, exp_chunk, xy);
  return NULL;
}



// ---- fused float32 kernels (forward and backward) ------------------------------------------------------------
// Arguments are element offsets into the heap. in_span() guards every operand before the loops run.

typedef struct { float* heap; int64_t len; } Heap;

static int in_span(napi_env env, Heap h, int64_t off, int64_t n, const char* what) {
  if (off < 0 || n < 0 || off + n > h.len) {
    napi_throw_range_error(env, NULL, what);
    return 0;
  }
  return 1;
}

static int read_args(napi_env env, napi_callback_info info, size_t want, napi_value* a, Heap* h) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, a, NULL, NULL) != napi_ok || argc != want) {
    napi_throw_error(env, NULL, "clinical_ft_blas: wrong number of arguments");
    return 0;
  }
  return get_heap(env, a[0], &h->heap, &h->len);
}

typedef struct { float* heap; int64_t x; const int32_t* tg; int64_t lp, lse, dy, dx, V; } LspCtx;
static void lsp_chunk(void* p, int64_t b, int64_t e, int w) {
  (void)w;
  LspCtx* c = (LspCtx*)p;
  for (int64_t i = b; i < e; i++) {
    const float* row = c->heap + c->x + i * c->V;
    float m = row_max(row, c->V);
    float l = m + logf(row_sum_exp(row, c->V, m));
    int32_t k = c->tg[i];
    c->heap[c->lse + i] = l;
    c->heap[c->lp + i] = (k >= 0 && k < c->V) ? row[k] - l : NAN;
  }
}
static void lsp_grad_chunk(void* p, int64_t b, int64_t e, int w) {
  (void)w;
  LspCtx* c = (LspCtx*)p;
  for (int64_t i = b; i < e; i++) {
    const float* row = c->heap + c->x + i * c->V;
    float* out = c->heap + c->dx + i * c->V;
    float l = c->heap[c->lse + i], g = c->heap[c->dy + i];
    row_neg_softmax_scaled(row, out, c->V, l, g);
    int32_t k = c->tg[i];
    if (k >= 0 && k < c->V) out[k] += g;
  }
}

// logSoftmaxPick(heap, x, targets(int32), lp, lse, N, V): lp[i] = x[i,t_i] - logsumexp(x[i,:]); lse kept for the gradient.
static napi_value log_softmax_pick(napi_env env, napi_callback_info info) {
  napi_value a[7];
  Heap h;
  if (!read_args(env, info, 7, a, &h)) return NULL;
  int64_t x = arg_i64(env, a[1]), t = arg_i64(env, a[2]), lp = arg_i64(env, a[3]), lse = arg_i64(env, a[4]), N = arg_i64(env, a[5]), V = arg_i64(env, a[6]);
  if (N < 0 || V <= 0 || !in_span(env, h, x, N * V, "logSoftmaxPick: logits") || !in_span(env, h, t, N, "logSoftmaxPick: targets") ||
      !in_span(env, h, lp, N, "logSoftmaxPick: out") || !in_span(env, h, lse, N, "logSoftmaxPick: lse")) return NULL;
  LspCtx c = { h.heap, x, (const int32_t*)h.heap + t, lp, lse, 0, 0, V };
  par_for(N, row_grain(V), lsp_chunk, &c);
  return NULL;
}

// logSoftmaxPickGrad(heap, x, lse, targets, dy, dx, N, V): dx[i,j] = dy[i] * ([j == t_i] - softmax(x)[i,j]).
static napi_value log_softmax_pick_grad(napi_env env, napi_callback_info info) {
  napi_value a[8];
  Heap h;
  if (!read_args(env, info, 8, a, &h)) return NULL;
  int64_t x = arg_i64(env, a[1]), lse = arg_i64(env, a[2]), t = arg_i64(env, a[3]), dy = arg_i64(env, a[4]), dx = arg_i64(env, a[5]), N = arg_i64(env, a[6]), V = arg_i64(env, a[7]);
  if (N < 0 || V <= 0 || !in_span(env, h, x, N * V, "logSoftmaxPickGrad: logits") || !in_span(env, h, dx, N * V, "logSoftmaxPickGrad: out") ||
      !in_span(env, h, lse, N, "logSoftmaxPickGrad: lse") || !in_span(env, h, t, N, "logSoftmaxPickGrad: targets") || !in_span(env, h, dy, N, "logSoftmaxPickGrad: dy")) return NULL;
  LspCtx c = { h.heap, x, (const int32_t*)h.heap + t, 0, lse, dy, dx, V };
  par_for(N, row_grain(V), lsp_grad_chunk, &c);
  return NULL;
}

typedef struct { float* heap; int64_t x, c, s, y, T, H, D; float sign; } RopeCtx;
static void rope_chunk(void* p, int64_t b, int64_t e, int w) {
  (void)w;
  RopeCtx* k = (RopeCtx*)p;
  int64_t H = k->H, D = k->D, half = D / 2;
  for (int64_t r = b; r < e; r++) {
    int64_t tpos = r % k->T;
    const float* cr = k->heap + k->c + tpos * half;
    const float* sr = k->heap + k->s + tpos * half;
    for (int64_t hh = 0; hh < H; hh++) {
      const float* xi = k->heap + k->x + (r * H + hh) * D;
      float* yo = k->heap + k->y + (r * H + hh) * D;
      for (int64_t i = 0; i < half; i++) {
        float x1 = xi[i], x2 = xi[i + half], cv = cr[i], sv = k->sign * sr[i];
        yo[i] = x1 * cv - x2 * sv;
        yo[i + half] = x2 * cv + x1 * sv;
      }
    }
  }
}

// rope(heap, x, cos, sin, y, rows, T, H, D, inverse): x [B,T,H,D] (rows = B·T), cos/sin [T, D/2], rotate-half.
// inverse rotates by −angle: the gradient of the forward rotation.
static napi_value rope(napi_env env, napi_callback_info info) {
  napi_value a[10];
  Heap h;
  if (!read_args(env, info, 10, a, &h)) return NULL;
  int64_t x = arg_i64(env, a[1]), c = arg_i64(env, a[2]), s = arg_i64(env, a[3]), y = arg_i64(env, a[4]);
  int64_t rows = arg_i64(env, a[5]), T = arg_i64(env, a[6]), H = arg_i64(env, a[7]), D = arg_i64(env, a[8]);
  bool inverse = false;
  napi_get_value_bool(env, a[9], &inverse);
  int64_t half = D / 2;
  if (rows < 0 || T <= 0 || H <= 0 || D <= 0 || D % 2 || rows % T || !in_span(env, h, x, rows * H * D, "rope: x") || !in_span(env, h, y, rows * H * D, "rope: y") ||
      !in_span(env, h, c, T * half, "rope: cos") || !in_span(env, h, s, T * half, "rope: sin")) return NULL;
  RopeCtx ctx = { h.heap, x, c, s, y, T, H, D, inverse ? -1.0f : 1.0f };
  par_for(rows, row_grain(H * D), rope_chunk, &ctx);
  return NULL;
}


// swiglu(heap, g, u, y, n): y = silu(g) · u
static napi_value swiglu(napi_env env, napi_callback_info info) {
  napi_value a[5];
  Heap h;
  if (!read_args(env, info, 5, a, &h)) return NULL;
  int64_t g = arg_i64(env, a[1]), u = arg_i64(env, a[2]), y = arg_i64(env, a[3]), n = arg_i64(env, a[4]);
  if (!in_span(env, h, g, n, "swiglu: g") || !in_span(env, h, u, n, "swiglu: u") || !in_span(env, h, y, n, "swiglu: y")) return NULL;
  SwigluCtx c = { h.heap + g, h.heap + u, NULL, h.heap + y, NULL, NULL };
  par_for(n, 1 << 14, swiglu_chunk, &c);
  return NULL;
}

// swigluGrad(heap, g, u, dy, dg, du, n)
static napi_value swiglu_grad(napi_env env, napi_callback_info info) {
  napi_value a[7];
  Heap h;
  if (!read_args(env, info, 7, a, &h)) return NULL;
  int64_t g = arg_i64(env, a[1]), u = arg_i64(env, a[2]), dy = arg_i64(env, a[3]), dg = arg_i64(env, a[4]), du = arg_i64(env, a[5]), n = arg_i64(env, a[6]);
  if (!in_span(env, h, g, n, "swigluGrad: g") || !in_span(env, h, u, n, "swigluGrad: u") || !in_span(env, h, dy, n, "swigluGrad: dy") ||
      !in_span(env, h, dg, n, "swigluGrad: dg") || !in_span(env, h, du, n, "swigluGrad: du")) return NULL;
  SwigluCtx c = { h.heap + g, h.heap + u, h.heap + dy, NULL, h.heap + dg, h.heap + du };
  par_for(n, 1 << 14, swiglu_grad_chunk, &c);
  return NULL;
}

typedef struct { float* heap; int64_t x, w, y, rs, H; float eps; } RmsCtx;
static void rms_chunk(void* p, int64_t b, int64_t e, int wk) {
  (void)wk;
  RmsCtx* c = (RmsCtx*)p;
  int64_t H = c->H;
  for (int64_t r = b; r < e; r++) {
    const float* xi = c->heap + c->x + r * H;
    float* yo = c->heap + c->y + r * H;
    float ss = 0.0f;
    for (int64_t i = 0; i < H; i++) ss += xi[i] * xi[i];
    float rstd = 1.0f / sqrtf(ss / (float)H + c->eps);
    c->heap[c->rs + r] = rstd;
    for (int64_t i = 0; i < H; i++) yo[i] = xi[i] * rstd * c->heap[c->w + i];
  }
}

// rmsNorm(heap, x, w, y, rstd, rows, H, eps): y = x · rsqrt(mean(x²) + eps) · w (float accumulation as HF in float32).
static napi_value rms_norm(napi_env env, napi_callback_info info) {
  napi_value a[8];
  Heap h;
  if (!read_args(env, info, 8, a, &h)) return NULL;
  int64_t x = arg_i64(env, a[1]), w = arg_i64(env, a[2]), y = arg_i64(env, a[3]), rs = arg_i64(env, a[4]), rows = arg_i64(env, a[5]), H = arg_i64(env, a[6]);
  float eps = (float)arg_f64(env, a[7]);
  if (rows < 0 || H <= 0 || !in_span(env, h, x, rows * H, "rmsNorm: x") || !in_span(env, h, y, rows * H, "rmsNorm: y") || !in_span(env, h, w, H, "rmsNorm: w") ||
      !in_span(env, h, rs, rows, "rmsNorm: rstd")) return NULL;
  RmsCtx c = { h.heap, x, w, y, rs, H, eps };
  par_for(rows, row_grain(H), rms_chunk, &c);
  return NULL;
}

// rmsNormGrad(heap, x, w, rstd, dy, dx, dw, rows, H): dw is summed over rows.
static napi_value rms_norm_grad(napi_env env, napi_callback_info info) {
  napi_value a[9];
  Heap h;
  if (!read_args(env, info, 9, a, &h)) return NULL;
  int64_t x = arg_i64(env, a[1]), w = arg_i64(env, a[2]), rs = arg_i64(env, a[3]), dy = arg_i64(env, a[4]), dx = arg_i64(env, a[5]), dw = arg_i64(env, a[6]);
  int64_t rows = arg_i64(env, a[7]), H = arg_i64(env, a[8]);
  if (rows < 0 || H <= 0 || !in_span(env, h, x, rows * H, "rmsNormGrad: x") || !in_span(env, h, dy, rows * H, "rmsNormGrad: dy") ||
      !in_span(env, h, dx, rows * H, "rmsNormGrad: dx") || !in_span(env, h, w, H, "rmsNormGrad: w") || !in_span(env, h, dw, H, "rmsNormGrad: dw") ||
      !in_span(env, h, rs, rows, "rmsNormGrad: rstd")) return NULL;
  float* dwp = h.heap + dw;
  for (int64_t i = 0; i < H; i++) dwp[i] = 0.0f;
  for (int64_t r = 0; r < rows; r++) {
    const float* xi = h.heap + x + r * H;
    const float* gi = h.heap + dy + r * H;
    float* di = h.heap + dx + r * H;
    float rstd = h.heap[rs + r];
    float dot = 0.0f;
    for (int64_t i = 0; i < H; i++) {
      float xh = xi[i] * rstd;
      float gw = gi[i] * h.heap[w + i];
      dot += gw * xh;
      dwp[i] += gi[i] * xh;
    }
    dot /= (float)H;
    for (int64_t i = 0; i < H; i++) di[i] = rstd * (gi[i] * h.heap[w + i] - xi[i] * rstd * dot);
  }
  return NULL;
}

// embed(heap, table, ids(int32), out, N, V, H): out[i,:] = table[ids[i],:]; an id outside [0, V) is a RangeError.
static napi_value embed(napi_env env, napi_callback_info info) {
  napi_value a[7];
  Heap h;
  if (!read_args(env, info, 7, a, &h)) return NULL;
  int64_t tb = arg_i64(env, a[1]), ids = arg_i64(env, a[2]), out = arg_i64(env, a[3]), N = arg_i64(env, a[4]), V = arg_i64(env, a[5]), H = arg_i64(env, a[6]);
  if (N < 0 || V <= 0 || H <= 0 || !in_span(env, h, tb, V * H, "embed: table") || !in_span(env, h, ids, N, "embed: ids") || !in_span(env, h, out, N * H, "embed: out")) return NULL;
  const int32_t* id = (const int32_t*)h.heap + ids;
  for (int64_t i = 0; i < N; i++) {
    if (id[i] < 0 || id[i] >= V) {
      napi_throw_range_error(env, NULL, "embed: token id outside the vocabulary");
      return NULL;
    }
  }
  for (int64_t i = 0; i < N; i++) memcpy(h.heap + out + i * H, h.heap + tb + (int64_t)id[i] * H, sizeof(float) * (size_t)H);
  return NULL;
}

// embedGrad(heap, ids, dy, dtable, N, V, H): dtable = Σ_i onehot(ids[i]) ⊗ dy[i] (the scatter-add wasm lacks).
static napi_value embed_grad(napi_env env, napi_callback_info info) {
  napi_value a[7];
  Heap h;
  if (!read_args(env, info, 7, a, &h)) return NULL;
  int64_t ids = arg_i64(env, a[1]), dy = arg_i64(env, a[2]), dt = arg_i64(env, a[3]), N = arg_i64(env, a[4]), V = arg_i64(env, a[5]), H = arg_i64(env, a[6]);
  if (N < 0 || V <= 0 || H <= 0 || !in_span(env, h, ids, N, "embedGrad: ids") || !in_span(env, h, dy, N * H, "embedGrad: dy") || !in_span(env, h, dt, V * H, "embedGrad: out")) return NULL;
  const int32_t* id = (const int32_t*)h.heap + ids;
  memset(h.heap + dt, 0, sizeof(float) * (size_t)(V * H));
  for (int64_t i = 0; i < N; i++) {
    if (id[i] < 0 || id[i] >= V) continue;
    float* row = h.heap + dt + (int64_t)id[i] * H;
    const float* g = h.heap + dy + i * H;
    for (int64_t j = 0; j < H; j++) row[j] += g[j];
  }
  return NULL;
}

// One task per (sequence, KV head): the query heads sharing that KV head, so no two tasks write the same dK/dV.
typedef struct { float* heap; int64_t q, k, v, mk, out, pr, dout, dq, dk, dv; float* tmp; int64_t T, H, KV, D; float scale; } AttnCtx;

static void attention_chunk(void* p, int64_t begin, int64_t end, int worker) {
  (void)worker;
  AttnCtx* c = (AttnCtx*)p;
  int64_t T = c->T, H = c->H, KV = c->KV, D = c->D, rep = H / KV;
  for (int64_t task = begin; task < end; task++) {
    int64_t b = task / KV, kv = task % KV;
    const float* m = c->mk == -1 ? NULL : c->heap + c->mk + b * T;
    for (int64_t hh = kv * rep; hh < (kv + 1) * rep; hh++) {
      const float* Q = c->heap + c->q + (b * T * H + hh) * D;
      const float* K = c->heap + c->k + (b * T * KV + kv) * D;
      const float* V = c->heap + c->v + (b * T * KV + kv) * D;
      float* P = c->heap + c->pr + (b * H + hh) * T * T;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (blasint)T, (blasint)T, (blasint)D, c->scale, Q, (blasint)(H * D), K, (blasint)(KV * D), 0.0f, P, (blasint)T);
      for (int64_t i = 0; i < T; i++) {
        float* row = P + i * T;
        float mx = -INFINITY;
        for (int64_t j = 0; j <= i; j++) if ((!m || m[j] != 0.0f) && row[j] > mx) mx = row[j];
        float sum = 0.0f;
        for (int64_t j = 0; j < T; j++) {
          float e = (j <= i && (!m || m[j] != 0.0f) && mx != -INFINITY) ? fexp(row[j] - mx) : 0.0f;
          row[j] = e;
          sum += e;
        }
        float inv = sum > 0.0f ? 1.0f / sum : 0.0f;
        for (int64_t j = 0; j < T; j++) row[j] *= inv;
      }
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)T, (blasint)D, (blasint)T, 1.0f, P, (blasint)T, V, (blasint)(KV * D), 0.0f,
                  c->heap + c->out + (b * T * H + hh) * D, (blasint)(H * D));
    }
  }
}

static void attention_grad_chunk(void* p, int64_t begin, int64_t end, int worker) {
  AttnCtx* c = (AttnCtx*)p;
  int64_t T = c->T, H = c->H, KV = c->KV, D = c->D, rep = H / KV;
  float* tmp = c->tmp + (int64_t)worker * T * T;
  float scale = c->scale;
  float* heap = c->heap;
  for (int64_t task = begin; task < end; task++) {
    int64_t b = task / KV, kv = task % KV;
    for (int64_t hh = kv * rep; hh < (kv + 1) * rep; hh++) {
      int64_t qo = (b * T * H + hh) * D, ko = (b * T * KV + kv) * D;
      const float* P = heap + c->pr + (b * H + hh) * T * T;
      const float* dO = heap + c->dout + qo;
      // dV += Pᵀ dO ; dP = dO Vᵀ
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (blasint)T, (blasint)D, (blasint)T, 1.0f, P, (blasint)T, dO, (blasint)(H * D), 1.0f, heap + c->dv + ko, (blasint)(KV * D));
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (blasint)T, (blasint)T, (blasint)D, 1.0f, dO, (blasint)(H * D), heap + c->v + ko, (blasint)(KV * D), 0.0f, tmp, (blasint)T);
      // dS = P ∘ (dP − rowsum(dP ∘ P))
      for (int64_t i = 0; i < T; i++) {
        const float* pr_i = P + i * T;
        float* t_i = tmp + i * T;
        float dot = 0.0f;
        for (int64_t j = 0; j < T; j++) dot += t_i[j] * pr_i[j];
        for (int64_t j = 0; j < T; j++) t_i[j] = pr_i[j] * (t_i[j] - dot);
      }
      // dQ = scale · dS K ; dK += scale · dSᵀ Q
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)T, (blasint)D, (blasint)T, scale, tmp, (blasint)T, heap + c->k + ko, (blasint)(KV * D), 0.0f, heap + c->dq + qo, (blasint)(H * D));
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (blasint)T, (blasint)D, (blasint)T, scale, tmp, (blasint)T, heap + c->q + qo, (blasint)(H * D), 1.0f, heap + c->dk + ko, (blasint)(KV * D));
    }
  }
}

// attention(heap, q, k, v, mask, out, probs, B, T, H, KV, D, scale): causal softmax attention without a KV cache,
// reading q [B,T,H,D] and k, v [B,T,KV,D] in place (head j uses kv head j / (H/KV)); mask [B,T] (1 = real key)
// or −1 for none. probs [B,H,T,T] is kept for the gradient. Keys after the query or masked get probability 0.
static napi_value attention(napi_env env, napi_callback_info info) {
  napi_value a[13];
  Heap h;
  if (!read_args(env, info, 13, a, &h)) return NULL;
  int64_t q = arg_i64(env, a[1]), k = arg_i64(env, a[2]), v = arg_i64(env, a[3]), mk = arg_i64(env, a[4]), out = arg_i64(env, a[5]), pr = arg_i64(env, a[6]);
  int64_t B = arg_i64(env, a[7]), T = arg_i64(env, a[8]), H = arg_i64(env, a[9]), KV = arg_i64(env, a[10]), D = arg_i64(env, a[11]);
  float scale = (float)arg_f64(env, a[12]);
  if (B < 0 || T <= 0 || H <= 0 || KV <= 0 || D <= 0 || H % KV || !in_span(env, h, q, B * T * H * D, "attention: q") || !in_span(env, h, k, B * T * KV * D, "attention: k") ||
      !in_span(env, h, v, B * T * KV * D, "attention: v") || !in_span(env, h, out, B * T * H * D, "attention: out") || !in_span(env, h, pr, B * H * T * T, "attention: probs") ||
      (mk != -1 && !in_span(env, h, mk, B * T, "attention: mask"))) return NULL;
  AttnCtx c = { h.heap, q, k, v, mk, out, pr, 0, 0, 0, 0, NULL, T, H, KV, D, scale };
  par_for_blas(B * KV, 1, attention_chunk, &c);
  return NULL;
}

// attentionGrad(heap, q, k, v, probs, dout, dq, dk, dv, B, T, H, KV, D, scale)
static napi_value attention_grad(napi_env env, napi_callback_info info) {
  napi_value a[15];
  Heap h;
  if (!read_args(env, info, 15, a, &h)) return NULL;
  int64_t q = arg_i64(env, a[1]), k = arg_i64(env, a[2]), v = arg_i64(env, a[3]), pr = arg_i64(env, a[4]), dout = arg_i64(env, a[5]);
  int64_t dq = arg_i64(env, a[6]), dk = arg_i64(env, a[7]), dv = arg_i64(env, a[8]);
  int64_t B = arg_i64(env, a[9]), T = arg_i64(env, a[10]), H = arg_i64(env, a[11]), KV = arg_i64(env, a[12]), D = arg_i64(env, a[13]);
  float scale = (float)arg_f64(env, a[14]);
  if (B < 0 || T <= 0 || H <= 0 || KV <= 0 || D <= 0 || H % KV || !in_span(env, h, q, B * T * H * D, "attentionGrad: q") || !in_span(env, h, k, B * T * KV * D, "attentionGrad: k") ||
      !in_span(env, h, v, B * T * KV * D, "attentionGrad: v") || !in_span(env, h, pr, B * H * T * T, "attentionGrad: probs") || !in_span(env, h, dout, B * T * H * D, "attentionGrad: dout") ||
      !in_span(env, h, dq, B * T * H * D, "attentionGrad: dq") || !in_span(env, h, dk, B * T * KV * D, "attentionGrad: dk") || !in_span(env, h, dv, B * T * KV * D, "attentionGrad: dv")) return NULL;
  float* tmp = (float*)malloc(sizeof(float) * (size_t)(T * T) * (size_t)par_threads());
  if (!tmp) {
    napi_throw_error(env, NULL, "attentionGrad: out of memory");
    return NULL;
  }
  memset(h.heap + dk, 0, sizeof(float) * (size_t)(B * T * KV * D));
  memset(h.heap + dv, 0, sizeof(float) * (size_t)(B * T * KV * D));
  AttnCtx c = { h.heap, q, k, v, -1, 0, pr, dout, dq, dk, dv, tmp, T, H, KV, D, scale };
  par_for_blas(B * KV, 1, attention_grad_chunk, &c);
  free(tmp);
  return NULL;
}

static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value a[1];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  int64_t n = argc == 1 ? arg_i64(env, a[0]) : 1;
  if (n < 1) n = 1;
  openblas_set_num_threads((int)n);
  par_set_threads((int)n);
  return NULL;
}

static napi_value get_config(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value s;
  const char* cfg = openblas_get_config();
  CHECK(napi_create_string_utf8(env, cfg ? cfg : "unknown", NAPI_AUTO_LENGTH, &s));
  return s;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"sgemm", NULL, sgemm, NULL, NULL, NULL, napi_default, NULL},
    {"exp", NULL, vexp, NULL, NULL, NULL, napi_default, NULL},
    {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
    {"logSoftmaxPick", NULL, log_softmax_pick, NULL, NULL, NULL, napi_default, NULL},
    {"logSoftmaxPickGrad", NULL, log_softmax_pick_grad, NULL, NULL, NULL, napi_default, NULL},
    {"rope", NULL, rope, NULL, NULL, NULL, napi_default, NULL},
    {"swiglu", NULL, swiglu, NULL, NULL, NULL, napi_default, NULL},
    {"swigluGrad", NULL, swiglu_grad, NULL, NULL, NULL, napi_default, NULL},
    {"rmsNorm", NULL, rms_norm, NULL, NULL, NULL, napi_default, NULL},
    {"rmsNormGrad", NULL, rms_norm_grad, NULL, NULL, NULL, napi_default, NULL},
    {"embed", NULL, embed, NULL, NULL, NULL, napi_default, NULL},
    {"attention", NULL, attention, NULL, NULL, NULL, napi_default, NULL},
    {"attentionGrad", NULL, attention_grad, NULL, NULL, NULL, napi_default, NULL},
    {"embedGrad", NULL, embed_grad, NULL, NULL, NULL, napi_default, NULL},
    {"config", NULL, get_config, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return NULL;
  register_frozen_weights(env, exports);
  register_frozen_head(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
