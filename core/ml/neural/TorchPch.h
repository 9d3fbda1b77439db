// Precompiled header for torchestra_ml: the torch headers every neural file needs, parsed once.
#pragma once
#include <torch/torch.h>
