"""TRL's own KTO, ORPO and SimPO loss functions on given log-probs, to compare with the built-in engine's.

Usage: python trl_preference_losses.py CASES_JSON
CASES_JSON holds {"kto": [...], "orpo": [...], "simpo": [...]} cases (log-probs and hyperparameters). The trainers'
loss methods are called unbound on a stand-in `self` carrying only what they read, so no model is loaded.
Prints one JSON line with TRL's results per case, in order.
"""
import json
import sys
from types import SimpleNamespace

import torch
from trl.trainer.cpo_trainer import CPOTrainer
from trl.trainer.kto_trainer import KTOTrainer
from trl.trainer.orpo_trainer import ORPOTrainer

accelerator = SimpleNamespace(device="cpu", gather_for_metrics=lambda t: t)
t = lambda xs: torch.tensor(xs, dtype=torch.float64)

with open(sys.argv[1], encoding="utf-8") as f:
    cases = json.load(f)

out = {"kto": [], "orpo": [], "simpo": []}
for c in cases["kto"]:
    me = SimpleNamespace(calculate_KL=True, accelerator=accelerator, loss_type="kto", beta=c["beta"],
                         desirable_weight=c["desirable_weight"], undesirable_weight=c["undesirable_weight"])
    losses, chosen_rewards, rejected_rewards, kl = KTOTrainer.kto_loss(
        me, t(c["policy_chosen"]), t(c["policy_rejected"]), t(c["policy_kl"]),
        t(c["ref_chosen"]), t(c["ref_rejected"]), t(c["ref_kl"]))
    out["kto"].append({"loss": losses.nanmean().item(), "kl": float(kl), "chosen_rewards": chosen_rewards.tolist(),
                       "rejected_rewards": rejected_rewards.tolist()})
for c in cases["orpo"]:
    me = SimpleNamespace(beta=c["beta"], accelerator=accelerator)
    losses, chosen_rewards, rejected_rewards, ratio, log_odds = ORPOTrainer.odds_ratio_loss(me, t(c["chosen"]), t(c["rejected"]))
    # get_batch_loss_metrics: loss = policy_nll_loss - losses.mean()
    out["orpo"].append({"loss": c["nll"] - losses.mean().item(), "log_odds_ratio": ratio.item(), "log_odds_chosen": log_odds.item(),
                        "chosen_rewards": chosen_rewards.tolist(), "rejected_rewards": rejected_rewards.tolist()})
for c in cases["simpo"]:
    me = SimpleNamespace(beta=c["beta"], simpo_gamma=c["gamma"], loss_type="simpo", label_smoothing=0.0, accelerator=accelerator)
    losses, chosen_rewards, rejected_rewards = CPOTrainer.cpo_loss(me, t(c["chosen"]), t(c["rejected"]))
    out["simpo"].append({"loss": losses.mean().item(), "chosen_rewards": chosen_rewards.tolist(), "rejected_rewards": rejected_rewards.tolist()})
print(json.dumps(out))
