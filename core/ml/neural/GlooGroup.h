#pragma once

// The data-parallel group on torch's c10d: a TCPStore for the rendezvous (hosted by rank 0 at
// MASTER_ADDR:MASTER_PORT) and a ProcessGroupGloo for the collectives. Torch-free header.

#include "ml/DataParallel.h"

#include <memory>
#include <string>

namespace torchestra::ml::neural {

// Joins the group `settings` describe: waits (up to the timeout) for every rank to arrive,
// checks that all agree on the world size and on `fingerprint` (the model, the data and the
// options that must match: different ones would train different models or deadlock), then
// connects the process group. Null with `error` naming the problem (a rank that did not come,
// one that disagrees and how, an address that does not work). Blocks; any thread.
std::shared_ptr<DataParallel> joinGlooGroup(const DistributedSettings& settings,
                                            const std::string& fingerprint, std::string& error);

} // namespace torchestra::ml::neural
