#pragma once
// Precompiled header for core's LibTorch translation units (ARCHITECTURE.md: torch stays in .cpp).
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>
