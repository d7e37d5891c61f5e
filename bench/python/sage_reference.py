#!/usr/bin/env python3
"""The PyTorch reference for bench/rl_bench.cpp: the same generative recommender, the same rollout
and the same SAGE update, written the way a PyTorch user would write them (python3-torch from
Debian: the same LibTorch version and BLAS as the C++ build). bench/sections/10-rl.sh runs both
alternately and prints the ratios.

Mirrors core/model/transformer_model.cpp (pre-LayerNorm decoder, token + item-position + level
embeddings, output tied to the token embedding), core/model/generative_policy.cpp (KV-cached
constrained sampling over item ids, batched log-probabilities under the same masks),
core/rewards/advantage_estimator.cpp (decoupled advantages) and core/objectives/sage_objective.cpp
(SAGE's GBPO-native bounds, SAGE.md 4.5), with the k3 KL to a frozen reference computed as the
trainer logs it. Prints one JSON object with the same keys as sage_rl_bench.
"""
import argparse
import copy
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

CATEGORIES = 24
EXAMINATION = 0.85
EPSILON = 1e-6
TIED_STD = 1e-8


class Block(nn.Module):
    def __init__(self, d, heads, ff):
        super().__init__()
        self.heads = heads
        self.norm1, self.norm2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.out = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.up, self.down = nn.Linear(d, ff), nn.Linear(ff, d)

    def forward(self, x, attendable, cache=None):
        b, t, d = x.shape
        qkv = self.qkv(self.norm1(x)).view(b, t, 3, self.heads, d // self.heads)
        q, k, v = (qkv[:, :, i].transpose(1, 2) for i in range(3))
        if cache is not None:
            if cache[0] is not None:
                k = torch.cat([cache[0], k], 2)
                v = torch.cat([cache[1], v], 2)
            cache[0], cache[1] = k, v
        scores = q @ k.transpose(-2, -1) / math.sqrt(d // self.heads)
        scores = scores.masked_fill(~attendable.unsqueeze(1), float("-inf"))
        mixed = (torch.softmax(scores, -1) @ v).transpose(1, 2).reshape(b, t, d)
        h = x + self.out(mixed)
        return h + self.down(F.gelu(self.up(self.norm2(h))))


class Transformer(nn.Module):
    def __init__(self, vocabulary, max_positions, d, layers, heads, ff):
        super().__init__()
        self.tokens = nn.Embedding(vocabulary, d)
        self.positions = nn.Embedding(max_positions, d)
        self.levels = nn.Embedding(2, d)
        self.blocks = nn.ModuleList(Block(d, heads, ff) for _ in range(layers))
        self.final_norm = nn.LayerNorm(d)
        self.output_bias = nn.Parameter(torch.zeros(vocabulary))
        with torch.no_grad():
            for table in (self.tokens, self.positions, self.levels):
                table.weight.normal_(0.0, 0.02)

    def forward(self, tokens, positions, levels, valid, cache=None):
        """cache: {"keys": [[k, v] per layer], "valid": [B, T] or None}."""
        length = tokens.shape[1]
        x = self.tokens(tokens) + self.positions(positions) + self.levels(levels)
        cached = cache["valid"].shape[1] if cache is not None and cache["valid"] is not None else 0
        key_valid = torch.cat([cache["valid"], valid], 1) if cached else valid
        query = torch.arange(length).unsqueeze(1) + cached
        key = torch.arange(cached + length).unsqueeze(0)
        attendable = (key_valid.unsqueeze(1) & key.le(query).unsqueeze(0)) | key.eq(query).unsqueeze(0)
        for i, block in enumerate(self.blocks):
            x = block(x, attendable, cache["keys"][i] if cache is not None else None)
        if cache is not None:
            cache["valid"] = key_valid
        return self.final_norm(x)

    def logits(self, hidden):
        return hidden @ self.tokens.weight.t() + self.output_bias


class Policy:
    """Item-ID action space: token = item, BOS = items; a slate continues the history."""

    def __init__(self, items, history, slate, d, layers, heads, ff):
        self.items, self.history, self.slate = items, history, slate
        self.model = Transformer(items + 1, history + slate + 2, d, layers, heads, ff)

    def encode(self, histories):
        rows = len(histories)
        longest = max(min(self.history, len(h)) for h in histories)
        length = 1 + longest
        tokens = torch.full((rows, length), self.items, dtype=torch.long)
        positions = torch.zeros((rows, length), dtype=torch.long)
        levels = torch.ones((rows, length), dtype=torch.long)
        valid = torch.zeros((rows, length), dtype=torch.bool)
        for r, h in enumerate(histories):
            take = h[-self.history:]
            start = length - 1 - len(take)
            valid[r, start:] = True
            tokens[r, start + 1:] = torch.tensor(take)
            positions[r, start + 1:] = torch.arange(1, len(take) + 1)
            levels[r, start + 1:] = 0
        return tokens, positions, levels, valid

    def allowed_next(self, chosen):
        allowed = torch.zeros((chosen.shape[0], self.items + 1), dtype=torch.bool)
        allowed[:, : self.items] = True
        if chosen.shape[1]:
            allowed.scatter_(1, chosen, False)
        return allowed

    @staticmethod
    def continuation(last_position, picked, first_step):
        steps = picked.shape[1]
        step = torch.arange(first_step, first_step + steps)
        positions = last_position + 1 + step.unsqueeze(0)
        levels = torch.zeros_like(picked)
        return picked, positions, levels, torch.ones_like(picked, dtype=torch.bool)

    @torch.no_grad()
    def sample(self, context, group, temperature=1.0, use_cache=True):
        tokens, positions, levels, valid = context
        cache = {"keys": [[None, None] for _ in self.model.blocks], "valid": None} if use_cache else None
        hidden = self.model(tokens, positions, levels, valid, cache)
        if use_cache:
            cache["keys"] = [[k.repeat_interleave(group, 0), v.repeat_interleave(group, 0)] for k, v in cache["keys"]]
            cache["valid"] = cache["valid"].repeat_interleave(group, 0)
        else:
            sequence = [t.repeat_interleave(group, 0) for t in context]
        hidden = hidden[:, -1].repeat_interleave(group, 0)
        last_position = positions[:, -1:].repeat_interleave(group, 0)
        rows = hidden.shape[0]
        chosen = torch.empty((rows, self.slate), dtype=torch.long)
        logps = torch.empty((rows, self.slate))
        entropy = torch.zeros(())
        for step in range(self.slate):
            allowed = self.allowed_next(chosen[:, :step])
            masked = self.model.logits(hidden).masked_fill(~allowed, float("-inf"))
            logp = torch.log_softmax(masked, -1)
            p = logp.exp()
            entropy -= (p * logp.masked_fill(~allowed, 0.0)).sum(-1).mean()
            sampling = p if temperature == 1.0 else torch.softmax(masked / temperature, -1)
            pick = torch.multinomial(sampling, 1)
            chosen[:, step] = pick.squeeze(1)
            logps[:, step] = logp.gather(1, pick).squeeze(1)
            if step + 1 == self.slate:
                break
            nxt = self.continuation(last_position, pick, step)
            if use_cache:
                hidden = self.model(*nxt, cache)[:, 0]
            else:
                sequence = [torch.cat([a, b], 1) for a, b in zip(sequence, nxt)]
                hidden = self.model(*sequence)[:, -1]
        return chosen, logps, entropy.item() / self.slate

    def log_probs(self, histories, slates):
        tokens, positions, levels, valid = self.encode(histories)
        nxt = self.continuation(positions[:, -1:], slates, 0)
        full = [torch.cat([a, b], 1) for a, b in zip((tokens, positions, levels, valid), nxt)]
        context = tokens.shape[1]
        steps = slates.shape[1]
        hidden = self.model(*full)[:, context - 1: context - 1 + steps]
        allowed = torch.stack([self.allowed_next(slates[:, :step]) for step in range(steps)], 1)
        logp = torch.log_softmax(self.model.logits(hidden).masked_fill(~allowed, float("-inf")), -1)
        return logp.gather(-1, slates.unsqueeze(-1)).squeeze(-1)


def score(slates, utility):
    """Discounted utility and normalised category entropy per slate: [S, 2] and Ĥ [S]."""
    length = slates.shape[1]
    discount = EXAMINATION ** torch.arange(length, dtype=torch.float64)
    value = (utility[slates].double() * discount).sum(1)
    counts = F.one_hot(slates % CATEGORIES, CATEGORIES).sum(1).double()
    q = counts / length
    entropy = -(q * torch.where(q > 0, q.log(), torch.zeros_like(q))).sum(1) / math.log(min(length, CATEGORIES))
    return torch.stack([value, entropy], 1), entropy.float()


def decoupled_advantages(components, weights):
    mean = components.mean(1, keepdim=True)
    std = components.std(1, unbiased=False, keepdim=True)
    z = torch.where(std < TIED_STD, torch.zeros_like(components), (components - mean) / (std + EPSILON))
    a = z @ weights
    batch_std = a.std(unbiased=False)
    if batch_std.item() < TIED_STD:
        return torch.zeros_like(a)
    tied = z.eq(0).flatten(1).all(1, keepdim=True)
    return torch.where(tied, torch.zeros_like(a), (a - a.mean()) / (batch_std + EPSILON))


def sage_loss(logp_new, logp_old, advantages, list_entropy, boost, boost_epsilon=0.5, kappa=1.0):
    """SAGE.md 4.5, gbpo_bounds with boost_form = bound and the linear penalty."""
    mean_new = logp_new.mean(1)
    with torch.no_grad():
        rho = mean_new - logp_old.mean(1)
        ratio = rho.clamp(-10, 10).exp()
        pbar = mean_new.exp()
        pos_cap = 1 + boost_epsilon * boost
        neg_scale = 1 + kappa * (1 - list_entropy)
        neg_cap = neg_scale * pbar / (1 - pbar).clamp_min(1e-12)
        coefficient = torch.where(advantages >= 0, torch.minimum(ratio, pos_cap), torch.minimum(ratio, neg_cap))
    return -(advantages * coefficient * mean_new).mean()


def matmul_peak_gflops(n=4096, repeats=5):
    """The same measurement as bench/matmul_peak.h: best of `repeats` n×n float32 products."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        best = max(best, 2 * n ** 3 / (time.perf_counter() - start) / 1e9)
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for name, default in [("d-model", 128), ("layers", 4), ("heads", 4), ("ff", 512), ("items", 12101),
                          ("history", 50), ("contexts", 16), ("group", 8), ("slate", 10), ("epochs", 2),
                          ("minibatches", 2), ("iterations", 6), ("threads", 2), ("seed", 1)]:
        p.add_argument("--" + name, type=int, default=default)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    peak = matmul_peak_gflops()

    policy = Policy(args.items, args.history, args.slate, args.d_model, args.layers, args.heads, args.ff)
    policy.model.eval()
    reference = copy.deepcopy(policy.model)
    for parameter in reference.parameters():
        parameter.requires_grad_(False)
    reference_policy = Policy.__new__(Policy)
    reference_policy.__dict__.update(policy.__dict__, model=reference)
    optimizer = torch.optim.AdamW(policy.model.parameters(), lr=1e-4, weight_decay=0.0)
    weights = torch.tensor([1.0, 0.2], dtype=torch.float64)
    utility = torch.randn(args.items)

    times = {k: [] for k in ("cached", "uncached", "rollout", "rewards", "update")}
    loss = kl_value = 0.0
    for iteration in range(args.iterations + 1):  # iteration 0 warms up
        histories = [torch.randint(0, args.items, (args.history,)).tolist() for _ in range(args.contexts)]
        context = policy.encode(histories)
        start = time.perf_counter()
        policy.sample(context, args.group)
        cached = time.perf_counter() - start
        start = time.perf_counter()
        policy.sample(context, args.group, use_cache=False)
        uncached = time.perf_counter() - start

        start = time.perf_counter()
        slates, logp_old, _ = policy.sample(policy.encode(histories), args.group)
        rows = [h for h in histories for _ in range(args.group)]
        with torch.no_grad():
            logp_reference = reference_policy.log_probs(rows, slates)
        rollout = time.perf_counter() - start

        start = time.perf_counter()
        components, list_entropy = score(slates, utility)
        advantages = decoupled_advantages(components.view(args.contexts, args.group, 2), weights).flatten().float()
        boost = (advantages > 0).float()
        rewards = time.perf_counter() - start

        start = time.perf_counter()
        count = slates.shape[0]
        size = (count + args.minibatches - 1) // args.minibatches
        for _ in range(args.epochs):
            order = torch.randperm(count)
            for begin in range(0, count, size):
                index = order[begin: begin + size]
                logp_new = policy.log_probs([rows[i] for i in index.tolist()], slates[index])
                policy_loss = sage_loss(logp_new, logp_old[index], advantages[index], list_entropy[index], boost[index])
                log_ratio = logp_reference[index] - logp_new
                kl = (log_ratio.exp() - log_ratio - 1).mean()
                optimizer.zero_grad()
                policy_loss.backward()
                torch.nn.utils.clip_grad_norm_(policy.model.parameters(), 1.0)
                optimizer.step()
                loss, kl_value = policy_loss.item(), kl.item()
        update = time.perf_counter() - start
        if iteration == 0:
            continue
        for key, value in (("cached", cached), ("uncached", uncached), ("rollout", rollout),
                           ("rewards", rewards), ("update", update)):
            times[key].append(value)

    med = {k: statistics.median(v) for k, v in times.items()}
    slates_per_iteration = args.contexts * args.group
    length = 1 + args.history + args.slate
    rows = slates_per_iteration * args.epochs
    dense = args.layers * 2 * (4 * args.d_model ** 2 + 2 * args.d_model * args.ff)
    forward = rows * (length * dense + args.layers * 4 * length ** 2 * args.d_model
                      + 2 * args.d_model * (args.items + 1) * args.slate)
    print(json.dumps({
        "implementation": f"Python (PyTorch {torch.__version__})",
        "threads": args.threads,
        "matmul_peak_gflops": peak,
        "generation_cached_s": med["cached"],
        "generation_uncached_s": med["uncached"],
        "rollout_s": med["rollout"],
        "rewards_s": med["rewards"],
        "update_s": med["update"],
        "iteration_s": med["rollout"] + med["rewards"] + med["update"],
        "slates": slates_per_iteration,
        "update_tokens": rows * length,
        "update_flops": 3 * forward,
        "update_gflops": 3 * forward / med["update"] / 1e9,
        "iterations": args.iterations,
        "last_loss": loss,
        "last_kl_to_reference": kl_value,
    }))


if __name__ == "__main__":
    main()
