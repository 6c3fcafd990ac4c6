// Shared by the addon's float32 loops: multi-ISA builds and a fast expf. Each file that includes it gets its own
// copies (static), so the loops stay inlinable where they are used.
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
