#pragma once
#include <node_api.h>
#include <stdint.h>

enum { W_F32 = 0, W_BF16 = 1, W_F16 = 2 };
/** A frozen [rows, cols] weight in its stored precision, owned by the addon. */
typedef struct { void* data; int dtype; int64_t rows, cols; } Weight;

/** The weight behind a JS handle, or NULL with a RangeError thrown. */
Weight* frozen_lookup(napi_env env, napi_value v);
/** Rows [r0, r0+nr) of w as float32 [nr, cols]: a pointer into w itself when stored as F32, else widened into
 *  scratch (nr × cols floats) on the addon's threads. */
const float* frozen_rows_f32(const Weight* w, int64_t r0, int64_t nr, float* scratch);
/** Float32 rows of w per product tile: 4 MB of widened weight, kept in cache while sgemm streams activations past it. */
int64_t frozen_tile_rows(const Weight* w);

void register_frozen_weights(napi_env env, napi_value exports);
void register_frozen_head(napi_env env, napi_value exports);
