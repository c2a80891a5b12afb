// The one home of c10d (LibTorch's distributed engine): the rendezvous store, the process group
// and the Communicator over them (core/distributed.h, docs/distributed.md).
//
// Debian's ProcessGroupGloo.hpp is empty unless USE_C10D_GLOO is defined (LibTorch's CMake target
// defines it; CMakeLists.txt adds it where a target lacks it), and ProcessGroupNCCL.hpp unless
// USE_C10D_NCCL is (CUDA builds only). A build without them still runs everything on one rank.
#include "core/c10d_world.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "sharpscope/core/error.h"
#include "sharpscope/core/number_text.h"

#if defined(USE_DISTRIBUTED) && __has_include(<torch/csrc/distributed/c10d/TCPStore.hpp>)
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#define SHARPSCOPE_HAVE_C10D 1
#if defined(USE_C10D_GLOO) && __has_include(<gloo/config.h>)
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#define SHARPSCOPE_HAVE_GLOO 1
#endif
#if defined(USE_C10D_NCCL)
#include <c10/cuda/CUDAFunctions.h>

#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#define SHARPSCOPE_HAVE_NCCL 1
#endif
#endif

namespace sharpscope::detail {

bool gloo_available() {
#ifdef SHARPSCOPE_HAVE_GLOO
  return true;
#else
  return false;
#endif
}

bool nccl_available() {
#ifdef SHARPSCOPE_HAVE_NCCL
  return true;
#else
  return false;
#endif
}

namespace {

// FNV-1a: a stable hash of the run id (every rank must derive the same file name).
std::string hex_hash(const std::string& text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

}  // namespace

std::string private_rendezvous_path(const LaunchEnvironment& launch) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("sharpscope-" + std::to_string(::getuid()));
  ::mkdir(dir.c_str(), 0700);  // EEXIST is fine: checked below
  struct stat info {};
  if (::lstat(dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode) || info.st_uid != ::getuid() ||
      (info.st_mode & 077) != 0) {
    throw UsageError(dir.string() +
                     ": the private rendezvous directory is not a directory of this user with "
                     "mode 0700; remove it (or set TMPDIR) and retry");
  }
  return (dir / ("rdv-" + hex_hash(launch.run_id))).string();
}

#ifndef SHARPSCOPE_HAVE_C10D

std::unique_ptr<Communicator> join_launch(const LaunchEnvironment& launch,
                                          const DistributedOptions&, DistBackend) {
  throw UsageError(launch.launcher + " started " + std::to_string(launch.size) +
                   " ranks, but this LibTorch build has no distributed engine (c10d)");
}

#else

namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds milliseconds(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000.0));
}

// One line from any exception c10d or Gloo throws (c10::Error carries a backtrace after its
// message; gloo::IoException and c10d's errors are std::runtime_errors).
std::string reason(std::exception_ptr error) {
  std::string text;
  try {
    std::rethrow_exception(error);
  } catch (const c10::Error& e) {
    text = e.what_without_backtrace();
  } catch (const std::exception& e) {
    text = e.what();
  } catch (...) {
    text = "unknown error";
  }
  const size_t newline = text.find('\n');
  if (newline != std::string::npos) text = text.substr(0, newline);
  if (text.size() > 300) text = text.substr(0, 300) + "...";
  return text;
}

// A process of this machine that still runs (a zombie has exited: its launcher reaps it soon).
bool process_alive(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const size_t close = line.rfind(')');
  return close == std::string::npos || close + 2 >= line.size() || line[close + 2] != 'Z';
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// The address of this machine's interface that routes to `host` (a UDP connect sends nothing).
std::string local_address_towards(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || !found) {
    throw UsageError("MASTER_ADDR = '" + host + "': cannot resolve this host name");
  }
  std::string address;
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  if (fd >= 0 && ::connect(fd, found->ai_addr, found->ai_addrlen) == 0) {
    sockaddr_in local{};
    socklen_t length = sizeof local;
    char text[INET_ADDRSTRLEN] = {};
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) == 0 &&
        ::inet_ntop(AF_INET, &local.sin_addr, text, sizeof text)) {
      address = text;
    }
  }
  if (fd >= 0) ::close(fd);
  ::freeaddrinfo(found);
  if (address.empty()) {
    throw UsageError("MASTER_ADDR = '" + host + "': no network interface of this machine routes " +
                     "to it (set GLOO_SOCKET_IFNAME)");
  }
  return address;
}

// Where the ranks meet (docs/distributed.md, "Who may connect").
struct Rendezvous {
  enum Kind { kFile, kTcp } kind = kFile;
  std::string path;  ///< kFile
  std::string host;  ///< kTcp
  int port = 0;
  bool local = false;  ///< every rank on this machine: Gloo on 127.0.0.1
  std::string describe() const {
    return kind == kFile ? "file " + path : "tcp " + host + ":" + std::to_string(port);
  }
};

Rendezvous choose_rendezvous(const LaunchEnvironment& launch, const std::string& init) {
  Rendezvous r;
  if (init.rfind("file://", 0) == 0) {
    r.kind = Rendezvous::kFile;
    r.path = init.substr(7);
    r.local = launch.single_machine();
    return r;
  }
  if (init.rfind("tcp://", 0) == 0) {
    const std::string address = init.substr(6);
    const size_t colon = address.rfind(':');
    char* end = nullptr;
    const long port =
        colon == std::string::npos ? 0 : std::strtol(address.c_str() + colon + 1, &end, 10);
    if (colon == std::string::npos || colon == 0 || !end || *end != '\0' || port < 1 ||
        port > 65535) {
      throw UsageError("--dist-init = '" + init + "': expected tcp://HOST:PORT");
    }
    r.kind = Rendezvous::kTcp;
    r.host = address.substr(0, colon);
    if (r.host.size() > 2 && r.host.front() == '[' && r.host.back() == ']')
      r.host = r.host.substr(1, r.host.size() - 2);
    r.port = static_cast<int>(port);
    r.local = launch.single_machine() && is_loopback(r.host);
    return r;
  }
  if (launch.single_machine()) {
    r.kind = Rendezvous::kFile;
    r.path = private_rendezvous_path(launch);
    r.local = true;
    return r;
  }
  if (launch.master_addr.empty() || launch.master_port == 0) {
    throw UsageError(launch.launcher + " started " + std::to_string(launch.size) + " ranks, " +
                     std::to_string(launch.local_size) +
                     " on this machine: a run across machines needs MASTER_ADDR and MASTER_PORT "
                     "(rank 0's host and a free port) or --dist-init tcp://HOST:PORT");
  }
  r.kind = Rendezvous::kTcp;
  r.host = launch.master_addr;
  r.port = launch.master_port;
  return r;
}

class C10dCommunicator : public Communicator {
 public:
  C10dCommunicator(const LaunchEnvironment& launch, const DistributedOptions& options,
                   DistBackend backend)
      : launch_(launch), options_(options), backend_(backend) {}

  int rank() const override { return launch_.rank; }
  int size() const override { return launch_.size; }
  std::string backend() const override { return to_string(backend_); }
  double timeout_seconds() const override { return options_.timeout_seconds; }

  void join();

  void all_reduce_sum(at::Tensor& t) override {
    collective("all-reduce", t,
               [&](std::vector<at::Tensor>& tensors) { return group_->allreduce(tensors); });
  }

  void broadcast(at::Tensor& t, int root) override {
    collective("broadcast", t, [&](std::vector<at::Tensor>& tensors) {
      c10d::BroadcastOptions o;
      o.rootRank = root;
      return group_->broadcast(tensors, o);
    });
  }

  int64_t add(const std::string& key, int64_t delta) override {
    return with_store("add", [&] { return store_->add(key, delta); });
  }

  void set(const std::string& key, const std::string& value) override {
    with_store("set", [&] {
      store_->set(key, std::vector<uint8_t>(value.begin(), value.end()));
      return 0;
    });
  }

  std::optional<std::string> try_get(const std::string& key) override {
    return with_store("get", [&]() -> std::optional<std::string> {
      if (!store_->check({key})) return std::nullopt;
      const std::vector<uint8_t> bytes = store_->get(key);
      return std::string(bytes.begin(), bytes.end());
    });
  }

  bool known_dead(int rank) override {
    const pid_t pid = local_pids_.at(static_cast<size_t>(rank));
    return pid > 0 && !process_alive(pid);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw DistributedError(launch_.who() + ": " + what);
  }

  template <class Start>
  void collective(const char* name, at::Tensor& t, Start&& start) {
    // Gloo reduces CPU tensors: a GPU tensor travels through the host (NCCL takes it as it is).
    const bool staged = backend_ == DistBackend::kGloo && !t.is_cpu();
    std::vector<at::Tensor> tensors{staged ? t.to(torch::kCPU) : t};
    try {
      start(tensors)->wait();
    } catch (...) {
      const std::string why = reason(std::current_exception());
      fail(std::string(name) + " of " + std::to_string(t.numel()) +
           " values failed: " + exited_ranks() + why +
           " (a peer rank died, left or did not answer within --dist-timeout " +
           seconds_text(options_.timeout_seconds) + " s)");
    }
    if (staged) t.copy_(tensors[0]);
  }

  // "rank 2 exited; " when ranks of this machine are gone: Gloo's error names only an address.
  // A killed process closes its sockets just before it becomes a zombie: look for up to 0.2 s.
  std::string exited_ranks() {
    for (int attempt = 0; attempt < 20; ++attempt) {
      std::string gone;
      for (int r = 0; r < launch_.size; ++r) {
        if (r != launch_.rank && known_dead(r))
          gone += (gone.empty() ? "" : ", ") + std::to_string(r);
      }
      if (!gone.empty()) return "rank " + gone + " exited; ";
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return "";
  }

  template <class Operation>
  auto with_store(const char* name, Operation&& operation) -> decltype(operation()) {
    try {
      return operation();
    } catch (...) {
      fail(std::string("rendezvous store ") + name +
           " failed: " + reason(std::current_exception()) + " (" + rendezvous_.describe() +
           "; a TCP store lives in rank 0: did it exit?)");
    }
  }

  void open_store();
  void wait_for_ranks();
  void create_group();

  LaunchEnvironment launch_;
  DistributedOptions options_;
  DistBackend backend_;
  Rendezvous rendezvous_;
  c10::intrusive_ptr<c10d::Store> root_store_;
  c10::intrusive_ptr<c10d::Store> store_;  ///< sharpscope's keys, under "sharpscope/"
  c10::intrusive_ptr<c10d::ProcessGroup> group_;
  std::vector<pid_t> local_pids_;  ///< per rank: its pid when on this machine, else 0
};

void C10dCommunicator::join() {
  rendezvous_ = choose_rendezvous(launch_, options_.init);
  open_store();
  store_ = c10::make_intrusive<c10d::PrefixStore>("sharpscope", root_store_);
  wait_for_ranks();
  create_group();
}

void C10dCommunicator::open_store() {
  const auto timeout = milliseconds(options_.timeout_seconds);
  try {
    if (rendezvous_.kind == Rendezvous::kFile) {
      root_store_ = c10::make_intrusive<c10d::FileStore>(rendezvous_.path, launch_.size);
      root_store_->setTimeout(timeout);
      return;
    }
    c10d::TCPStoreOptions o;
    o.port = static_cast<uint16_t>(rendezvous_.port);
    o.isServer = launch_.rank == 0;
    o.numWorkers = static_cast<size_t>(launch_.size);
    o.waitWorkers = false;  // wait_for_ranks counts them, with a message that says who is missing
    o.timeout = timeout;
    root_store_ = c10::make_intrusive<c10d::TCPStore>(rendezvous_.host, o);
  } catch (...) {
    const std::string why = reason(std::current_exception());
    if (rendezvous_.kind == Rendezvous::kFile) {
      fail("cannot open the rendezvous file " + rendezvous_.path + ": " + why);
    }
    if (launch_.rank == 0) {
      fail("cannot serve the rendezvous store on port " + std::to_string(rendezvous_.port) + ": " +
           why + " (is the port in use by another run?)");
    }
    fail("cannot reach the rendezvous store at " + rendezvous_.host + ":" +
         std::to_string(rendezvous_.port) + " within " + seconds_text(options_.timeout_seconds) +
         " s: " + why + " (is rank 0 running? check MASTER_ADDR/MASTER_PORT or --dist-init)");
  }
}

void C10dCommunicator::wait_for_ranks() {
  const std::string me = "join/rank" + std::to_string(launch_.rank);
  if (add(me, 1) != 1) {
    fail("another process already joined as rank " + std::to_string(launch_.rank) + " at " +
         rendezvous_.describe() +
         " (two launches share a MASTER_PORT or rendezvous file, or a stale file from a crashed "
         "run: remove it)");
  }
  add("join/count", 1);
  const auto deadline = Clock::now() + milliseconds(options_.timeout_seconds);
  int64_t joined = 0;
  while ((joined = add("join/count", 0)) < launch_.size) {
    if (Clock::now() > deadline) {
      fail("only " + std::to_string(joined) + " of " + std::to_string(launch_.size) +
           " ranks joined at " + rendezvous_.describe() + " within --dist-timeout " +
           seconds_text(options_.timeout_seconds) +
           " s (is the world size right, and did every rank start? ranks started through a "
           "per-rank wrapper derive different rendezvous files: give --dist-init)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (joined > launch_.size) {
    fail(std::to_string(joined) + " processes joined a world of " + std::to_string(launch_.size) +
         " at " + rendezvous_.describe());
  }
  // Who runs where: a rank of this machine that exits is noticed at once (known_dead), not only
  // after --dist-timeout.
  local_pids_.assign(static_cast<size_t>(launch_.size), 0);
  if (launch_.single_machine()) {
    set("pid/" + std::to_string(launch_.rank), std::to_string(::getpid()));
    for (int r = 0; r < launch_.size; ++r) {
      const auto deadline_pid = Clock::now() + milliseconds(options_.timeout_seconds);
      std::optional<std::string> pid;
      while (!(pid = try_get("pid/" + std::to_string(r))) && Clock::now() < deadline_pid) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      if (pid) local_pids_[static_cast<size_t>(r)] = static_cast<pid_t>(std::stol(*pid));
    }
  }
}

void C10dCommunicator::create_group() {
  const auto timeout = milliseconds(options_.timeout_seconds);
  const auto group_store = c10::make_intrusive<c10d::PrefixStore>("group", root_store_);
  try {
    if (backend_ == DistBackend::kNccl) {
#ifdef SHARPSCOPE_HAVE_NCCL
      // Without blocking wait, a lost peer would hang NCCL's wait() instead of timing out.
      ::setenv("NCCL_BLOCKING_WAIT", "1", 0);
      c10::cuda::set_device(static_cast<c10::DeviceIndex>(launch_.local_rank));
      auto o = c10d::ProcessGroupNCCL::Options::create();
      o->timeout = timeout;
      group_ =
          c10::make_intrusive<c10d::ProcessGroupNCCL>(group_store, launch_.rank, launch_.size, o);
      return;
#endif
      throw UsageError("--dist-backend = nccl: this LibTorch build has no NCCL");
    }
#ifdef SHARPSCOPE_HAVE_GLOO
    auto o = c10d::ProcessGroupGloo::Options::create(timeout);
    const char* interface = std::getenv("GLOO_SOCKET_IFNAME");
    if (rendezvous_.local) {
      o->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    } else if (interface && *interface) {
      o->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(interface));
    } else if (rendezvous_.kind == Rendezvous::kTcp) {
      o->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(
          local_address_towards(rendezvous_.host, rendezvous_.port)));
    } else {
      o->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    }
    group_ =
        c10::make_intrusive<c10d::ProcessGroupGloo>(group_store, launch_.rank, launch_.size, o);
#else
    throw UsageError("this build of sharpscope has no c10d Gloo backend");
#endif
  } catch (const UsageError&) {
    throw;
  } catch (...) {
    fail(to_string(backend_) + " process group failed to connect the " +
         std::to_string(launch_.size) + " ranks: " + reason(std::current_exception()));
  }
}

}  // namespace

std::unique_ptr<Communicator> join_launch(const LaunchEnvironment& launch,
                                          const DistributedOptions& options, DistBackend backend) {
  auto communicator = std::make_unique<C10dCommunicator>(launch, options, backend);
  communicator->join();
  return communicator;
}

#endif

}  // namespace sharpscope::detail
