// Fork-join on plain pthreads: the kernels are called synchronously from the JS thread, one at a time, so a
// thread per chunk per call (tens of microseconds) is simpler than a pool and costs nothing next to the work,
// which the grains keep large enough.
#include <pthread.h>
#include <cblas.h>
#include "parallel.h"

static int threads = 1;

void par_set_threads(int n) { threads = n < 1 ? 1 : (n > 64 ? 64 : n); }
int par_threads(void) { return threads; }

typedef struct { par_fn fn; void* ctx; int64_t begin, end; int worker; } Chunk;

static void* run_chunk(void* p) {
  Chunk* c = (Chunk*)p;
  c->fn(c->ctx, c->begin, c->end, c->worker);
  return NULL;
}

void par_for(int64_t n, int64_t grain, par_fn fn, void* ctx) {
  if (n <= 0) return;
  if (grain < 1) grain = 1;
  int64_t k = n / grain;
  if (k > threads) k = threads;
  if (k <= 1) {
    fn(ctx, 0, n, 0);
    return;
  }
  Chunk chunks[64];
  pthread_t ids[64];
  int started[64] = {0};
  for (int64_t i = 0; i < k; i++) chunks[i] = (Chunk){ fn, ctx, n * i / k, n * (i + 1) / k, (int)i };
  for (int64_t i = 1; i < k; i++) started[i] = pthread_create(&ids[i], NULL, run_chunk, &chunks[i]) == 0;
  run_chunk(&chunks[0]);
  for (int64_t i = 1; i < k; i++) {
    if (started[i]) pthread_join(ids[i], NULL);
    else run_chunk(&chunks[i]);  // no thread to be had: the caller does it
  }
}

void par_for_blas(int64_t n, int64_t grain, par_fn fn, void* ctx) {
  int64_t k = grain < 1 ? n : n / grain;
  if (threads <= 1 || k <= 1) {
    par_for(n, grain, fn, ctx);
    return;
  }
  openblas_set_num_threads(1);
  par_for(n, grain, fn, ctx);
  openblas_set_num_threads(threads);
}
