#pragma once
#include <node_api.h>
void register_frozen_weights(napi_env env, napi_value exports);
