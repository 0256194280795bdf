// The persistent thread team: every member runs every job, jobs run one after another on the
// same threads (members that slept between jobs wake up), and the team's barrier keeps the
// members of one job in lockstep.

#include "core/thread_team.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

namespace wn {
namespace {

TEST(ThreadTeam, EveryMemberRunsEveryJobOnTheSameThreads) {
  ThreadTeam team(3);
  ASSERT_EQ(team.size(), 3);
  std::vector<std::thread::id> first(3), later(3);
  std::vector<int> runs(3, 0);
  team.run([&](int member) { first[member] = std::this_thread::get_id(); });
  EXPECT_EQ(std::set<std::thread::id>(first.begin(), first.end()).size(), 3u);
  EXPECT_EQ(first[0], std::this_thread::get_id()) << "member 0 is the caller";
  for (int job = 0; job < 500; ++job) {
    team.run([&](int member) {
      ++runs[member];
      later[member] = std::this_thread::get_id();
    });
    if (job == 250) std::this_thread::sleep_for(std::chrono::milliseconds(20));  // members fall asleep
  }
  EXPECT_EQ(runs, (std::vector<int>{500, 500, 500}));
  EXPECT_EQ(later, first);
}

TEST(ThreadTeam, BarrierKeepsAJobInLockstep) {
  ThreadTeam team(2);
  std::vector<int> step(2, 0);
  std::atomic<bool> mismatch{false};
  team.run([&](int member) {
    for (int i = 1; i <= 1000; ++i) {
      step[member] = i;
      team.barrier().wait();
      if (step[1 - member] != i) mismatch = true;
      team.barrier().wait();
    }
  });
  EXPECT_FALSE(mismatch.load());
}

TEST(ThreadTeam, OneMemberRunsOnTheCaller) {
  ThreadTeam team(0);  // clamped to one
  EXPECT_EQ(team.size(), 1);
  std::thread::id ran;
  team.run([&](int member) {
    EXPECT_EQ(member, 0);
    ran = std::this_thread::get_id();
  });
  EXPECT_EQ(ran, std::this_thread::get_id());
}

}  // namespace
}  // namespace wn
