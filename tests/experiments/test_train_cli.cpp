// `wavenet train` as users run it, including real multi-process data parallelism over Gloo on
// 127.0.0.1: --nproc 2 with batch B equals one process with batch 2B, and a dead rank stops the
// job with an error instead of a hang. Every wait here is bounded.

#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "core/checkpoint.h"
#include "core/process_spawner.h"
#include "nets/training/train_state.h"
#include "tests/nets/training_fixtures.h"
#include "tests/test_support.h"

namespace wn {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Starts the program with extra environment variables; stdout+stderr go to `log`.
pid_t start(const std::vector<std::string>& args, const std::vector<std::pair<std::string, std::string>>& env,
            const fs::path& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> argv = {const_cast<char*>(WAVENET_EXE)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(WAVENET_EXE, argv.data());
    _exit(127);
  }
  return pid;
}

// Waits up to `limit` for pid; returns its wait status, or kills it and fails the test.
int wait_bounded(pid_t pid, std::chrono::seconds limit) {
  const auto deadline = Clock::now() + limit;
  int status = 0;
  while (Clock::now() < deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  ADD_FAILURE() << "process " << pid << " did not finish within " << limit.count() << " s";
  return -1;
}

bool wait_for_file(const fs::path& dir, const std::string& prefix, std::chrono::seconds limit) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (fs::exists(dir)) {
      for (const auto& e : fs::directory_iterator(dir)) {
        if (e.path().filename().string().rfind(prefix, 0) == 0) return true;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

struct Job {
  test::TempDir dir;
  fs::path config_file;
  explicit Job(std::vector<std::string> overrides) : Job(test::small_training_config(overrides)) {}
  explicit Job(const Config& config) {
    test::write_small_corpus(dir / "data", config, 8);
    config_file = dir / "config.yaml";
    test::write_text(config_file, config_to_yaml(config));
  }
  std::vector<std::string> train_args(const std::string& run, std::vector<std::string> extra = {}) const {
    std::vector<std::string> args = {"--log-level", "warn", "train", "--data", (dir / "data").string(),
                                     "--run-dir", (dir / run).string(), "--config", config_file.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
};

// The largest difference between the weights of two runs' latest checkpoints.
double largest_weight_difference(const fs::path& run_a, const fs::path& run_b) {
  const auto a = read_checkpoint_weights(*CheckpointDirectory(run_a).latest(), false);
  const auto b = read_checkpoint_weights(*CheckpointDirectory(run_b).latest(), false);
  EXPECT_EQ(a.weights.size(), b.weights.size());
  double worst = 0;
  for (std::size_t i = 0; i < a.weights.size() && i < b.weights.size(); ++i) {
    worst = std::max(worst, (a.weights[i].second - b.weights[i].second).abs().max().item<double>());
  }
  return worst;
}

// Two ranks with batch 2 end where one process with batch 4 does, and one process with batch 2
// (half the samples) ends elsewhere, so the match is not trivial.
void expect_two_ranks_equal_one_with_double_batch(const Job& job) {
  const int two = wait_bounded(start(job.train_args("two", {"--nproc", "2", "train.batch_size=2"}), {}, job.dir / "two.log"),
                               std::chrono::seconds(120));
  ASSERT_TRUE(WIFEXITED(two) && WEXITSTATUS(two) == 0) << test::read_text(job.dir / "two.log");
  const int one = wait_bounded(start(job.train_args("one", {"train.batch_size=4"}), {}, job.dir / "one.log"), std::chrono::seconds(120));
  ASSERT_TRUE(WIFEXITED(one) && WEXITSTATUS(one) == 0) << test::read_text(job.dir / "one.log");
  EXPECT_EQ(read_checkpoint_weights(*CheckpointDirectory(job.dir / "two").latest(), false).step, 4);
  const double worst = largest_weight_difference(job.dir / "two", job.dir / "one");
  EXPECT_LT(worst, 1e-5) << "largest parameter difference";
  std::printf("two ranks x batch 2 vs one process x batch 4: largest parameter difference %.2e\n", worst);

  const int half = wait_bounded(start(job.train_args("half", {"train.batch_size=2"}), {}, job.dir / "half.log"), std::chrono::seconds(120));
  ASSERT_TRUE(WIFEXITED(half) && WEXITSTATUS(half) == 0) << test::read_text(job.dir / "half.log");
  EXPECT_GT(largest_weight_difference(job.dir / "half", job.dir / "one"), 100 * worst + 1e-6);
}

TEST(TrainCli, TwoProcessesEqualOneWithDoubleBatch) {
  expect_two_ranks_equal_one_with_double_batch(Job({"train.max_steps=4", "train.checkpoint_every=4"}));
}

// The rating network likewise: each rank's batches carry their utterances' standardised targets.
TEST(TrainCli, RatingTwoRanksEqualOneWithDoubleBatch) {
  expect_two_ranks_equal_one_with_double_batch(Job(resolve_config(
      std::nullopt, {"audio.hop_length=16", "audio.n_mels=8", "audio.n_fft=64", "audio.win_length=64", "audio.fmin=0",
                     "audio.fmax=4000", "audio.sample_rate=8000", "model.type=rating", "model.conv_channels=8",
                     "model.dense_channels=4", "train.max_time_steps=128", "train.max_steps=4", "train.checkpoint_every=4",
                     "train.log_every=2", "train.eval_every=0", "train.lr_schedule=constant", "train.lr=0.003",
                     "train.device=cpu", "train.dist_timeout_s=20"})));
}

// SampleRNN under truncated backpropagation through time on two ranks, evaluating on the steps
// it checkpoints (the state is gathered before rank 0 evaluates): rank 0's checkpoint holds
// both ranks' hidden states, and a run stopped and resumed ends exactly where an uninterrupted
// one does.
TEST(TrainCli, SampleRnnTwoRanksResumeExactly) {
  Job job(test::small_samplernn_config(
      {"train.max_steps=4", "train.checkpoint_every=2", "train.eval_every=2", "train.eval_audio_seconds=0.01"}));
  auto run = [&](const std::string& dir, const std::string& steps) {
    const fs::path log = job.dir / (dir + "_" + steps + ".log");
    const int status = wait_bounded(start(job.train_args(dir, {"--nproc", "2", "train.max_steps=" + steps}), {}, log),
                                    std::chrono::seconds(120));
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << test::read_text(log);
  };
  run("straight", "4");
  run("resumed", "2");
  run("resumed", "4");
  const auto checkpoint = load_checkpoint_file(*CheckpointDirectory(job.dir / "straight").latest());
  ASSERT_TRUE(checkpoint.contains("carried_state"));
  EXPECT_EQ(checkpoint.at("carried_world").toInt(), 2);
  for (const auto& entry : checkpoint.at("carried_state").toGenericDict()) {
    EXPECT_EQ(entry.value().toTensor().size(0), 2) << "one state per rank: " << entry.key().toStringRef();
    EXPECT_EQ(entry.value().toTensor().size(1), 2) << "one per batch row";
  }
  const auto straight = read_checkpoint_weights(*CheckpointDirectory(job.dir / "straight").latest(), false);
  const auto resumed = read_checkpoint_weights(*CheckpointDirectory(job.dir / "resumed").latest(), false);
  EXPECT_EQ(resumed.step, 4);
  ASSERT_EQ(straight.weights.size(), resumed.weights.size());
  for (std::size_t i = 0; i < straight.weights.size(); ++i) {
    EXPECT_TRUE(torch::equal(straight.weights[i].second, resumed.weights[i].second)) << straight.weights[i].first;
  }
}

// Rank 1 is lost (killed, or stopped so that it never answers); rank 0, started without our
// spawner as torchrun would start it, must give up within the timeout and name rank 1 itself:
// its heartbeat in the rendezvous store stopped.
void lose_rank_one(int signal_number) {
  Job job({"train.max_steps=1000000", "train.checkpoint_every=1000000", "train.dist_timeout_s=8"});
  const std::string port = std::to_string(find_free_port());
  auto env_for = [&](int rank) {
    return std::vector<std::pair<std::string, std::string>>{
        {"RANK", std::to_string(rank)}, {"WORLD_SIZE", "2"}, {"LOCAL_RANK", std::to_string(rank)},
        {"LOCAL_WORLD_SIZE", "2"}, {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", port}};
  };
  const pid_t rank0 = start(job.train_args("run"), env_for(0), job.dir / "rank0.log");
  const pid_t rank1 = start(job.train_args("run"), env_for(1), job.dir / "rank1.log");
  ASSERT_TRUE(wait_for_file(job.dir / "run", "events.out", std::chrono::seconds(60)));
  std::this_thread::sleep_for(std::chrono::seconds(1));  // well into training steps
  kill(rank1, signal_number);
  const auto lost_at = Clock::now();
  const int status = wait_bounded(rank0, std::chrono::seconds(60));
  const double took = std::chrono::duration<double>(Clock::now() - lost_at).count();
  kill(rank1, SIGKILL);
  waitpid(rank1, nullptr, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << test::read_text(job.dir / "rank0.log");
  EXPECT_LT(took, 8 + 15) << "the survivor must give up within the timeout";
  EXPECT_NE(test::read_text(job.dir / "rank0.log").find("wavenet: error: distributed training: rank 1 stopped responding"),
            std::string::npos)
      << test::read_text(job.dir / "rank0.log");
}

TEST(TrainCli, KilledRankStopsTheOthersWithAnError) { lose_rank_one(SIGKILL); }

TEST(TrainCli, StoppedRankIsNamedByTheOthersWithinTheTimeout) { lose_rank_one(SIGSTOP); }

TEST(TrainCli, SpawnerStopsAllWorkersWhenOneDies) {
  Job job({"train.max_steps=1000000", "train.checkpoint_every=1000000", "train.dist_timeout_s=10"});
  const pid_t parent = start(job.train_args("run", {"--nproc", "2"}), {}, job.dir / "parent.log");
  ASSERT_TRUE(wait_for_file(job.dir / "run", "events.out", std::chrono::seconds(60)));
  // Kill one worker: a child of the spawner.
  pid_t victim = 0;
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::ifstream stat(e.path() / "stat");
    std::string pid, name, state;
    pid_t ppid = 0;
    if (stat >> pid >> name >> state >> ppid && ppid == parent) victim = std::stoi(pid);
  }
  ASSERT_GT(victim, 0);
  kill(victim, SIGKILL);
  const int status = wait_bounded(parent, std::chrono::seconds(60));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2);
  EXPECT_NE(test::read_text(job.dir / "parent.log").find("was killed by signal"), std::string::npos)
      << test::read_text(job.dir / "parent.log");
}

// A worker stopped by a signal never exits and never answers; its peers would only see a timeout.
TEST(TrainCli, SpawnerNamesAndKillsAStoppedWorker) {
  Job job({"train.max_steps=1000000", "train.checkpoint_every=1000000", "train.dist_timeout_s=4"});
  const pid_t parent = start(job.train_args("run", {"--nproc", "2"}), {}, job.dir / "parent.log");
  ASSERT_TRUE(wait_for_file(job.dir / "run", "events.out", std::chrono::seconds(60)));
  pid_t victim = 0;
  std::string victim_rank;
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::ifstream stat(e.path() / "stat");
    std::string pid, name, state;
    pid_t ppid = 0;
    if (!(stat >> pid >> name >> state >> ppid) || ppid != parent) continue;
    victim = std::stoi(pid);
    std::ifstream environ(e.path() / "environ");
    for (std::string var; std::getline(environ, var, '\0');) {
      if (var.rfind("RANK=", 0) == 0) victim_rank = var.substr(5);
    }
  }
  ASSERT_GT(victim, 0);
  ASSERT_FALSE(victim_rank.empty());
  kill(victim, SIGSTOP);
  const auto stopped_at = Clock::now();
  const int status = wait_bounded(parent, std::chrono::seconds(60));
  const double took = std::chrono::duration<double>(Clock::now() - stopped_at).count();
  kill(victim, SIGKILL);  // in case the spawner did not
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << test::read_text(job.dir / "parent.log");
  EXPECT_LT(took, 4 + 15) << "named within the collective timeout and the workers' grace";
  EXPECT_NE(test::read_text(job.dir / "parent.log").find("worker rank " + victim_rank + " stopped responding"),
            std::string::npos)
      << test::read_text(job.dir / "parent.log");
}

TEST(TrainCli, SigintToTheSpawnerStopsWorkersGracefully) {
  Job job({"train.max_steps=1000000", "train.checkpoint_every=1000000"});
  const pid_t parent = start(job.train_args("run", {"--nproc", "2"}), {}, job.dir / "parent.log");
  ASSERT_TRUE(wait_for_file(job.dir / "run", "events.out", std::chrono::seconds(60)));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  kill(parent, SIGINT);  // only the parent: it must pass the signal on
  const int status = wait_bounded(parent, std::chrono::seconds(60));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << test::read_text(job.dir / "parent.log");
  EXPECT_TRUE(CheckpointDirectory(job.dir / "run").latest().has_value()) << "workers checkpoint when stopped";
}

TEST(TrainCli, SigintCheckpointsAndResumes) {
  Job job({"train.max_steps=1000000", "train.checkpoint_every=1000000"});
  const pid_t pid = start(job.train_args("run"), {}, job.dir / "run.log");
  ASSERT_TRUE(wait_for_file(job.dir / "run", "events.out", std::chrono::seconds(60)));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  kill(pid, SIGINT);
  const int status = wait_bounded(pid, std::chrono::seconds(60));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << test::read_text(job.dir / "run.log");
  const auto latest = CheckpointDirectory(job.dir / "run").latest();
  ASSERT_TRUE(latest.has_value()) << "a graceful stop writes a checkpoint";
  const int64_t stopped_at = load_checkpoint_file(*latest).at("step").toInt();
  EXPECT_GT(stopped_at, 0);
  // The same command continues from there.
  const int resumed = wait_bounded(
      start(job.train_args("run", {"train.max_steps=" + std::to_string(stopped_at + 2)}), {}, job.dir / "resume.log"),
      std::chrono::seconds(60));
  EXPECT_TRUE(WIFEXITED(resumed) && WEXITSTATUS(resumed) == 0) << test::read_text(job.dir / "resume.log");
  EXPECT_EQ(load_checkpoint_file(*CheckpointDirectory(job.dir / "run").latest()).at("step").toInt(), stopped_at + 2);
}

}  // namespace
}  // namespace wn
