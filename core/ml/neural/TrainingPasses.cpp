#include "ml/neural/TrainingPasses.h"

#include <algorithm>
#include <memory>

namespace torchestra::ml::neural {

bool validationLoss(ComputeThread& compute, NeuralNet net, const std::vector<FrameSequence>& pieces,
                    const RepresentationConfig& rep, const std::atomic<bool>& cancel,
                    DataParallel* dataParallel, double& loss) {
    net->eval();
    const std::size_t ranks = dataParallel ? std::size_t(dataParallel->worldSize()) : 1;
    const std::size_t rank = dataParallel ? std::size_t(dataParallel->rank()) : 0;
    std::vector<const FrameSequence*> sorted;
    for (std::size_t i = rank; i < pieces.size(); i += ranks)
        sorted.push_back(&pieces[i]);
    std::stable_sort(
        sorted.begin(), sorted.end(),
        [](const FrameSequence* a, const FrameSequence* b) { return a->steps < b->steps; });
    double sum = 0;
    long steps = 0;
    constexpr std::size_t kBatch = 16;
    constexpr int kSegment = 128;
    for (std::size_t i = 0; i < sorted.size(); i += kBatch) {
        const std::vector<const FrameSequence*> group(
            sorted.begin() + long(i), sorted.begin() + long(std::min(sorted.size(), i + kBatch)));
        int maxT = 0;
        for (const FrameSequence* p : group) {
            maxT = std::max(maxT, p->steps);
            steps += std::max(0, p->steps - 1);
        }
        auto state = std::make_shared<NeuralNetImpl::State>();
        for (int from = 0; from < maxT; from += kSegment) {
            if (cancel.load(std::memory_order_relaxed))
                return false;
            auto bt = std::make_shared<BatchTensors>(
                neural::makeBatchTensors(group, from, std::min(kSegment, maxT - from), rep));
            // Step 0 of each piece is not scored (the published convention).
            if (from == 0)
                bt->stepMask.select(1, 0).zero_();
            auto out = std::make_shared<double>(0.0);
            NeuralNet m = net;
            if (!compute.run(
                    [m, bt, state, out]() mutable {
                        torch::NoGradGuard noGrad;
                        neural::StepLosses sl = neural::stepLosses(m, *bt, *state);
                        *out = (sl.total() * bt->stepMask).sum().item<double>();
                    },
                    cancel))
                return false;
            sum += *out;
        }
    }
    if (dataParallel) {
        double total[2] = {sum, double(steps)};
        dataParallel->allreduceSum(total, 2);
        sum = total[0];
        steps = long(total[1]);
    }
    loss = steps > 0 ? sum / double(steps) : 0.0;
    return true;
}

Batch batchRows(const Batch& batch, int first, int count) {
    Batch out;
    out.count = count;
    out.length = batch.length;
    out.windows.assign(batch.windows.begin() + first, batch.windows.begin() + first + count);
    out.mask.assign(batch.mask.begin() + long(first) * batch.length,
                    batch.mask.begin() + long(first + count) * batch.length);
    return out;
}

long realSteps(const Batch& batch) {
    long real = 0;
    for (std::uint8_t m : batch.mask)
        real += m;
    return real;
}

std::vector<float> averageGradients(const std::vector<torch::Tensor>& params, DataParallel& group,
                                    const std::vector<float>& extra) {
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> parts;
    for (const auto& p : params)
        parts.push_back(p.grad().defined() ? p.grad().reshape(-1)
                                           : torch::zeros({p.numel()}, p.options()));
    parts.push_back(torch::tensor(extra, torch::kFloat32));
    torch::Tensor flat = torch::cat(parts).contiguous();
    group.allreduceSum(flat.data_ptr<float>(), std::size_t(flat.numel()));
    flat.div_(double(group.worldSize())); // after the wait: the sum is complete
    long at = 0;
    for (torch::Tensor p : params) {
        torch::Tensor g = flat.slice(0, at, at + p.numel()).view_as(p);
        if (p.grad().defined())
            p.mutable_grad().copy_(g);
        else
            p.mutable_grad() = g.clone();
        at += p.numel();
    }
    const float* e = flat.data_ptr<float>() + at;
    return std::vector<float>(e, e + extra.size());
}

void broadcastParameters(const std::vector<torch::Tensor>& params, DataParallel& group, int root) {
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> parts;
    for (const auto& p : params)
        parts.push_back(p.reshape(-1));
    torch::Tensor flat = torch::cat(parts).contiguous();
    group.broadcast(flat.data_ptr<float>(), std::size_t(flat.numel()), root);
    long at = 0;
    for (torch::Tensor p : params) {
        p.copy_(flat.slice(0, at, at + p.numel()).view_as(p));
        at += p.numel();
    }
}

void seedThisRank(std::uint64_t seed, const DataParallel& group) {
    torch::manual_seed(rankSeed(seed, group.rank()));
}

} // namespace torchestra::ml::neural
