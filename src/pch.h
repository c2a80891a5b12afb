// Precompiled header: LibTorch's headers dominate compile time, so every target compiles them once.
#pragma once
#include <torch/script.h>
#include <torch/torch.h>
