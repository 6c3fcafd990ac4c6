"""Tiny random Qwen3 and Gemma 3 models built and scored by transformers itself (the judge of the engine's
family conventions). Usage: python hf_families.py OUT_DIR
Writes OUT_DIR/<case>/ (config.json + model.safetensors via save_pretrained) and OUT_DIR/expected.json:
{"versions": {...}, "cases": {name: {"ids": [[...], ...], "logprobs": [[null, lp1, ...], ...]}},
 "embeddings": {"ids": [...], "bf16": [[...]...]}} where embeddings are Gemma's scaled embedding output of
a bf16 checkpoint run in bf16 (embed_scale cast to the weight dtype)."""
import json
import math
import os
import sys

import torch
import transformers
from transformers import Gemma3ForCausalLM, Gemma3TextConfig, Qwen3Config, Qwen3ForCausalLM

torch.manual_seed(0)
out_dir = sys.argv[1]
VOCAB = 300  # >= the 259 tokens of the byte-level test tokenizer the engine side adds

COMMON = dict(vocab_size=VOCAB, max_position_embeddings=512, rms_norm_eps=1e-6, bos_token_id=0, eos_token_id=1, pad_token_id=2)
CASES = {
    "qwen3": (Qwen3ForCausalLM, Qwen3Config, dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                                                  num_key_value_heads=2, head_dim=12, rope_theta=1e6, tie_word_embeddings=False)),
    "qwen3-sliding-bias-tied": (Qwen3ForCausalLM, Qwen3Config, dict(hidden_size=32, intermediate_size=64, num_hidden_layers=3, num_attention_heads=4,
                                                                    num_key_value_heads=1, head_dim=16, attention_bias=True, use_sliding_window=True,
                                                                    sliding_window=5, max_window_layers=1, tie_word_embeddings=True)),
    "gemma3": (Gemma3ForCausalLM, Gemma3TextConfig, dict(hidden_size=48, intermediate_size=96, num_hidden_layers=3, num_attention_heads=4,
                                                         num_key_value_heads=2, head_dim=16, query_pre_attn_scalar=24, sliding_window=6,
                                                         sliding_window_pattern=2, rope_theta=1e6, rope_local_base_freq=1e4)),
    "gemma3-softcap-untied": (Gemma3ForCausalLM, Gemma3TextConfig, dict(hidden_size=48, intermediate_size=96, num_hidden_layers=4, num_attention_heads=2,
                                                                        num_key_value_heads=1, head_dim=32, query_pre_attn_scalar=32, sliding_window=7,
                                                                        sliding_window_pattern=3, rope_theta=5e5, rope_local_base_freq=2e4,
                                                                        attn_logit_softcapping=2.0, final_logit_softcapping=3.0,
                                                                        tie_word_embeddings=False)),
}


def spread_weights(model, gemma):
    """transformers initialises N(0, 0.02): near-uniform predictions hide convention errors. Use O(1) activations."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.normal_(0.0 if gemma else 1.0, 0.3 if gemma else 0.1)
            elif "embed_tokens" in name:
                p.normal_(0.0, 1.0 if not gemma else 0.3)
            elif name.endswith("bias"):
                p.normal_(0.0, 0.3)
            else:
                p.normal_(0.0, 1.5 / math.sqrt(p.shape[1]))


def logprobs(model, ids):
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0].double()
    lp = torch.log_softmax(logits, dim=-1)
    return [None] + [lp[t, ids[t + 1]].item() for t in range(len(ids) - 1)]


result = {"versions": {"torch": torch.__version__, "transformers": transformers.__version__}, "cases": {}}
gen = torch.Generator().manual_seed(1)
seqs = [[0] + torch.randint(3, VOCAB, (n,), generator=gen).tolist() for n in (23, 31)]
for name, (model_cls, config_cls, kw) in CASES.items():
    config = config_cls(**COMMON, **kw)
    config._attn_implementation = "eager"
    model = model_cls(config).float().eval()
    spread_weights(model, model_cls is Gemma3ForCausalLM)
    path = os.path.join(out_dir, name)
    model.save_pretrained(path, safe_serialization=True)
    # Score the saved files, as the engine will.
    reloaded = model_cls.from_pretrained(path, torch_dtype=torch.float32, attn_implementation="eager").eval()
    result["cases"][name] = {"ids": seqs, "logprobs": [logprobs(reloaded, s) for s in seqs]}

# Gemma's scaled embedding of a bf16 checkpoint, run in bf16 as transformers loads it by default.
path = os.path.join(out_dir, "gemma3-bf16")
config = Gemma3TextConfig(**COMMON, **CASES["gemma3"][2])
model = Gemma3ForCausalLM(config)
spread_weights(model, True)
model.to(torch.bfloat16).save_pretrained(path, safe_serialization=True)
bf16 = Gemma3ForCausalLM.from_pretrained(path, torch_dtype=torch.bfloat16).eval()
with torch.no_grad():
    emb = bf16.model.embed_tokens(torch.tensor([seqs[0]]))[0].float()
result["embeddings"] = {"ids": seqs[0], "bf16": emb.tolist()}

with open(os.path.join(out_dir, "expected.json"), "w") as f:
    json.dump(result, f)
print(json.dumps(result["versions"]))
