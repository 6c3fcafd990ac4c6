"""Log-probs of the same ids under transformers + PEFT, compared with `clinical-ft score` output.

Usage: python compare_logprobs.py SCORE_JSON MODEL_DIR ADAPTER_DIR TEXT
Prints one JSON line: {"maxdiff": d, "adapter_effect": e, "same_ids": bool}; adapter_effect is the largest
change the adapter makes to any log-prob (so a test can tell a trained adapter from an ignored one).
"""
import json
import sys

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

score_path, model_dir, adapter_dir, text = sys.argv[1:5]
with open(score_path, encoding="utf-8") as f:
    ours = json.load(f)
ids = torch.tensor([ours["tokens"]])
tok = AutoTokenizer.from_pretrained(model_dir)


def logprobs(model):
    with torch.no_grad():
        lp = torch.log_softmax(model(ids).logits.float(), -1)[0]
    return [lp[i - 1, ids[0, i]].item() for i in range(1, ids.shape[1])]


base = AutoModelForCausalLM.from_pretrained(model_dir, torch_dtype=torch.float32).eval()
base_lp = logprobs(base)
tuned = PeftModel.from_pretrained(base, adapter_dir).eval()
ref = logprobs(tuned)
print(json.dumps({
    "maxdiff": max(abs(a - b) for a, b in zip(ref, ours["logprobs"][1:])),
    "adapter_effect": max(abs(a - b) for a, b in zip(ref, base_lp)),
    "same_ids": tok(text).input_ids == ours["tokens"],
}))
