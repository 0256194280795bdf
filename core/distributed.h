#pragma once
// Data-parallel collectives over LibTorch's c10d: a TCPStore rendezvous, then ProcessGroupNCCL
// on CUDA builds that have it or ProcessGroupGloo otherwise. Ranks come from torchrun's
// variables, SLURM's, or our own spawner (which sets torchrun's). c10d stays out of this header.

#include <ATen/core/Tensor.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace wn {

struct DistributedEnv {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  bool agent_store = false;        // torchrun: the agent hosts the store, every rank is a client
  std::string restart_count = "0"; // torchrun: store keys live under /worker/attempt_<n>
  std::string launcher = "none";   // none | torchrun | slurm
};

// Reads RANK/WORLD_SIZE/LOCAL_RANK/MASTER_ADDR/MASTER_PORT (torchrun, our spawner), else
// SLURM_PROCID/SLURM_NTASKS/SLURM_LOCALID with the first host of SLURM_JOB_NODELIST, else a
// single process. `getenv` is injectable for tests. Throws UserError on inconsistent values.
DistributedEnv distributed_env_from(const std::function<const char*(const char*)>& getenv);
DistributedEnv distributed_env();

// "node[01-04],gpu7" -> "node01": the first host of a SLURM node list.
std::string first_slurm_host(const std::string& nodelist);

class Communicator {
 public:
  // Joins the group; throws UserError when the rendezvous does not complete within `timeout`.
  // `cuda_device` is this rank's CUDA device (NCCL when the build has it), or -1 for the CPU
  // (Gloo).
  static std::unique_ptr<Communicator> connect(const DistributedEnv& env, int cuda_device,
                                               std::chrono::milliseconds timeout);
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  virtual std::string backend() const = 0;
  // Rank `root`'s values into everyone's tensors, in place.
  virtual void broadcast(const std::vector<at::Tensor>& tensors, int root) = 0;
  // Element-wise mean over ranks, in place, flattening tensors into buckets of about
  // `bucket_bytes` so each bucket is one all-reduce.
  virtual void average(const std::vector<at::Tensor>& tensors, std::size_t bucket_bytes) = 0;
  // Every rank's `tensor` (same shape on every rank), stacked by rank: (world_size, ...shape).
  virtual at::Tensor all_gather(const at::Tensor& tensor) = 0;
  virtual void barrier() = 0;
  // For work only rank 0 does (evaluation, checkpoints), which can outlast the collective
  // timeout: rank 0 marks `key` done in the rendezvous store, the others wait for the mark for
  // up to `timeout`.
  virtual void wait_for_primary(const std::string& key, std::chrono::milliseconds timeout) = 0;
};

}  // namespace wn
