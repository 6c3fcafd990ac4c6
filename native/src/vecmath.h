// Shared by the addon's float32 loops: multi-ISA builds, a fast expf and the row reductions of log-softmax. Each
// file that includes it gets its own copies (static), so the loops stay inlinable where they are used.
#pragma once
#include <stdint.h>

// Built for several ISAs (GCC target_clones picks AVX-512, AVX2 or baseline SSE at load time), so one binary runs
// on any x86-64 and uses the wide units where they exist. fexp is Cephes' expf polynomial (~2 ulp), branch-free.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define MULTIVERSION __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MULTIVERSION
#endif

static inline float fexp(float x) {
  x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
  float k = __builtin_rintf(x * 1.44269504088896341f);
  float r = x - k * 0.693359375f + k * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  union { int32_t i; float f; } u;
  u.i = ((int32_t)k + 127) << 23;
  return p * u.f;
}

// Reductions keep 16 partial results so the compiler can vectorise them without -ffast-math reassociation.
MULTIVERSION __attribute__((unused)) static float row_max(const float* x, int64_t n) {
  float acc[16];
  for (int j = 0; j < 16; j++) acc[j] = x[0];
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int j = 0; j < 16; j++) acc[j] = x[i + j] > acc[j] ? x[i + j] : acc[j];
  float m = acc[0];
  for (int j = 1; j < 16; j++) m = acc[j] > m ? acc[j] : m;
  for (; i < n; i++) m = x[i] > m ? x[i] : m;
  return m;
}

MULTIVERSION __attribute__((unused)) static float row_sum_exp(const float* x, int64_t n, float shift) {
  float acc[16] = {0};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int j = 0; j < 16; j++) acc[j] += fexp(x[i + j] - shift);
  float s = 0.0f;
  for (int j = 0; j < 16; j++) s += acc[j];
  for (; i < n; i++) s += fexp(x[i] - shift);
  return s;
}

MULTIVERSION __attribute__((unused)) static void row_neg_softmax_scaled(const float* x, float* y, int64_t n, float lse, float g) {
  for (int64_t i = 0; i < n; i++) y[i] = -g * fexp(x[i] - lse);
}
