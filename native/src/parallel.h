#pragma once
#include <stdint.h>
// A parallel for over [0, n) on the addon's threads (the count set with setThreads, as for OpenBLAS): chunks of at
// least `grain` items, the first on the calling thread. fn(ctx, begin, end, worker) with worker in [0, threads).
typedef void (*par_fn)(void* ctx, int64_t begin, int64_t end, int worker);
void par_set_threads(int n);
int par_threads(void);
void par_for(int64_t n, int64_t grain, par_fn fn, void* ctx);
// The same, with OpenBLAS held to one thread while it runs: for loops whose items call BLAS on small blocks, where
// one thread per item beats OpenBLAS splitting every small product across threads that must meet at a barrier.
void par_for_blas(int64_t n, int64_t grain, par_fn fn, void* ctx);
