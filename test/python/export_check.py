"""The export stage's judges. Usage:
  python export_check.py hf BASE ADAPTER MERGED IDS_JSON
      transformers + PEFT on BASE + ADAPTER versus transformers on the MERGED folder: full-vocabulary
      log-softmax at every position of IDS; prints {"max_abs_logprob_diff", "adapter_effect", "dtype"}.
  python export_check.py gguf FILE IDS_JSON TEXT
      llama-cpp-python (logits_all=True) evaluates IDS; gguf's reader reads the metadata back; prints
      {"logprobs": [[full-vocab log-softmax per position]], "tokens": llama.cpp's tokens of TEXT, "metadata": {...}}."""
import json
import sys

import numpy as np


def log_softmax(x):
    x = np.asarray(x, dtype=np.float64)
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


def hf(base, adapter, merged, ids):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    t = torch.tensor([ids])
    with torch.no_grad():
        plain = AutoModelForCausalLM.from_pretrained(base, torch_dtype=torch.float32)
        base_lp = log_softmax(plain(t).logits[0].numpy())
        peft_model = PeftModel.from_pretrained(plain, adapter)
        ref = log_softmax(peft_model(t).logits[0].numpy())
        m = AutoModelForCausalLM.from_pretrained(merged, torch_dtype="auto")
        dtype = m.dtype
        got = log_softmax(m.float()(t).logits[0].numpy())
        # The dtype's precision, as PEFT defines a merge: merge_and_unload in float32, each weight rounded once
        # to the dtype (parameters only: casting the module would also round RoPE's inv_freq buffer).
        rounded = peft_model.merge_and_unload()
        for p in rounded.parameters():
            p.data = p.data.to(dtype).float()
        ref_rounded = log_softmax(rounded(t).logits[0].numpy())
    print(json.dumps({
        "dtype": str(dtype),
        "max_abs_logprob_diff": float(np.abs(got - ref).max()),
        "max_abs_logprob_diff_vs_rounded_merge": float(np.abs(got - ref_rounded).max()),
        "adapter_effect": float(np.abs(ref - base_lp).max()),
    }))


def gguf_file(path, ids, text):
    import gguf
    import llama_cpp
    import llama_cpp.llama as llama_module
    from llama_cpp import Llama

    # llama-cpp-python 0.3.36's CPU weight repacking (the "extra buffer types") segfaults on q8_0 weights on
    # this AVX-512 machine — also for a q8_0 file written by llama.cpp's own gguf-py from the same tensors —
    # while plain ggml kernels read both fine. Repacking only reorders weights for speed; it is turned off.
    default_params = llama_cpp.llama_cpp.llama_model_default_params

    def params_without_repack():
        p = default_params()
        p.use_extra_bufts = False
        return p

    llama_module.llama_cpp.llama_model_default_params = params_without_repack
    llm = Llama(model_path=path, logits_all=True, n_ctx=max(64, len(ids) + 8), n_threads=2, n_batch=len(ids) + 8, verbose=False, seed=0)
    llm.eval(ids)
    scores = np.array(llm.scores[: len(ids)])
    tokens = llm.tokenize(text.encode("utf-8"), add_bos=True, special=False)
    reader = gguf.GGUFReader(path)
    meta = {}
    for key, field in reader.fields.items():
        if key.startswith("GGUF."):
            continue
        v = field.contents()
        meta[key] = v if not isinstance(v, list) or len(v) <= 8 else {"len": len(v), "head": v[:8]}
    types = {t.name: t.tensor_type.name for t in reader.tensors}
    print(json.dumps({"logprobs": log_softmax(scores).tolist(), "tokens": tokens, "metadata": meta, "tensor_types": types}))


if __name__ == "__main__":
    if sys.argv[1] == "hf":
        hf(sys.argv[2], sys.argv[3], sys.argv[4], json.loads(sys.argv[5]))
    else:
        gguf_file(sys.argv[2], json.loads(sys.argv[3]), sys.argv[4])
