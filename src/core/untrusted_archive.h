#pragma once
// Every model file a user names is read by LibTorch's own archive readers (torch::jit::load, and
// torch::serialize::InputArchive on top of it), which trust the bytes: a crafted file makes them
// fault (LoaderCrashGuard) or allocate what a record's zip header declares, 3.9 GB from a 4 KB
// file found by fuzzing (tests/fuzz/regressions/model_file/README.md). One function reads such a
// file with both guards, so no reader of model files can forget one.
#include <functional>
#include <string>

namespace sharpscope {

/// Runs `read`, which reads the archive at `path` with LibTorch's readers, under LoaderCrashGuard
/// and a cap on LibTorch's CPU allocations of twice the file's size plus 64 MiB. torch.save and
/// torch.jit.save store their records uncompressed, so reading a sound archive allocates about
/// its size; a read that asks for more is refused with an InputError naming the file before
/// anything of that size is allocated. Exceptions of `read` itself pass through unchanged.
void read_untrusted_archive(const std::string& path, const std::function<void()>& read);

}  // namespace sharpscope
