#include "core/distributed.h"

#include <ATen/ATen.h>
#include <torch/version.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <regex>
#include <thread>

#include "core/errors.h"
#include "core/log.h"

namespace wn {
namespace {

int parse_int(const char* name, const char* value) {
  try {
    std::size_t used = 0;
    const int v = std::stoi(value, &used);
    if (used != std::string(value).size()) throw std::invalid_argument(name);
    return v;
  } catch (const std::exception&) {
    throw UserError(std::string("environment variable ") + name + " must be an integer, got '" + value + "'");
  }
}

// c10::Error messages carry a C++ backtrace; users get the first line.
std::string short_message(const std::exception& e) {
  if (const auto* c10_error = dynamic_cast<const c10::Error*>(&e)) return c10_error->what_without_backtrace();
  return e.what();
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

// Every rank bumps a counter in the rendezvous store once a second, from a connection of its
// own. A failed or timed-out collective does not say whom it waited for; the counters that stopped
// moving do (a killed, stopped or hung rank), and a store that no longer answers means rank 0,
// which hosts it, is gone.
class Heartbeat {
 public:
  using StoreFactory = std::function<c10::intrusive_ptr<c10d::Store>()>;
  static constexpr std::chrono::milliseconds kInterval{1000};

  Heartbeat(StoreFactory connect, int rank, int world_size)
      : connect_(std::move(connect)), rank_(rank), world_size_(world_size), thread_([this] { beat(); }) {}

  ~Heartbeat() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }

  // Ranks other than this one whose counter did not move for `window`; {0} when the store does
  // not answer. Empty when every peer is alive (the failure was something else).
  std::vector<int> silent_ranks(std::chrono::milliseconds window) const {
    try {
      const auto store = connect_();
      const std::vector<int64_t> before = counters(*store);
      std::this_thread::sleep_for(window);
      const std::vector<int64_t> after = counters(*store);
      std::vector<int> silent;
      for (int r = 0; r < world_size_; ++r) {
        if (r != rank_ && after[static_cast<std::size_t>(r)] == before[static_cast<std::size_t>(r)]) silent.push_back(r);
      }
      return silent;
    } catch (const std::exception&) {
      return rank_ == 0 ? std::vector<int>{} : std::vector<int>{0};
    }
  }

  // The latest counter of `rank` as seen from here, or -1 when the store does not answer.
  int64_t counter_of(int rank) const {
    try {
      const auto store = connect_();
      return counters(*store)[static_cast<std::size_t>(rank)];
    } catch (const std::exception&) {
      return -1;
    }
  }

 private:
  static std::string key(int rank) { return "wavenet/alive/" + std::to_string(rank); }

  std::vector<int64_t> counters(c10d::Store& store) const {
    std::vector<int64_t> values(static_cast<std::size_t>(world_size_), 0);
    for (int r = 0; r < world_size_; ++r) {
      if (!store.check({key(r)})) continue;
      const std::vector<uint8_t> bytes = store.get(key(r));
      values[static_cast<std::size_t>(r)] = std::stoll(std::string(bytes.begin(), bytes.end()));
    }
    return values;
  }

  void beat() {
    c10::intrusive_ptr<c10d::Store> store;
    int64_t count = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      try {
        if (!store) store = connect_();
        const std::string text = std::to_string(++count);
        store->set(key(rank_), std::vector<uint8_t>(text.begin(), text.end()));
      } catch (const std::exception&) {
        store.reset();  // the store host is gone; the collectives will say so
      }
      lock.lock();
      changed_.wait_for(lock, kInterval, [this] { return stopping_; });
    }
  }

  StoreFactory connect_;
  int rank_;
  int world_size_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  std::thread thread_;
};

std::string rank_list(const std::vector<int>& ranks) {
  std::string text = ranks.size() == 1 ? "rank " : "ranks ";
  for (std::size_t i = 0; i < ranks.size(); ++i) text += (i ? ", " : "") + std::to_string(ranks[i]);
  return text;
}

// The class the Gloo and NCCL groups derive from: c10d::ProcessGroup until LibTorch 1.13,
// c10d::Backend from 2.0 on (ProcessGroup became a dispatcher over backends). Same collectives.
#if TORCH_VERSION_MAJOR >= 2
using CollectiveGroup = c10d::Backend;
#else
using CollectiveGroup = c10d::ProcessGroup;
#endif

class C10dCommunicator final : public Communicator {
 public:
  C10dCommunicator(c10::intrusive_ptr<c10d::Store> store, c10::intrusive_ptr<CollectiveGroup> group,
                   std::string backend, Heartbeat::StoreFactory connect, std::chrono::milliseconds timeout, int cuda_device)
      : store_(std::move(store)),
        group_(std::move(group)),
        backend_(std::move(backend)),
        timeout_(timeout),
        cuda_device_(cuda_device),
        heartbeat_(std::make_unique<Heartbeat>(std::move(connect), group_->getRank(), group_->getSize())) {}

  int rank() const override { return group_->getRank(); }
  int world_size() const override { return group_->getSize(); }
  std::string backend() const override { return backend_; }

  void broadcast(const std::vector<at::Tensor>& tensors, int root) override {
    for (const auto& t : tensors) {
      std::vector<at::Tensor> one = {t};
      c10d::BroadcastOptions options;
      options.rootRank = root;
      wait(group_->broadcast(one, options));
    }
  }

  void average(const std::vector<at::Tensor>& tensors, std::size_t bucket_bytes) override {
    std::size_t begin = 0;
    while (begin < tensors.size()) {
      // Tensors [begin, end) of one dtype and device make one bucket.
      std::size_t end = begin, bytes = 0;
      while (end < tensors.size() && (end == begin || bytes + tensors[end].nbytes() <= bucket_bytes) &&
             tensors[end].scalar_type() == tensors[begin].scalar_type() &&
             tensors[end].device() == tensors[begin].device()) {
        bytes += tensors[end].nbytes();
        ++end;
      }
      std::vector<at::Tensor> flat_parts;
      for (std::size_t i = begin; i < end; ++i) flat_parts.push_back(tensors[i].reshape({-1}));
      std::vector<at::Tensor> bucket = {at::cat(flat_parts)};
      wait(group_->allreduce(bucket));
      bucket[0].div_(world_size());
      int64_t offset = 0;
      for (std::size_t i = begin; i < end; ++i) {
        const int64_t n = tensors[i].numel();
        tensors[i].view({-1}).copy_(bucket[0].narrow(0, offset, n));
        offset += n;
      }
      begin = end;
    }
  }

  at::Tensor all_gather(const at::Tensor& tensor) override {
    const at::Tensor input = tensor.contiguous();
    std::vector<at::Tensor> parts;
    for (int r = 0; r < world_size(); ++r) parts.push_back(at::empty_like(input));
    std::vector<std::vector<at::Tensor>> outputs = {parts};
    std::vector<at::Tensor> inputs = {input};
    wait(group_->allgather(outputs, inputs));
    return at::stack(outputs[0]);
  }

  // NCCL's barrier runs an all-reduce on a device it must otherwise guess (and may guess one
  // another rank uses): name this rank's.
  void barrier() override {
    c10d::BarrierOptions options;
    if (cuda_device_ >= 0) options.device_ids = {static_cast<int64_t>(cuda_device_)};
    wait(group_->barrier(options));
  }

  // Rank 0's solo work (evaluation, a checkpoint) may take long, so the wait is `timeout`; but a
  // rank 0 whose heartbeat stops for the collective timeout is reported then, not hours later.
  void wait_for_primary(const std::string& key, std::chrono::milliseconds timeout) override {
    const std::string full = "wavenet/primary/" + key;
    try {
      if (rank() == 0) {
        store_->set(full, std::vector<uint8_t>{1});
        return;
      }
      const auto start = std::chrono::steady_clock::now();
      int64_t last_beat = heartbeat_->counter_of(0);
      auto last_change = start, last_look = start;
      while (!store_->check({full})) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        const auto now = std::chrono::steady_clock::now();
        if (now - start > timeout) throw UserError("distributed training: rank 0 did not finish " + key + " in time");
        if (now - last_look < Heartbeat::kInterval) continue;
        last_look = now;
        const int64_t beat = heartbeat_->counter_of(0);
        if (beat >= 0 && beat != last_beat) last_change = now;
        last_beat = beat;
        if (now - last_change > timeout_) {
          throw UserError("distributed training: rank 0 stopped responding during " + key + " (no heartbeat for " +
                          std::to_string(timeout_.count() / 1000) + " s)");
        }
      }
    } catch (const UserError&) {
      throw;
    } catch (const std::exception& e) {
      // The store lives in rank 0: when it stops answering, so has rank 0.
      throw UserError("distributed training: rank 0 stopped responding during " + key + " (" + short_message(e) + ")");
    }
  }

 private:
  void wait(const c10::intrusive_ptr<c10d::Work>& work) const {
    try {
      work->wait();
    } catch (const std::exception& e) {
      const std::vector<int> silent = heartbeat_->silent_ranks(3 * Heartbeat::kInterval);
      const std::string who = silent.empty() ? "a peer failed or timed out" : rank_list(silent) + " stopped responding";
      throw UserError("distributed training: " + who + " (" + short_message(e) + ")");
    }
  }
  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<CollectiveGroup> group_;
  std::string backend_;
  std::chrono::milliseconds timeout_;
  int cuda_device_ = -1;  // -1: the group runs on the CPU
  std::unique_ptr<Heartbeat> heartbeat_;
};

}  // namespace

std::string first_slurm_host(const std::string& nodelist) {
  // prefix[01-04,07] or prefix[3,5] or plain names separated by commas.
  static const std::regex bracket(R"(^([^,\[]+)\[([0-9]+)[^\]]*\].*$)");
  std::smatch m;
  if (std::regex_match(nodelist, m, bracket)) return m[1].str() + m[2].str();
  return nodelist.substr(0, nodelist.find(','));
}

DistributedEnv distributed_env_from(const std::function<const char*(const char*)>& getenv) {
  DistributedEnv env;
  if (const char* rank = getenv("RANK")) {
    env.launcher = "torchrun";
    env.rank = parse_int("RANK", rank);
    const char* world = getenv("WORLD_SIZE");
    if (!world) throw UserError("RANK is set but WORLD_SIZE is not");
    env.world_size = parse_int("WORLD_SIZE", world);
    if (const char* local = getenv("LOCAL_RANK")) env.local_rank = parse_int("LOCAL_RANK", local);
    if (const char* addr = getenv("MASTER_ADDR")) env.master_addr = addr;
    if (const char* port = getenv("MASTER_PORT")) env.master_port = parse_int("MASTER_PORT", port);
    if (const char* agent = getenv("TORCHELASTIC_USE_AGENT_STORE")) env.agent_store = std::string(agent) == "True";
    if (const char* restarts = getenv("TORCHELASTIC_RESTART_COUNT")) env.restart_count = restarts;
  } else if (const char* procid = getenv("SLURM_PROCID")) {
    env.launcher = "slurm";
    env.rank = parse_int("SLURM_PROCID", procid);
    const char* tasks = getenv("SLURM_NTASKS");
    if (!tasks) throw UserError("SLURM_PROCID is set but SLURM_NTASKS is not");
    env.world_size = parse_int("SLURM_NTASKS", tasks);
    if (const char* local = getenv("SLURM_LOCALID")) env.local_rank = parse_int("SLURM_LOCALID", local);
    if (const char* addr = getenv("MASTER_ADDR")) {
      env.master_addr = addr;
    } else if (const char* nodes = getenv("SLURM_JOB_NODELIST")) {
      env.master_addr = first_slurm_host(nodes);
    }
    if (const char* port = getenv("MASTER_PORT")) env.master_port = parse_int("MASTER_PORT", port);
  }
  if (env.world_size < 1 || env.rank < 0 || env.rank >= env.world_size) {
    throw UserError("rank " + std::to_string(env.rank) + " is outside world size " +
                    std::to_string(env.world_size));
  }
  return env;
}

DistributedEnv distributed_env() {
  return distributed_env_from([](const char* name) { return std::getenv(name); });
}

std::unique_ptr<Communicator> Communicator::connect(const DistributedEnv& env, int cuda_device,
                                                    std::chrono::milliseconds timeout) {
  c10d::TCPStoreOptions options;
  options.port = static_cast<std::uint16_t>(env.master_port);
  options.isServer = env.rank == 0 && !env.agent_store;
  options.numWorkers = env.agent_store ? c10::nullopt : c10::optional<std::size_t>(env.world_size);
  options.waitWorkers = false;
  options.timeout = timeout;
  c10::intrusive_ptr<c10d::Store> store;
  try {
    store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, options);
  } catch (const std::exception& e) {
    throw UserError("cannot reach the rendezvous at " + env.master_addr + ":" +
                    std::to_string(env.master_port) + " (" + short_message(e) + ")");
  }
  if (env.agent_store) {
    store = c10::make_intrusive<c10d::PrefixStore>("/worker/attempt_" + env.restart_count, store);
  }
  store->setTimeout(timeout);
  // Short-lived client connections to the same store, for the heartbeat (a connection is used by
  // one thread at a time: the heartbeat's own, or one made for a question after a failure).
  const Heartbeat::StoreFactory connect_client = [env] {
    c10d::TCPStoreOptions client;
    client.port = static_cast<std::uint16_t>(env.master_port);
    client.isServer = false;
    client.waitWorkers = false;
    client.timeout = std::chrono::milliseconds(3000);
    c10::intrusive_ptr<c10d::Store> s = c10::make_intrusive<c10d::TCPStore>(env.master_addr, client);
    if (env.agent_store) s = c10::make_intrusive<c10d::PrefixStore>("/worker/attempt_" + env.restart_count, s);
    return s;
  };

#ifdef USE_C10D_NCCL
  if (cuda_device >= 0) {
    // Without it a dead peer leaves NCCL collectives waiting forever instead of failing after
    // `timeout` as Gloo's do (the user's own setting wins).
    setenv("NCCL_ASYNC_ERROR_HANDLING", "1", /*overwrite=*/0);
    auto nccl_options = c10d::ProcessGroupNCCL::Options::create();
    nccl_options->timeout = timeout;
    auto group = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, env.rank, env.world_size, nccl_options);
    return std::make_unique<C10dCommunicator>(store, group, "nccl", connect_client, timeout, cuda_device);
  }
#else
  if (cuda_device >= 0) {
    WN_LOG(warn) << "this build has no NCCL: CUDA training falls back to Gloo, which moves every gradient through host memory";
  }
#endif
#ifdef USE_C10D_GLOO
  auto gloo_options = c10d::ProcessGroupGloo::Options::create(timeout);
  // On one machine stay on loopback; across hosts bind to the address the hostname resolves to.
  gloo_options->devices.push_back(is_loopback(env.master_addr)
                                      ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                                      : c10d::ProcessGroupGloo::createDefaultDevice());
  gloo_options->threads = 2;
  try {
    auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, env.rank, env.world_size, gloo_options);
    return std::make_unique<C10dCommunicator>(store, group, "gloo", connect_client, timeout, -1);
  } catch (const std::exception& e) {
    throw UserError(std::string("distributed rendezvous failed: ") + short_message(e));
  }
#else
  throw UserError("this build has no distributed backend (install libgloo-dev and rebuild)");
#endif
}

}  // namespace wn
