#include "ml/neural/NadeHead.h"

#include "ml/neural/NadeKernels.h"

#include <algorithm>
#include <vector>

namespace torchestra::ml::neural {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

constexpr int64_t kRowsPerTask = 32; // frames per parallel task of the forward pass

NadeDims dimsOf(const torch::Tensor& W) {
    return NadeDims{int(W.size(0)), int(W.size(1))};
}

class NadeHeadFunction : public torch::autograd::Function<NadeHeadFunction> {
public:
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& b,
                                 const torch::Tensor& c, const torch::Tensor& frames,
                                 const torch::Tensor& W, const torch::Tensor& V) {
        const torch::Tensor cc = c.contiguous();
        const torch::Tensor vc = frames.to(torch::kFloat).contiguous();
        const torch::Tensor wc = W.contiguous();
        const torch::Tensor Vc = V.contiguous();
        ctx->save_for_backward({cc, vc, wc, Vc});
        torch::Tensor out = b.contiguous().clone();
        const NadeDims d = dimsOf(wc);
        const int64_t rows = out.numel() / d.pitches;
        const float* cp = cc.data_ptr<float>();
        const float* vp = vc.data_ptr<float>();
        float* op = out.data_ptr<float>();
        at::parallel_for(0, rows, kRowsPerTask, [&](int64_t begin, int64_t end) {
            nadeForward(cp + begin * d.hidden, vp + begin * d.pitches, wc.data_ptr<float>(),
                        Vc.data_ptr<float>(), d, int(end - begin), op + begin * d.pitches);
        });
        return out;
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const variable_list saved = ctx->get_saved_variables();
        const torch::Tensor& c = saved[0];
        const torch::Tensor& v = saved[1];
        const torch::Tensor& W = saved[2];
        const torch::Tensor& V = saved[3];
        const torch::Tensor g = grads[0].contiguous();
        const NadeDims d = dimsOf(W);
        const int64_t rows = g.numel() / d.pitches;
        // W's and V's gradients are sums over every frame: each task sums its own share, and the
        // shares are added in a fixed order.
        const int64_t tasks = std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads(), rows));
        torch::Tensor dc = torch::empty_like(c);
        torch::Tensor dW = torch::zeros({tasks, d.pitches, d.hidden});
        torch::Tensor dV = torch::zeros({tasks, d.pitches, d.hidden});
        at::parallel_for(0, tasks, 1, [&](int64_t first, int64_t last) {
            std::vector<float> scratch(std::size_t(d.pitches) * std::size_t(d.hidden));
            for (int64_t t = first; t < last; ++t) {
                const int64_t begin = rows * t / tasks;
                const int64_t end = rows * (t + 1) / tasks;
                nadeBackward(c.data_ptr<float>() + begin * d.hidden,
                             v.data_ptr<float>() + begin * d.pitches, W.data_ptr<float>(),
                             V.data_ptr<float>(), g.data_ptr<float>() + begin * d.pitches, d,
                             int(end - begin), dc.data_ptr<float>() + begin * d.hidden,
                             dW[t].data_ptr<float>(), dV[t].data_ptr<float>(), scratch.data());
            }
        });
        return {g, dc, torch::Tensor(), dW.sum(0), dV.sum(0)};
    }
};

} // namespace

torch::Tensor nadeHeadLogits(const torch::Tensor& b, const torch::Tensor& c,
                             const torch::Tensor& frames, const torch::Tensor& W,
                             const torch::Tensor& V) {
    return NadeHeadFunction::apply(b, c, frames, W, V);
}

} // namespace torchestra::ml::neural
