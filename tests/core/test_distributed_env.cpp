#include <gtest/gtest.h>

#include <map>

#include "core/distributed.h"
#include "core/errors.h"
#include "core/process_spawner.h"

namespace wn {
namespace {

DistributedEnv env_of(const std::map<std::string, std::string>& vars) {
  return distributed_env_from([&](const char* name) -> const char* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  });
}

TEST(DistributedEnv, SingleProcessByDefault) {
  const DistributedEnv e = env_of({});
  EXPECT_EQ(e.launcher, "none");
  EXPECT_EQ(e.world_size, 1);
  EXPECT_EQ(e.rank, 0);
}

TEST(DistributedEnv, Torchrun) {
  const DistributedEnv e = env_of({{"RANK", "3"}, {"WORLD_SIZE", "8"}, {"LOCAL_RANK", "1"}, {"MASTER_ADDR", "node7"},
                                   {"MASTER_PORT", "29501"}, {"TORCHELASTIC_USE_AGENT_STORE", "True"},
                                   {"TORCHELASTIC_RESTART_COUNT", "2"}});
  EXPECT_EQ(e.launcher, "torchrun");
  EXPECT_EQ(e.rank, 3);
  EXPECT_EQ(e.world_size, 8);
  EXPECT_EQ(e.local_rank, 1);
  EXPECT_EQ(e.master_addr, "node7");
  EXPECT_EQ(e.master_port, 29501);
  EXPECT_TRUE(e.agent_store);
  EXPECT_EQ(e.restart_count, "2");
}

TEST(DistributedEnv, Slurm) {
  const DistributedEnv e = env_of({{"SLURM_PROCID", "5"}, {"SLURM_NTASKS", "16"}, {"SLURM_LOCALID", "1"},
                                   {"SLURM_JOB_NODELIST", "gpu[03-06],gpu9"}});
  EXPECT_EQ(e.launcher, "slurm");
  EXPECT_EQ(e.rank, 5);
  EXPECT_EQ(e.world_size, 16);
  EXPECT_EQ(e.local_rank, 1);
  EXPECT_EQ(e.master_addr, "gpu03");
}

TEST(DistributedEnv, SlurmNodeLists) {
  EXPECT_EQ(first_slurm_host("node01"), "node01");
  EXPECT_EQ(first_slurm_host("a,b,c"), "a");
  EXPECT_EQ(first_slurm_host("n[7,9]"), "n7");
  EXPECT_EQ(first_slurm_host("rack2-[001-128]"), "rack2-001");
}

TEST(DistributedEnv, BadValuesAreUserErrors) {
  EXPECT_THROW(env_of({{"RANK", "x"}, {"WORLD_SIZE", "2"}}), UserError);
  EXPECT_THROW(env_of({{"RANK", "2"}, {"WORLD_SIZE", "2"}}), UserError);
  EXPECT_THROW(env_of({{"RANK", "0"}}), UserError);
  EXPECT_THROW(env_of({{"SLURM_PROCID", "0"}}), UserError);
}

TEST(ProcessSpawner, FreePortIsUsable) {
  const int port = find_free_port();
  EXPECT_GT(port, 1024);
  EXPECT_LT(port, 65536);
}

}  // namespace
}  // namespace wn
