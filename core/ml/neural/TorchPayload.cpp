#include "ml/neural/TorchPayload.h"

#include "ml/Dataset.h"

#include <algorithm>
#include <cstring>
#include <sstream>

namespace torchestra::ml::neural {

namespace {

template <typename T> void putLe(std::string& out, T v) {
    for (std::size_t i = 0; i < sizeof(T); ++i)
        out.push_back(char((std::uint64_t(v) >> (8 * i)) & 0xFF));
}

template <typename T> T getLe(const std::string& in, std::size_t at) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i)
        v |= std::uint64_t(std::uint8_t(in[at + i])) << (8 * i);
    return T(v);
}

} // namespace

std::string wrapArchive(const char (&magic)[4], std::uint32_t version,
                        torch::serialize::OutputArchive& archive) {
    std::ostringstream os;
    archive.save_to(os);
    const std::string bytes = os.str();
    std::string out(magic, 4);
    putLe<std::uint32_t>(out, version);
    putLe<std::uint64_t>(out, bytes.size());
    putLe<std::uint64_t>(out, fnv1a64(bytes));
    return out + bytes;
}

std::string checkPayloadHeader(const std::string& payload, const char (&magic)[4],
                               std::uint32_t version, const std::string& what) {
    if (payload.size() < kPayloadHeaderSize || std::memcmp(payload.data(), magic, 4) != 0)
        return what + ": not this kind's payload (bad magic or too short)";
    const auto got = getLe<std::uint32_t>(payload, 4);
    if (got != version)
        return what + ": version " + std::to_string(got) + ", expected " + std::to_string(version);
    const auto length = getLe<std::uint64_t>(payload, 8);
    if (length != payload.size() - kPayloadHeaderSize)
        return what + ": truncated or padded (" +
               std::to_string(payload.size() - kPayloadHeaderSize) +
               " bytes of weights, header says " + std::to_string(length) + ")";
    if (getLe<std::uint64_t>(payload, 16) !=
        fnv1a64(std::string_view(payload).substr(kPayloadHeaderSize, length)))
        return what + ": checksum mismatch (corrupt weights)";
    return "";
}

std::string archiveKey(const std::string& prefix, const std::string& name) {
    std::string k = prefix + name;
    std::replace(k.begin(), k.end(), '.', '_');
    return k;
}

std::string sizesToString(c10::IntArrayRef s) {
    std::string out = "[";
    for (std::size_t i = 0; i < s.size(); ++i)
        out += (i ? "x" : "") + std::to_string(s[i]);
    return out + "]";
}

bool insideItsStorage(const torch::Tensor& t) {
    if (!t.defined())
        return false;
    if (t.numel() == 0)
        return true;
    std::int64_t last = t.storage_offset();
    for (std::int64_t d = 0; d < t.dim(); ++d) {
        if (t.stride(d) < 0)
            return false;
        last += (t.size(d) - 1) * t.stride(d);
    }
    return t.storage_offset() >= 0 &&
           std::uint64_t(last + 1) * std::uint64_t(t.element_size()) <= t.storage().nbytes();
}

void writeParameters(torch::serialize::OutputArchive& archive, torch::nn::Module& module,
                     const std::string& prefix) {
    for (const auto& kv : module.named_parameters())
        archive.write(archiveKey(prefix, kv.key()), kv.value().detach());
}

std::string readParameters(torch::serialize::InputArchive& archive, torch::nn::Module& module,
                           const std::string& prefix, const std::string& what) {
    torch::NoGradGuard noGrad;
    for (auto& kv : module.named_parameters()) {
        torch::Tensor t;
        if (!archive.try_read(archiveKey(prefix, kv.key()), t) || !insideItsStorage(t))
            return what + ": missing or damaged weights " + kv.key();
        if (t.sizes() != kv.value().sizes())
            return what + ": weights " + kv.key() + " are " + sizesToString(t.sizes()) +
                   ", the config needs " + sizesToString(kv.value().sizes());
        if (!torch::isfinite(t).all().item<bool>())
            return what + ": weights " + kv.key() + " are not finite";
        kv.value().copy_(t);
    }
    return "";
}

void writeBytes(torch::serialize::OutputArchive& archive, const std::string& key,
                const std::string& bytes) {
    torch::Tensor t = torch::empty({std::int64_t(bytes.size())}, torch::kUInt8);
    if (!bytes.empty())
        std::memcpy(t.data_ptr<std::uint8_t>(), bytes.data(), bytes.size());
    archive.write(key, t);
}

std::string readBytes(torch::serialize::InputArchive& archive, const std::string& key) {
    torch::Tensor t;
    if (!archive.try_read(key, t) || !insideItsStorage(t) || t.numel() == 0)
        return {};
    t = t.to(torch::kUInt8).contiguous();
    return std::string(reinterpret_cast<const char*>(t.data_ptr<std::uint8_t>()),
                       std::size_t(t.numel()));
}

} // namespace torchestra::ml::neural
