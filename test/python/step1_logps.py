"""What TRL's ORPO and CPO (SimPO) trainers compute from the starting policy, computed here with transformers + PEFT.

Usage: python step1_logps.py SPECS_JSON, a list of {"model", "adapter" (optional: merged into the base, as the job
does), "prompt", "answers": [...]}. For each answer, tokenized as their tokenize_row does (prompt and prompt+answer
without special tokens, BOS before the prompt, EOS after the answer), prints the mean log-prob of the answer tokens
(TRL's average_log_prob logps) and the mean NLL over every token after the first (ORPO's nll_loss, over prompt and
answer). One JSON line: [[{"logp", "nll", "tokens"}, ...], ...].
"""
import json
import sys

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

with open(sys.argv[1], encoding="utf-8") as f:
    specs = json.load(f)

out = []
for spec in specs:
    tok = AutoTokenizer.from_pretrained(spec["model"])
    model = AutoModelForCausalLM.from_pretrained(spec["model"], torch_dtype=torch.float32)
    if spec.get("adapter"):
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, spec["adapter"]).merge_and_unload()
    model.eval()
    rows = []
    for answer in spec["answers"]:
        prompt_ids = tok(spec["prompt"], add_special_tokens=False)["input_ids"]
        full = tok(spec["prompt"] + answer, add_special_tokens=False)["input_ids"]
        assert full[: len(prompt_ids)] == prompt_ids, "the prompt's tokens change when the answer follows"
        bos = [tok.bos_token_id] if tok.bos_token_id is not None and (not prompt_ids or prompt_ids[0] != tok.bos_token_id) else []
        prompt = bos + prompt_ids
        ids = prompt + full[len(prompt_ids):] + [tok.eos_token_id]
        with torch.no_grad():
            logits = model(torch.tensor([ids])).logits[0].double()
        lp = torch.log_softmax(logits[:-1], dim=-1).gather(1, torch.tensor(ids[1:]).unsqueeze(1)).squeeze(1)
        answer_lp = lp[len(prompt) - 1:]
        rows.append({"logp": answer_lp.mean().item(), "nll": -lp.mean().item(), "tokens": len(ids)})
    out.append(rows)
print(json.dumps(out))
