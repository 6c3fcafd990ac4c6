// The LM head fused with log-softmax and the target pick, on a frozen weight W [V, H] held by the addon:
// log p(t_i | h_i) for all N rows without ever holding [N, V] logits. The vocabulary is walked in weight tiles,
// each widened once per pass and multiplied with every row at once (a tall product sgemm runs near its peak),
// while a running max and sum of exponentials per row give logsumexp. The backward pass walks the tiles again:
// logits of the tile, dy·(onehot − softmax), and that tile's share of dh = dlogits·W.
// Per-row chunking of the logits instead (small products, the whole weight widened and packed once per chunk)
// cost ~3× in sgemm efficiency on Qwen2.5-0.5B's 152k vocabulary.
#include <node_api.h>
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "frozen_weights.h"
#include "parallel.h"
#include "vecmath.h"

/** Rows of the logits tile per block: bounds the scratch (block × tile floats) whatever the batch. */
static const int64_t MAX_TILE_FLOATS_PER_BLOCK = 1 << 24;

typedef struct {
  float* S;               // logits tile [rows, nv], rows ld apart
  int64_t nv, v0, row0;   // tile width, its first vocabulary id, the block's first row
  int64_t ld;             // row stride of S
  const int32_t* tg;      // targets of all rows
  float *m, *s, *pick;    // forward: running max, sum of exp(· − max), target logit (per row of the block)
  const float *lse, *dy;  // backward
} TileCtx;

static void forward_rows(void* p, int64_t b, int64_t e, int worker) {
  (void)worker;
  TileCtx* c = (TileCtx*)p;
  for (int64_t r = b; r < e; r++) {
    const float* row = c->S + r * c->ld;
    float tm = row_max(row, c->nv), m = c->m[r];
    float mn = tm > m ? tm : m;
    // exp(−inf) is 0: the first tile replaces the empty start.
    c->s[r] = (m == -INFINITY ? 0.0f : c->s[r] * expf(m - mn)) + row_sum_exp(row, c->nv, mn);
    c->m[r] = mn;
    int64_t k = (int64_t)c->tg[c->row0 + r] - c->v0;
    if (k >= 0 && k < c->nv) c->pick[r] = row[k];
  }
}

static void backward_rows(void* p, int64_t b, int64_t e, int worker) {
  (void)worker;
  TileCtx* c = (TileCtx*)p;
  for (int64_t r = b; r < e; r++) {
    float* row = c->S + r * c->ld;
    // No dy (training forward): the unscaled onehot − softmax, which the backward pass scales by dy per row.
    float g = c->dy ? c->dy[c->row0 + r] : 1.0f;
    row_neg_softmax_scaled(row, row, c->nv, c->lse[c->row0 + r], g);
    int64_t k = (int64_t)c->tg[c->row0 + r] - c->v0;
    if (k >= 0 && k < c->nv) row[k] += g;
  }
}

typedef struct { float* heap; int64_t len; } Heap;

static int head_args(napi_env env, napi_callback_info info, size_t want, napi_value* a, Heap* h, Weight** w) {
  size_t argc = want;
  napi_typedarray_type type;
  size_t length, off;
  void* ptr;
  napi_value ab;
  if (napi_get_cb_info(env, info, &argc, a, NULL, NULL) != napi_ok || argc != want ||
      napi_get_typedarray_info(env, a[0], &type, &length, &ptr, &ab, &off) != napi_ok || type != napi_float32_array) {
    napi_throw_type_error(env, NULL, "frozen head: expected (heap Float32Array, handle, offsets…)");
    return 0;
  }
  h->heap = (float*)ptr;
  h->len = (int64_t)length;
  *w = frozen_lookup(env, a[1]);
  return *w != NULL;
}

static int64_t i64(napi_env env, napi_value v) {
  int64_t x = 0;
  napi_get_value_int64(env, v, &x);
  return x;
}

static int span(napi_env env, Heap h, int64_t off, int64_t n, const char* what) {
  if (off < 0 || n < 0 || off + n > h.len) {
    napi_throw_range_error(env, NULL, what);
    return 0;
  }
  return 1;
}

/** Scratch for one pass: the widened tile and the logits of one block of rows against it. */
typedef struct { float *tile, *S; int64_t nv, rows; } Scratch;

static int scratch_for(napi_env env, const Weight* w, int64_t N, Scratch* s) {
  s->nv = frozen_tile_rows(w);
  s->rows = MAX_TILE_FLOATS_PER_BLOCK / s->nv;
  if (s->rows > N) s->rows = N;
  if (s->rows < 1) s->rows = 1;
  s->tile = w->dtype == W_F32 ? NULL : (float*)malloc(sizeof(float) * (size_t)(s->nv * w->cols));
  s->S = (float*)malloc(sizeof(float) * (size_t)(s->rows * s->nv));
  if ((w->dtype != W_F32 && !s->tile) || !s->S) {
    free(s->tile);
    free(s->S);
    napi_throw_error(env, "ENOMEM", "frozen head: out of memory");
    return 0;
  }
  return 1;
}

static void scratch_free(Scratch* s) {
  free(s->tile);
  free(s->S);
}

// headLogprobs(heap, handle, h, targets(int32), lp, lse, N): lp[i] = h[i]·W[t_i] − lse[i], lse[i] = logsumexp_j h[i]·W[j].
static napi_value head_logprobs(napi_env env, napi_callback_info info) {
  napi_value a[7];
  Heap h;
  Weight* w;
  if (!head_args(env, info, 7, a, &h, &w)) return NULL;
  int64_t x = i64(env, a[2]), t = i64(env, a[3]), lp = i64(env, a[4]), lse = i64(env, a[5]), N = i64(env, a[6]);
  int64_t V = w->rows, H = w->cols;
  if (N < 0 || N > INT32_MAX || !span(env, h, x, N * H, "headLogprobs: h") || !span(env, h, t, N, "headLogprobs: targets") ||
      !span(env, h, lp, N, "headLogprobs: lp") || !span(env, h, lse, N, "headLogprobs: lse")) return NULL;
  if (N == 0) return NULL;
  Scratch sc;
  if (!scratch_for(env, w, N, &sc)) return NULL;
  float* rowState = (float*)malloc(sizeof(float) * 3 * (size_t)sc.rows);
  if (!rowState) {
    scratch_free(&sc);
    napi_throw_error(env, "ENOMEM", "frozen head: out of memory");
    return NULL;
  }
  const int32_t* tg = (const int32_t*)h.heap + t;
  for (int64_t r0 = 0; r0 < N; r0 += sc.rows) {
    int64_t nb = N - r0 < sc.rows ? N - r0 : sc.rows;
    TileCtx c = { sc.S, 0, 0, r0, 0, tg, rowState, rowState + sc.rows, rowState + 2 * sc.rows, NULL, NULL };
    for (int64_t i = 0; i < nb; i++) {
      c.m[i] = -INFINITY;
      c.s[i] = 0.0f;
      c.pick[i] = NAN;
    }
    for (int64_t v0 = 0; v0 < V; v0 += sc.nv) {
      int64_t nv = V - v0 < sc.nv ? V - v0 : sc.nv;
      const float* T = frozen_rows_f32(w, v0, nv, sc.tile);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (blasint)nb, (blasint)nv, (blasint)H, 1.0f, h.heap + x + r0 * H, (blasint)H, T, (blasint)H, 0.0f, sc.S, (blasint)nv);
      c.nv = nv;
      c.ld = nv;
      c.v0 = v0;
      par_for(nb, 1 + (1 << 16) / nv, forward_rows, &c);
    }
    for (int64_t i = 0; i < nb; i++) {
      float l = c.m[i] + logf(c.s[i]);
      h.heap[lse + r0 + i] = l;
      // A target outside the vocabulary never matched a tile: NaN, as the unfused kernel gives.
      h.heap[lp + r0 + i] = c.pick[i] - l;
    }
  }
  free(rowState);
  scratch_free(&sc);
  return NULL;
}

/**
 * Logits kept per block of rows by the training forward (1 GiB): a whole Qwen2.5-0.5B batch of 4 × 256 in one block.
 * Larger batches × vocabularies run in several blocks, each widening the weight twice.
 */
static int64_t keep_logit_floats = (int64_t)1 << 28;

static int64_t head_keep_rows(int64_t V, int64_t N) {
  int64_t blocks = (N * V + keep_logit_floats - 1) / keep_logit_floats;
  if (blocks < 1) blocks = 1;
  return (N + blocks - 1) / blocks;
}

/**
 * The kept logits (hundreds of MB, every training step): on 2 MB pages where the kernel offers them, which cuts the
 * page faults of touching a fresh buffer each step ~500-fold (measured: 0.4 of 5.5 CPU-s on Qwen2.5-0.5B's head).
 */
static float* kept_logits(int64_t n) {
  size_t bytes = ((size_t)n * sizeof(float) + (2u << 20) - 1) / (2u << 20) * (2u << 20);
  float* p = (float*)aligned_alloc(2u << 20, bytes);
#ifdef MADV_HUGEPAGE
  if (p) madvise(p, bytes, MADV_HUGEPAGE);
#endif
  return p;
}

// headLogprobsTrain(heap, handle, h, targets, lp, lse, g, N): headLogprobs, and g[i] = Σ_j ([j = t_i] − softmax_ij)·W[j]
// (the input gradient for dy = 1), so the backward pass is dh = dy·g per row. The logits of a block of rows are
// kept between the two walks over the vocabulary instead of being computed again in the backward pass: two
// products of [N, V, H] per step instead of three, for N·V floats of native memory while the call runs.
static napi_value head_logprobs_train(napi_env env, napi_callback_info info) {
  napi_value a[8];
  Heap h;
  Weight* w;
  if (!head_args(env, info, 8, a, &h, &w)) return NULL;
  int64_t x = i64(env, a[2]), t = i64(env, a[3]), lp = i64(env, a[4]), lse = i64(env, a[5]), g = i64(env, a[6]), N = i64(env, a[7]);
  int64_t V = w->rows, H = w->cols;
  if (N < 0 || N > INT32_MAX || !span(env, h, x, N * H, "headLogprobsTrain: h") || !span(env, h, t, N, "headLogprobsTrain: targets") ||
      !span(env, h, lp, N, "headLogprobsTrain: lp") || !span(env, h, lse, N, "headLogprobsTrain: lse") || !span(env, h, g, N * H, "headLogprobsTrain: g")) return NULL;
  if (N == 0) return NULL;
  int64_t nvTile = frozen_tile_rows(w), rows = head_keep_rows(V, N);
  float* tile = w->dtype == W_F32 ? NULL : (float*)malloc(sizeof(float) * (size_t)(nvTile * H));
  float* L = kept_logits(rows * V);
  float* rowState = (float*)malloc(sizeof(float) * 3 * (size_t)rows);
  if ((w->dtype != W_F32 && !tile) || !L || !rowState) {
    free(tile);
    free(L);
    free(rowState);
    napi_throw_error(env, "ENOMEM", "frozen head: out of memory");
    return NULL;
  }
  const int32_t* tg = (const int32_t*)h.heap + t;
  for (int64_t r0 = 0; r0 < N; r0 += rows) {
    int64_t nb = N - r0 < rows ? N - r0 : rows;
    const float* X = h.heap + x + r0 * H;
    TileCtx c = { NULL, 0, 0, r0, V, tg, rowState, rowState + rows, rowState + 2 * rows, NULL, NULL };
    for (int64_t i = 0; i < nb; i++) {
      c.m[i] = -INFINITY;
      c.s[i] = 0.0f;
      c.pick[i] = NAN;
    }
    for (int64_t v0 = 0; v0 < V; v0 += nvTile) {
      int64_t nv = V - v0 < nvTile ? V - v0 : nvTile;
      const float* T = frozen_rows_f32(w, v0, nv, tile);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (blasint)nb, (blasint)nv, (blasint)H, 1.0f, X, (blasint)H, T, (blasint)H, 0.0f, L + v0, (blasint)V);
      c.S = L + v0;
      c.nv = nv;
      c.v0 = v0;
      par_for(nb, 1 + (1 << 16) / nv, forward_rows, &c);
    }
    for (int64_t i = 0; i < nb; i++) {
      float l = c.m[i] + logf(c.s[i]);
      h.heap[lse + r0 + i] = l;
      h.heap[lp + r0 + i] = c.pick[i] - l;
    }
    // Second walk: the kept logits become onehot − softmax in place, and each tile adds its share of g.
    TileCtx b = { NULL, 0, 0, r0, V, tg, NULL, NULL, NULL, h.heap + lse, NULL };
    for (int64_t v0 = 0; v0 < V; v0 += nvTile) {
      int64_t nv = V - v0 < nvTile ? V - v0 : nvTile;
      const float* T = frozen_rows_f32(w, v0, nv, tile);
      b.S = L + v0;
      b.nv = nv;
      b.v0 = v0;
      par_for(nb, 1 + (1 << 16) / nv, backward_rows, &b);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)nb, (blasint)H, (blasint)nv, 1.0f, L + v0, (blasint)V, T, (blasint)H, v0 == 0 ? 0.0f : 1.0f, h.heap + g + r0 * H, (blasint)H);
    }
  }
  free(rowState);
  free(L);
  free(tile);
  return NULL;
}

// headKeepFloats(n): the kept-logits budget per block (tests force several blocks on small shapes); 0 restores it.
static napi_value head_keep_floats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value a[1];
  if (napi_get_cb_info(env, info, &argc, a, NULL, NULL) != napi_ok || argc != 1) return NULL;
  int64_t n = i64(env, a[0]);
  keep_logit_floats = n > 0 ? n : (int64_t)1 << 28;
  return NULL;
}

void register_frozen_head(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"headLogprobs", NULL, head_logprobs, NULL, NULL, NULL, napi_default, NULL},
    {"headLogprobsTrain", NULL, head_logprobs_train, NULL, NULL, NULL, napi_default, NULL},
    {"headKeepFloats", NULL, head_keep_floats, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
