// Precompiled header: LibTorch's headers dominate compile time, so every target compiles them once.
#pragma once
#include <torch/torch.h>
#include <torch/script.h>
