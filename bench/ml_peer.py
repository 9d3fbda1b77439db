#!/usr/bin/python3
"""PyTorch peer for bench/ml_bench.cpp: the same networks as core/ml/neural, written the usual
PyTorch way, timed on the same shapes. Prints "key value" lines. Run with Debian's python3-torch
(/usr/bin/python3; a pyenv python on PATH may lack torch).

Training: 2x256 LSTM over 100 inputs (88 pitches + metre, JSB-like), batches of 16 x 128,
independent head (Linear 256->88) or RNN-NADE head (128 hidden units), summed BCE per step,
Adam, gradient clipping at 1. Sampling: a 2x256 LSTM over the MIDI representation (88 pitches
sounding + onsets + 8 velocity bins + metre = 196 inputs), step by step for 128 steps (8 bars),
batch 1 and 8 variations, independent or NADE head, under torch.inference_mode().
"""
import argparse
import time

import torch
import torch.nn as nn

P, H, LAYERS, NADE_H, VEL = 88, 256, 2, 128, 8


class Net(nn.Module):
    def __init__(self, inputs, nade, onsets):
        super().__init__()
        self.lstm = nn.LSTM(inputs, H, LAYERS, dropout=0.3, batch_first=True)
        self.drop = nn.Dropout(0.3)
        self.nade = nade
        if nade:
            self.visible = nn.Linear(H, P)
            self.hidden_bias = nn.Linear(H, NADE_H)
            self.W = nn.Parameter(torch.randn(P, NADE_H) * 0.05)
            self.V = nn.Parameter(torch.empty(P, NADE_H).uniform_(-NADE_H ** -0.5, NADE_H ** -0.5))
        else:
            self.frame = nn.Linear(H, P)
        if onsets:
            self.onset = nn.Linear(H, P)
            self.velocity = nn.Linear(H, VEL)

    def frame_logits(self, h, v):
        if not self.nade:
            return self.frame(h)
        b = self.visible(h)
        c = self.hidden_bias(h)
        v_prev = nn.functional.pad(v[..., :-1], (1, 0))
        w_prev = nn.functional.pad(self.W[:-1], (0, 0, 1, 0))
        acc = (v_prev.unsqueeze(-1) * w_prev).cumsum(2)
        return b + (torch.sigmoid(c.unsqueeze(2) + acc) * self.V).sum(-1)


def chorale_batch(batch, steps, gen):
    """Four voices moving by small steps: ~4 of 88 pitches sounding, like JSB."""
    v = torch.zeros(batch, steps + 1, P)
    voices = torch.tensor([24, 31, 36, 43]).repeat(batch, 1)
    for t in range(steps + 1):
        move = (torch.randint(0, 3, voices.shape, generator=gen) == 0)
        voices = (voices + move * (torch.randint(0, 5, voices.shape, generator=gen) - 2)).clamp(0, P - 1)
        v[torch.arange(batch).unsqueeze(1), t, voices] = 1.0
    return v


def train_fps(nade, batches, gen):
    inputs = P + 4 + 8
    net = Net(inputs, nade, onsets=False)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    data = [chorale_batch(16, 128, gen) for _ in range(4)]
    frames = 0
    elapsed = 0.0
    for i in range(batches + 2):
        v = data[i % len(data)]
        x = torch.cat([v[:, :-1], torch.zeros(16, 128, 12)], dim=2)
        x[:, 0, :P] = 0  # the all-zero start frame
        target = v[:, 1:]
        t0 = time.perf_counter()
        opt.zero_grad()
        h, _ = net.lstm(x)
        h = net.drop(h)
        logits = net.frame_logits(h, target)
        loss = nn.functional.binary_cross_entropy_with_logits(
            logits, target, reduction="none").sum(-1).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        if i >= 2:  # two warm-up batches
            elapsed += time.perf_counter() - t0
            frames += 16 * 128
    return frames / elapsed


@torch.inference_mode()
def sample_ms(nade, variations, repeats):
    inputs = 2 * P + VEL + 4 + 8
    net = Net(inputs, nade, onsets=True).eval()
    times = []
    for r in range(repeats + 1):
        gen = torch.Generator().manual_seed(r)
        t0 = time.perf_counter()
        x = torch.zeros(variations, 1, inputs)
        state = None
        prev = torch.zeros(variations, P)
        for t in range(128):
            x.zero_()
            x[:, 0, t % 4 + 2 * P + VEL] = 1
            x[:, 0, 2 * P + VEL + 4 + (t // 4) % 4] = 1
            h, state = net.lstm(x, state)
            h = h[:, 0]
            if not nade:
                p = torch.sigmoid(net.frame(h))
                frame = (torch.rand(p.shape, generator=gen) < p).float()
            else:
                b = net.visible(h)
                a = net.hidden_bias(h)
                frame = torch.zeros(variations, P)
                for i in range(P):
                    hi = torch.sigmoid(a)
                    p = torch.sigmoid(b[:, i] + hi @ net.V[i])
                    vi = (torch.rand(variations, generator=gen) < p).float()
                    frame[:, i] = vi
                    a = a + vi.unsqueeze(1) * net.W[i]
            onset_p = torch.sigmoid(net.onset(h))
            onset = frame * ((1 - prev) + prev * (torch.rand(onset_p.shape, generator=gen) < onset_p).float())
            vel = torch.multinomial(torch.softmax(net.velocity(h), -1), 1, generator=gen)
            x[:, 0, :P] = frame
            x[:, 0, P:2 * P] = onset
            x[torch.arange(variations), 0, 2 * P + vel[:, 0]] = 1
            prev = frame
        if r > 0:
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[len(times) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batches", type=int, default=12)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    gen = torch.Generator().manual_seed(1)
    print(f"train_independent_fps {train_fps(False, args.batches, gen):.1f}", flush=True)
    print(f"train_nade_fps {train_fps(True, args.batches, gen):.1f}", flush=True)
    print(f"sample_independent_1_ms {sample_ms(False, 1, 7):.2f}", flush=True)
    print(f"sample_independent_8_ms {sample_ms(False, 8, 5):.2f}", flush=True)
    print(f"sample_nade_1_ms {sample_ms(True, 1, 3):.2f}", flush=True)
    print(f"sample_nade_8_ms {sample_ms(True, 8, 3):.2f}", flush=True)


if __name__ == "__main__":
    main()
