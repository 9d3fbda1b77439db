#!/usr/bin/python3
"""PyTorch peer for bench/ml_bench.cpp: the same networks as core/ml/neural, written the usual
PyTorch way, timed on the same shapes. Prints "key value" lines. Run with Debian's python3-torch
(/usr/bin/python3; a pyenv python on PATH may lack torch).

Training: 2x256 LSTM over 100 inputs (88 pitches + metre, JSB-like), batches of 16 x 128,
independent head (Linear 256->88) or RNN-NADE head (128 hidden units), summed BCE per step,
Adam, gradient clipping at 1. Sampling: a 2x256 LSTM over the MIDI representation (88 pitches
sounding + onsets + 8 velocity bins + metre = 196 inputs), step by step for 128 steps (8 bars),
batch 1, 8 variations and 64 candidates (the 64 also for the NADE size of the built-in
bach-nade, LSTM 2x128 with 64 NADE units), independent or NADE head, under
torch.inference_mode(). GAN: the
default conditional bar GAN (generator and critic of core/ml/neural/GanNet.cpp, same layers and
parameter counts), one generator update of WGAN-GP training at batch 64 (gan_update_ms).

    ml_peer.py [--threads N] [--batches N] [--gan-updates N]
               [--only all|lstm|gan|candidates|outlook|infill] [--steps N]
"""
import argparse
import time

import torch
import torch.nn as nn

P, H, LAYERS, NADE_H, VEL = 88, 256, 2, 128, 8


class Net(nn.Module):
    def __init__(self, inputs, nade, onsets, hidden=H, nade_hidden=NADE_H):
        super().__init__()
        self.lstm = nn.LSTM(inputs, hidden, LAYERS, dropout=0.3, batch_first=True)
        self.drop = nn.Dropout(0.3)
        self.nade = nade
        if nade:
            k = nade_hidden ** -0.5
            self.visible = nn.Linear(hidden, P)
            self.hidden_bias = nn.Linear(hidden, nade_hidden)
            self.W = nn.Parameter(torch.randn(P, nade_hidden) * 0.05)
            self.V = nn.Parameter(torch.empty(P, nade_hidden).uniform_(-k, k))
        else:
            self.frame = nn.Linear(hidden, P)
        if onsets:
            self.onset = nn.Linear(hidden, P)
            self.velocity = nn.Linear(hidden, VEL)

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
def sample_ms(nade, variations, repeats, hidden=H, nade_hidden=NADE_H):
    inputs = 2 * P + VEL + 4 + 8
    net = Net(inputs, nade, onsets=True, hidden=hidden, nade_hidden=nade_hidden).eval()
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


def outlook_ms(nade, steps, repeats, hidden=H, nade_hidden=NADE_H, draws=64):
    """bench/overlay_bench.cpp's peer: the probability overlay's numbers for a whole track of
    `steps` steps (ml::SequenceModel::outlook): the LSTM over the sequence in one call, then each
    step's p(start) = p(sound) * p(onset); the NADE's p(sound) the average of each pitch's
    conditional over `draws` stratified draws of the lower pitches, all steps' draws one batch."""
    inputs = 2 * P + VEL + 4 + 8
    net = Net(inputs, nade, onsets=True, hidden=hidden, nade_hidden=nade_hidden).eval()
    gen = torch.Generator().manual_seed(0)
    x = (torch.rand(1, steps, inputs, generator=gen) < 0.05).float()
    golden = 0.6180339887498949
    times = []
    with torch.inference_mode():
        for r in range(repeats + 1):
            t0 = time.perf_counter()
            h, _ = net.lstm(x)
            h = h[0]
            onset = torch.sigmoid(net.onset(h))
            if not nade:
                sound = torch.sigmoid(net.frame(h))
            else:
                rows = steps * draws
                b = net.visible(h).repeat_interleave(draws, 0)
                a = net.hidden_bias(h).repeat_interleave(draws, 0)
                u = ((torch.arange(draws) + 0.5) / draws).repeat(steps)
                total = torch.empty(rows, P)
                for i in range(P):
                    p = torch.sigmoid(b[:, i] + torch.sigmoid(a) @ net.V[i])
                    total[:, i] = p
                    vi = (torch.frac(u + i * golden) < p).float()
                    a = a + vi.unsqueeze(1) * net.W[i]
                sound = total.view(steps, draws, P).mean(1)
            start = sound * onset
            assert start.shape == (steps, P)
            if r > 0:
                times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[len(times) // 2]


def infill_ms(candidates, repeats, hidden=128, nade_hidden=64, primer=64, gap=32, after=64):
    """bench/infill_bench.cpp's peer: infill's work for one gap, the NADE way (the built-in
    bach-nade's size): the primer through the LSTM once, `candidates` fillers of `gap` steps
    sampled from its state (the NADE drawing each pitch in turn), then every filler scored by the
    NLL of the `after` steps that follow it (teacher-forced from the primer's state)."""
    inputs = 2 * P + VEL + 4 + 8
    net = Net(inputs, True, onsets=True, hidden=hidden, nade_hidden=nade_hidden).eval()
    gen = torch.Generator().manual_seed(3)
    primer_x = (torch.rand(1, primer, inputs, generator=gen) < 0.05).float()
    after_v = (torch.rand(1, after, P, generator=gen) < 0.05).float()
    times = []
    with torch.inference_mode():
        for r in range(repeats + 1):
            t0 = time.perf_counter()
            _, state = net.lstm(primer_x)
            state = tuple(s.repeat(1, candidates, 1) for s in state)
            x = torch.zeros(candidates, 1, inputs)
            frames = []
            for t in range(gap):
                h, state = net.lstm(x, state)
                h = h[:, 0]
                b = net.visible(h)
                a = net.hidden_bias(h)
                frame = torch.zeros(candidates, P)
                for i in range(P):
                    p = torch.sigmoid(b[:, i] + torch.sigmoid(a) @ net.V[i])
                    vi = (torch.rand(candidates, generator=gen) < p).float()
                    frame[:, i] = vi
                    a = a + vi.unsqueeze(1) * net.W[i]
                frames.append(frame)
                x = torch.zeros(candidates, 1, inputs)
                x[:, 0, :P] = frame
            # Scoring: the steps after the gap, teacher-forced, in one call per candidate batch.
            v = after_v.repeat(candidates, 1, 1)
            xs = torch.zeros(candidates, after, inputs)
            xs[:, 0, :P] = frames[-1]
            xs[:, 1:, :P] = v[:, :-1]
            h, _ = net.lstm(xs, state)
            logits = net.frame_logits(h, v)
            nll = nn.functional.binary_cross_entropy_with_logits(logits, v, reduction="none")
            assert nll.sum((1, 2)).shape == (candidates,)
            if r > 0:
                times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[len(times) // 2]


# --- GAN (bench/ml_bench.cpp's GAN rows; core/ml/neural/GanNet.cpp) ---------------------------
# The default GAN: bars of S = 16 steps over the MIDI representation's 88 pitches, as 1-D
# convolutions over the steps with channels: a bar is onsets, sounding and a dynamic level
# (2P + 1 = 177 channels); its condition the bars before and after, three flags/mask and 13 key
# features (2 * 177 + 3 + 13 = 370). Generator width 256, critic width 128, noise 100.
S, BAR, NOISE, GW, CW, COND_F = 16, 2 * P + 1, 100, 256, 128, 64
GLOBAL0, GLOBALS = 2 * BAR, 3 + 13
COND = 2 * BAR + GLOBALS


def leaky(x):
    return nn.functional.leaky_relu(x, 0.2)


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.condIn = nn.Conv1d(COND, COND_F, 3, padding=1)
        self.condOut = nn.Conv1d(COND_F, COND_F, 3, padding=1)
        self.fromNoise = nn.Linear(NOISE + GLOBALS, GW * S)
        self.mix = nn.Conv1d(GW + COND_F + 1, GW, 3, padding=1)
        self.body = nn.Conv1d(GW, GW, 3, padding=1)
        self.out = nn.Conv1d(GW, BAR, 1)

    def forward(self, z, cond):
        globs = cond[:, GLOBAL0:GLOBAL0 + GLOBALS].mean(2)
        mask = cond[:, GLOBAL0 + 2:GLOBAL0 + 3]
        g = leaky(self.fromNoise(torch.cat([z, globs], 1))).view(-1, GW, S)
        c = leaky(self.condOut(leaky(self.condIn(cond))))
        h = leaky(self.mix(torch.cat([g, c, mask], 1)))
        h = h + leaky(self.body(h))
        return torch.sigmoid(self.out(h)) * mask


class Critic(nn.Module):
    def __init__(self):
        super().__init__()
        self.condIn = nn.Conv1d(COND, COND_F, 1)
        self.c1 = nn.Conv1d(BAR + COND_F, CW, 3, padding=1)
        self.c2 = nn.Conv1d(CW, CW, 4, stride=2, padding=1)
        self.c3 = nn.Conv1d(CW, CW, 4, stride=2, padding=1)
        self.score = nn.Linear(CW * (S // 4), 1)

    def forward(self, bar, cond):
        h = leaky(self.c1(torch.cat([bar, leaky(self.condIn(cond))], 1)))
        h = leaky(self.c3(leaky(self.c2(h))))
        return self.score(h.flatten(1)).squeeze(1)


def gradient_penalty(critic, real, fake, cond):
    e = torch.rand(real.size(0), 1, 1)
    mixed = (e * real + (1 - e) * fake).requires_grad_(True)
    grad, = torch.autograd.grad(critic(mixed, cond).sum(), mixed, create_graph=True)
    return ((grad.flatten(1).norm(2, dim=1) - 1) ** 2).mean()


def gan_bars(pieces, steps, gen):
    """Chorale-like bars with their conditions, encoded once (the usual Dataset of tensors):
    bars [N, BAR, S] and conditions [N, COND, S] with both neighbours where they exist."""
    v = chorale_batch(pieces, steps - 1, gen)  # [pieces, steps, P]
    on = v * (1 - nn.functional.pad(v[:, :-1], (0, 0, 1, 0)))
    level = torch.randint(0, 8, (pieces, steps), generator=gen).float() / 7
    bars = torch.cat([on, v, level.unsqueeze(2) * (v.sum(2, keepdim=True) > 0)], 2)
    bars = bars.view(pieces, steps // S, S, BAR).transpose(2, 3)  # [pieces, bars, BAR, S]
    n = bars.size(1)
    prev = nn.functional.pad(bars[:, :-1], (0, 0, 0, 0, 1, 0))
    nxt = nn.functional.pad(bars[:, 1:], (0, 0, 0, 0, 0, 1))
    flags = torch.zeros(pieces, n, 3, S)
    flags[:, 1:, 0] = 1
    flags[:, :-1, 1] = 1
    flags[:, :, 2] = 1
    chroma = torch.zeros(pieces, n, 12)
    sounding = bars[:, :, P:2 * P].sum(3)  # [pieces, bars, P]
    for p in range(P):
        chroma[:, :, (21 + p) % 12] += sounding[:, :, p]
    chroma = chroma / chroma.sum(2, keepdim=True).clamp(min=1)
    key = torch.cat([chroma, torch.zeros(pieces, n, 1)], 2).unsqueeze(3).expand(-1, -1, -1, S)
    cond = torch.cat([prev, nxt, flags, key], 2)
    return bars.reshape(-1, BAR, S).contiguous(), cond.reshape(-1, COND, S).contiguous()


def shift_pitches(x, shift):
    """x [B, C, S] with pitch blocks [0, P) and [P, 2P): each row transposed by shift[b]."""
    idx = torch.arange(P).unsqueeze(0) - shift.unsqueeze(1)  # [B, P]
    ok = ((idx >= 0) & (idx < P)).float().unsqueeze(2)
    idx = idx.clamp(0, P - 1).unsqueeze(2).expand(-1, -1, S)
    blocks = [x[:, k * P:(k + 1) * P].gather(1, idx) * ok for k in range(2)]
    return torch.cat(blocks + [x[:, 2 * P:]], 1)


def gan_batch(bars, conds, batch, gen):
    """A batch as the trainer draws it: random bars, each transposed within +-6 semitones,
    the bar before dropped 10% of the time and the bar after kept half of the time."""
    i = torch.randint(0, bars.size(0), (batch,), generator=gen)
    shift = torch.randint(-6, 7, (batch,), generator=gen)
    cond = conds[i]
    keep_prev = (torch.rand(batch, generator=gen) >= 0.1).float()
    keep_next = (torch.rand(batch, generator=gen) < 0.5).float()
    flags = cond[:, GLOBAL0:GLOBAL0 + 3] * torch.stack(
        [keep_prev, keep_next, torch.ones(batch)], 1).unsqueeze(2)
    roll = (torch.arange(12).unsqueeze(0) - shift.unsqueeze(1)) % 12
    chroma = cond[:, GLOBAL0 + 3:GLOBAL0 + 15].gather(1, roll.unsqueeze(2).expand(-1, -1, S))
    return shift_pitches(bars[i], shift), torch.cat([
        shift_pitches(cond[:, :BAR], shift) * keep_prev.view(-1, 1, 1),
        shift_pitches(cond[:, BAR:2 * BAR], shift) * keep_next.view(-1, 1, 1),
        flags, chroma, cond[:, GLOBAL0 + 15:]], 1)


# What the trainer's generator step weighs beside the critic for a GAN with a harmony plan
# (core/ml/neural/GanTraining.h: chromaDistance, spreadDistance, kChromaWeight, kSpreadWeight).
CHROMA_WEIGHT, SPREAD_WEIGHT = 2.0, 1.0
TO_CLASSES = torch.zeros(P, 12)
TO_CLASSES[torch.arange(P), (21 + torch.arange(P)) % 12] = 1


def chroma_distance(bars, cond):
    mask = cond[:, GLOBAL0 + 2:GLOBAL0 + 3]
    chroma = (bars[:, P:2 * P] * mask).sum(2) @ TO_CLASSES
    shares = chroma / (chroma.sum(1, keepdim=True) + 1e-6)
    profile = cond[:, GLOBAL0 + 3:GLOBAL0 + 15, 0]
    planned = (profile.sum(1) > 0).float()
    return ((shares - profile).abs().sum(1) * planned).sum() / (planned.sum() + 1e-6)


def spread_distance(fake, real, cond):
    mask = cond[:, GLOBAL0 + 2:GLOBAL0 + 3]
    pitch = torch.arange(P, dtype=torch.float).unsqueeze(0)

    def figures(bars):
        sounding = bars[:, P:2 * P] * mask
        weight = sounding.sum(2)
        total = weight.sum(1, keepdim=True) + 1e-6
        centre = (weight * pitch).sum(1, keepdim=True) / total
        variance = (weight * (pitch - centre) ** 2).sum(1) / total.squeeze(1)
        return sounding.max(2).values.sum(1), (variance + 1e-6).sqrt()

    def deviation(x):
        return (x.var() + 1e-6).sqrt()

    def apart(f, r):
        return ((f.mean() - r.mean()).abs() + (deviation(f) - deviation(r)).abs()) / (
            deviation(r).clamp(min=1.0))

    with torch.no_grad():
        real_pitches, real_spread = figures(real)
    fake_pitches, fake_spread = figures(fake)
    return apart(fake_pitches, real_pitches) + apart(fake_spread, real_spread)


def count(module):
    return sum(p.numel() for p in module.parameters())


def gan_update_ms(updates, batch, gen):
    """One generator update as the trainer's: 5 critic steps (fresh real and fake bars each,
    WGAN-GP with weight 10) and one generator step (with the chroma and spread terms), Adam at
    1e-4 with betas (0.5, 0.9). The critic's parameters are frozen for the generator step, as
    PyTorch WGAN-GP code does. Prints the parameter counts, each timed update's milliseconds,
    their mean and median, and the process CPU time per update."""
    netG, netD = Generator(), Critic()
    print(f"gan_generator_params {count(netG)}", flush=True)
    print(f"gan_critic_params {count(netD)}", flush=True)
    optG = torch.optim.Adam(netG.parameters(), lr=1e-4, betas=(0.5, 0.9))
    optD = torch.optim.Adam(netD.parameters(), lr=1e-4, betas=(0.5, 0.9))
    bars, conds = gan_bars(40, 256, gen)
    times = []
    cpu0 = 0.0
    for u in range(updates + 1):  # one warm-up update
        if u == 1:
            cpu0 = time.process_time()
        t0 = time.perf_counter()
        for p in netD.parameters():
            p.requires_grad_(True)
        for _ in range(5):
            real, cond = gan_batch(bars, conds, batch, gen)
            with torch.no_grad():
                fake = netG(torch.randn(batch, NOISE), cond)
            optD.zero_grad()
            wasserstein = netD(real, cond).mean() - netD(fake, cond).mean()
            loss = -wasserstein + 10 * gradient_penalty(netD, real, fake, cond)
            loss.backward()
            optD.step()
            loss.item()
        for p in netD.parameters():
            p.requires_grad_(False)
        real, cond = gan_batch(bars, conds, batch, gen)
        optG.zero_grad()
        fake = netG(torch.randn(batch, NOISE), cond)
        loss = (-netD(fake, cond).mean() + CHROMA_WEIGHT * chroma_distance(fake, cond) +
                SPREAD_WEIGHT * spread_distance(fake, real, cond))
        loss.backward()
        optG.step()
        loss.item()
        if u > 0:
            times.append((time.perf_counter() - t0) * 1000)
    cpu_ms = (time.process_time() - cpu0) * 1000 / updates
    for t in times:
        print(f"gan_update_ms {t:.2f}", flush=True)
    print(f"gan_update_mean_ms {sum(times) / len(times):.2f}", flush=True)
    print(f"gan_update_cpu_ms {cpu_ms:.2f}", flush=True)
    times.sort()
    print(f"gan_update_median_ms {times[len(times) // 2]:.2f}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batches", type=int, default=12)
    ap.add_argument("--gan-updates", type=int, default=8)
    ap.add_argument("--only", choices=["all", "lstm", "gan", "candidates", "outlook", "infill"],
                    default="all")
    ap.add_argument("--steps", type=int, default=1056)  # --only outlook: the track's steps
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    gen = torch.Generator().manual_seed(1)
    if args.only in ("all", "lstm"):
        print(f"train_independent_fps {train_fps(False, args.batches, gen):.1f}", flush=True)
        print(f"train_nade_fps {train_fps(True, args.batches, gen):.1f}", flush=True)
        print(f"sample_independent_1_ms {sample_ms(False, 1, 7):.2f}", flush=True)
        print(f"sample_independent_8_ms {sample_ms(False, 8, 5):.2f}", flush=True)
        print(f"sample_nade_1_ms {sample_ms(True, 1, 3):.2f}", flush=True)
        print(f"sample_nade_8_ms {sample_ms(True, 8, 3):.2f}", flush=True)
    if args.only in ("all", "candidates"):
        print(f"sample_independent_64_ms {sample_ms(False, 64, 3):.2f}", flush=True)
        print(f"sample_nade_64_ms {sample_ms(True, 64, 3):.2f}", flush=True)
        print(f"sample_nade128_64_ms {sample_ms(True, 64, 3, 128, 64):.2f}", flush=True)
    if args.only in ("all", "gan"):
        gan_update_ms(args.gan_updates, 64, gen)
    if args.only == "infill":  # one JSON line, as bench/PeerOutput.h reads
        ms = {n: infill_ms(n, 3) for n in (16, 64, 256)}
        print("{" + ", ".join(f'"infill_{n}_ms": {v:.2f}' for n, v in ms.items()) + "}",
              flush=True)
    if args.only == "outlook":  # one JSON line, as bench/PeerOutput.h reads
        ind = outlook_ms(False, args.steps, 5)
        nade = outlook_ms(True, args.steps, 3, 128, 64)
        print(f'{{"outlook_independent_ms": {ind:.2f}, "outlook_nade128_ms": {nade:.2f}}}',
              flush=True)

if __name__ == "__main__":
    main()
