// N-API addon: OpenBLAS sgemm and a few float32 element-wise loops working in place on the tfjs wasm heap.
// Every function takes the heap as a Float32Array plus element offsets, so no tensor is ever copied.
// Offsets and sizes are checked against the heap length before any pointer is formed.
#include <node_api.h>
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "clinical_ft_blas: N-API call failed"); return NULL; } } while (0)

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
  for (int64_t b = 0; b < batch; b++) {
    float* C = heap + cOff + b * sC;
    if (K == 0) {
      for (int64_t i = 0; i < M; i++) {
        if (beta == 0.0f) memset(C + i * ldc, 0, sizeof(float) * (size_t)N);
        else for (int64_t j = 0; j < N; j++) C[i * ldc + j] *= beta;
      }
      continue;
    }
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (blasint)M, (blasint)N, (blasint)K, alpha,
                heap + aOff + b * sA, (blasint)lda, heap + bOff + b * sB, (blasint)ldb, beta, C, (blasint)ldc);
  }
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
  const float* x = heap + in;
  float* y = heap + out;
  for (int64_t i = 0; i < n; i++) y[i] = expf(x[i]);
  return NULL;
}

static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value a[1];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  int64_t n = argc == 1 ? arg_i64(env, a[0]) : 1;
  if (n < 1) n = 1;
  openblas_set_num_threads((int)n);
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
    {"config", NULL, get_config, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
