#pragma once
// The c10d side of core/distributed.h: the only code that names c10d (c10d_world.cpp).
#include <memory>
#include <string>

#include "sharpscope/core/distributed.h"

namespace sharpscope::detail {

/// Whether this build of LibTorch (and of sharpscope) has the Gloo / NCCL process groups.
bool gloo_available();
bool nccl_available();

/// Rendezvous with the other ranks of `launch` as start_distributed describes, and the process
/// group of `backend` (kGloo or kNccl, already resolved). DistributedError when it fails.
std::unique_ptr<Communicator> join_launch(const LaunchEnvironment& launch,
                                          const DistributedOptions& options, DistBackend backend);

/// The single-machine rendezvous file of a launch: <temp>/sharpscope-<uid>/rdv-<hash of run_id>,
/// the directory created 0700 (UsageError when it exists with other owners or wider permissions).
std::string private_rendezvous_path(const LaunchEnvironment& launch);

}  // namespace sharpscope::detail
