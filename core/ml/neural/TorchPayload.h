#pragma once

// The frame around a neural model's weights in a checkpoint payload, shared by every kind that
// keeps torch modules (RNN/LSTM, GAN): magic, format version, the archive's length and FNV-1a
// checksum, then a torch archive. And reading weights from an archive that may be hostile:
// LibTorch trusts an archive's shapes and offsets, so every tensor is checked against its
// storage, its expected shape and for finite values before it is used. Included only by
// ml/neural/*.cpp.

#include "ml/neural/TorchPch.h"

#include <cstdint>
#include <string>

namespace torchestra::ml::neural {

constexpr std::size_t kPayloadHeaderSize = 4 + 4 + 8 + 8; // magic, version, length, FNV-1a

// `archive`'s bytes behind the header.
std::string wrapArchive(const char (&magic)[4], std::uint32_t version,
                        torch::serialize::OutputArchive& archive);
// "" or what is wrong with the header, each message starting with `what` ("GAN payload").
std::string checkPayloadHeader(const std::string& payload, const char (&magic)[4],
                               std::uint32_t version, const std::string& what);

// Archive keys may not contain '.', which torch's parameter names do.
std::string archiveKey(const std::string& prefix, const std::string& name);
std::string sizesToString(c10::IntArrayRef sizes);
// Whether a tensor read from an archive lies inside its storage (a damaged file can describe a
// tensor larger than the bytes it stored; found by tests/fuzz/checkpoint_fuzz).
bool insideItsStorage(const torch::Tensor& t);

void writeParameters(torch::serialize::OutputArchive& archive, torch::nn::Module& module,
                     const std::string& prefix);
// Copies every parameter of `module` from the archive, each checked for presence, storage,
// shape and finite values. "" or an error starting with `what`.
std::string readParameters(torch::serialize::InputArchive& archive, torch::nn::Module& module,
                           const std::string& prefix, const std::string& what);

// Optional byte blobs (an optimizer's state) as uint8 tensors.
void writeBytes(torch::serialize::OutputArchive& archive, const std::string& key,
                const std::string& bytes);
std::string readBytes(torch::serialize::InputArchive& archive, const std::string& key);

} // namespace torchestra::ml::neural
