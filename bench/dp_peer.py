#!/usr/bin/python3
"""PyTorch peer for bench/dp_bench.cpp: data-parallel training the usual PyTorch way
(DistributedDataParallel over the Gloo backend, ranks started with torch.multiprocessing), on
the network `train --model lstm --layers 2 --hidden 256` builds for MIDI files: 196 inputs (88
pitches sounding + 88 onsets + 8 velocity bins + 12 metre), frame, onset and velocity heads,
dropout 0.3, Adam, clipping at 1. Batches of `--batch` windows of 128 steps in all, shared out
over the ranks. Prints "key value" lines: fps_1 (one process, `--threads` threads), fps_N (N
ranks, threads shared out), exchange_ms (DDP's allreduce hook time is not exposed; the step
time difference is what the bench compares).

    dp_peer.py [--ranks N] [--batch B] [--batches N] [--threads T]
"""
import argparse
import os
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ml_peer import Net, P, VEL, chorale_batch  # noqa: E402  (the same networks as ml_bench's peer)

INPUTS = P + P + VEL + 12
STEPS = 128


def batch(n, gen):
    """ml_peer's chorale-like frames, onsets where a pitch starts, random velocity bins."""
    v = chorale_batch(n, STEPS, gen)
    onset = v * (1 - nn.functional.pad(v[:, :-1], (0, 0, 1, 0)))
    vel = torch.randint(0, VEL, (n, STEPS + 1), generator=gen)
    x = torch.cat([v[:, :-1], onset[:, :-1], nn.functional.one_hot(vel[:, :-1], VEL).float(),
                   torch.zeros(n, STEPS, 12)], dim=2)
    return x, v[:, 1:], onset[:, 1:], vel[:, 1:]


def train(net, opt, data, batches):
    frames, elapsed = 0, 0.0
    for i in range(batches + 2):
        x, v, onset, vel = data[i % len(data)]
        t0 = time.perf_counter()
        opt.zero_grad()
        module = net.module if hasattr(net, "module") else net
        h, _ = net(x) if hasattr(net, "module") else module.lstm(x)
        h = module.drop(h)
        bce = nn.functional.binary_cross_entropy_with_logits
        loss = (bce(module.frame_logits(h, v), v, reduction="none").sum(-1)
                + (bce(module.onset(h), onset, reduction="none") * v).sum(-1)
                + nn.functional.cross_entropy(module.velocity(h).transpose(1, 2), vel,
                                              reduction="none")).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        if i >= 2:  # two warm-up batches
            elapsed += time.perf_counter() - t0
            frames += x.shape[0] * STEPS
    return frames, elapsed


class LstmOnly(nn.Module):
    """DDP wraps the module whose forward runs; the heads are used outside it, as in train()."""

    def __init__(self, net):
        super().__init__()
        self.net = net
        self.lstm, self.drop = net.lstm, net.drop
        self.frame_logits, self.onset, self.velocity = net.frame_logits, net.onset, net.velocity

    def forward(self, x):
        return self.lstm(x)


def rank_main(rank, ranks, per_rank, batches, threads, port, out):
    torch.set_num_threads(threads)
    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", str(port)
    dist.init_process_group("gloo", rank=rank, world_size=ranks)
    torch.manual_seed(1)
    net = Net(INPUTS, nade=False, onsets=True)
    # Every parameter gets a gradient through LstmOnly's forward plus the heads used after it;
    # DDP's hooks fire on all of them.
    ddp = nn.parallel.DistributedDataParallel(LstmOnly(net))
    opt = torch.optim.Adam(ddp.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(10 + rank)
    data = [batch(per_rank, gen) for _ in range(4)]
    frames, elapsed = train(ddp, opt, data, batches)
    out.put((rank, frames, elapsed))
    dist.destroy_process_group()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--batches", type=int, default=12)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--port", type=int, default=29731)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    net = Net(INPUTS, nade=False, onsets=True)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(10)
    data = [batch(a.batch, gen) for _ in range(4)]
    frames, elapsed = train(net, opt, data, a.batches)
    print("fps_1 %.1f" % (frames / elapsed), flush=True)

    ctx = mp.get_context("spawn")
    out = ctx.SimpleQueue()
    threads = max(1, a.threads // a.ranks)
    mp.start_processes(rank_main, args=(a.ranks, a.batch // a.ranks, a.batches, threads, a.port, out),
                       nprocs=a.ranks, join=True, start_method="spawn")
    results = [out.get() for _ in range(a.ranks)]
    # The group's rate: all frames over the slowest rank's training time.
    total = sum(r[1] for r in results)
    slowest = max(r[2] for r in results)
    print("fps_%d %.1f" % (a.ranks, total / slowest), flush=True)


if __name__ == "__main__":
    main()
