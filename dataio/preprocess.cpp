#include "dataio/preprocess.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "core/atomic_file.h"
#include "core/crc32c.h"
#include "core/errors.h"
#include "core/log.h"
#include "core/progress.h"
#include "dataio/features.h"
#include "dataio/manifest.h"
#include "dataio/preprocess_parts.h"
#include "dataio/preprocess_records.h"
#include "dataio/shard_plan.h"
#include "dataio/shard_writer.h"

namespace wn {
namespace {

namespace fs = std::filesystem;

constexpr const char* kStateDir = kPreprocessStateDir;
constexpr const char* kFingerprintFile = "fingerprint";
constexpr const char* kReportFile = "report.yaml";
// Workers may run this many shards ahead of the writer (bounds memory to a few shards).
constexpr std::size_t kShardsAhead = 2;

bool is_owned_output(const fs::path& p) {
  const std::string name = p.filename().string();
  const bool shard = (name.rfind("train-", 0) == 0 || name.rfind("valid-", 0) == 0) &&
                     name.find(".h5") != std::string::npos;
  const bool part_report = name.rfind("report.part-", 0) == 0;
  return shard || part_report || name == Manifest::kFileName || name == kReportFile || name == kStateDir;
}

// Creates OUTPUT_DIR, clears it when forced, removes leftovers of a crash (only those of its own
// shards for a part: the other parts may be writing), and refuses to mix a different corpus or
// recipe into an existing output.
void prepare_output_dir(const fs::path& out, const std::string& fingerprint, bool force,
                        const std::function<bool(const std::string&)>& own_temporary) {
  std::error_code ec;
  fs::create_directories(out / kStateDir, ec);
  if (ec) throw IoError(out.string() + ": cannot create output directory: " + ec.message());
  if (force) {
    for (const auto& entry : fs::directory_iterator(out)) {
      if (is_owned_output(entry.path())) fs::remove_all(entry.path());
    }
    fs::create_directories(out / kStateDir);
  }
  // Temporary files of an interrupted run (shards in OUTPUT_DIR, records in the state dir).
  for (const fs::path& dir : {out, out / kStateDir}) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string name = entry.path().filename().string();
      const std::size_t tmp = name.find(".tmp.");
      if (entry.is_regular_file() && tmp != std::string::npos && own_temporary(name.substr(0, tmp))) fs::remove(entry.path());
    }
  }
  const fs::path stamp = out / kStateDir / kFingerprintFile;
  if (fs::exists(stamp)) {
    std::ifstream in(stamp);
    std::string previous;
    in >> previous;
    if (previous != fingerprint) {
      throw UserError(out.string() + ": holds a preprocess of a different corpus or audio/data "
                      "config; pass --force to start over, or choose another output directory");
    }
  }
  write_file_atomically(stamp, fingerprint + "\n");
}

struct UtteranceResult {
  bool ok = false;
  FailedFile failure;
  UtteranceFeatures features;
};

UtteranceResult process_one(const PlannedUtterance& u, const Config& config, const MelSpectrogram& mel,
                            const PreprocessOptions& options) {
  UtteranceResult result;
  try {
    result.features = options.mels_from.empty()
                          ? extract_features(u.entry.path, config.audio, mel)
                          : features_with_mel(u.entry.path, options.mels_from / (u.entry.id + ".npy"), options.mel_bins_first,
                                              config.audio);
    result.ok = true;
  } catch (const std::exception& e) {
    result.failure = failure_of(u.entry.path, e);
  }
  return result;
}

int worker_count(const DataConfig& data) {
  return data.threads > 0 ? data.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

std::string speed_detail(double audio_seconds, double wall_seconds) {
  if (wall_seconds <= 0) return "";
  const double realtime = audio_seconds / wall_seconds;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3f audio-h/s (%.0fx real time)", realtime / 3600.0,
                realtime);
  return buffer;
}

// Runs a shard's utterances through the workers and hands each finished shard to `write`,
// in plan order, on the calling thread.
class ShardPipeline {
 public:
  ShardPipeline(const std::vector<const PlannedShard*>& shards, const Config& config, const PreprocessOptions& options,
                int threads)
      : shards_(shards), config_(config), options_(options), mel_(config.audio), threads_(threads) {
    results_.resize(shards.size());
    remaining_.resize(shards.size());
    for (std::size_t s = 0; s < shards.size(); ++s) {
      results_[s].resize(shards[s]->utterances.size());
      remaining_[s] = shards[s]->utterances.size();
      for (std::size_t u = 0; u < shards[s]->utterances.size(); ++u) items_.emplace_back(s, u);
    }
  }

  template <class Write>
  void run(ProgressBar* progress, Write&& write) {
    std::vector<std::thread> workers;
    for (int t = 0; t < threads_; ++t) workers.emplace_back([this, progress] { work(progress); });
    try {
      for (std::size_t s = 0; s < shards_.size(); ++s) {
        {
          std::unique_lock<std::mutex> lock(mutex_);
          changed_.wait(lock, [&] { return remaining_[s] == 0; });
        }
        write(*shards_[s], results_[s]);
        std::vector<UtteranceResult>().swap(results_[s]);
        {
          std::lock_guard<std::mutex> lock(mutex_);
          written_ = s + 1;
        }
        changed_.notify_all();
      }
    } catch (...) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
      }
      changed_.notify_all();
      for (auto& w : workers) w.join();
      throw;
    }
    for (auto& w : workers) w.join();
  }

  double processed_seconds() const { return processed_samples_.load() / double(config_.audio.sample_rate); }

 private:
  void work(ProgressBar* progress) {
    while (true) {
      const std::size_t i = next_++;
      if (i >= items_.size()) return;
      const auto [s, u] = items_[i];
      {
        std::unique_lock<std::mutex> lock(mutex_);
        const std::size_t shard = s;  // a structured binding cannot be captured in C++17
        changed_.wait(lock, [&] { return stopping_ || shard < written_ + kShardsAhead; });
        if (stopping_) return;
      }
      UtteranceResult result = process_one(shards_[s]->utterances[u], config_, mel_, options_);
      if (result.ok) processed_samples_ += static_cast<int64_t>(result.features.audio.size());
      {
        std::lock_guard<std::mutex> lock(mutex_);
        results_[s][u] = std::move(result);
        --remaining_[s];
      }
      changed_.notify_all();
      if (progress) {
        progress->set_detail(speed_detail(processed_seconds(), elapsed()));
        progress->advance();
      }
    }
  }

  double elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

  std::vector<const PlannedShard*> shards_;
  const Config& config_;
  const PreprocessOptions& options_;
  MelSpectrogram mel_;
  int threads_;
  std::vector<std::pair<std::size_t, std::size_t>> items_;
  std::vector<std::vector<UtteranceResult>> results_;
  std::vector<std::size_t> remaining_;
  std::atomic<std::size_t> next_{0};
  std::atomic<int64_t> processed_samples_{0};
  std::size_t written_ = 0;
  bool stopping_ = false;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

ShardRecord write_shard_from_results(const fs::path& out, const PlannedShard& shard,
                                     std::vector<UtteranceResult>& results, const Config& config) {
  const int n_mels = config.audio.n_mels;
  ShardRecord record;
  record.mel_sum.assign(static_cast<std::size_t>(n_mels), 0.0);
  record.mel_sq_sum.assign(static_cast<std::size_t>(n_mels), 0.0);
  std::vector<ShardUtterance> utterances;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const PlannedUtterance& planned = shard.utterances[i];
    UtteranceResult& r = results[i];
    if (!r.ok) {
      record.failures.push_back(r.failure);
      continue;
    }
    if (!shard.valid) {
      for (int64_t f = 0; f < r.features.frames; ++f) {
        for (int m = 0; m < n_mels; ++m) {
          const double v = r.features.mel[static_cast<std::size_t>(f * n_mels + m)];
          record.mel_sum[m] += v;
          record.mel_sq_sum[m] += v * v;
        }
      }
      record.stats_frames += r.features.frames;
      record.target_count += 1;
      record.target_sum += planned.entry.target;
      record.target_sq_sum += planned.entry.target * planned.entry.target;
    }
    record.seconds += static_cast<double>(r.features.audio.size()) / config.audio.sample_rate;
    ShardUtterance u;
    u.name = planned.entry.id;
    u.label = planned.label;
    u.target = static_cast<float>(planned.entry.target);
    u.audio = std::move(r.features.audio);
    u.mel = std::move(r.features.mel);
    utterances.push_back(std::move(u));
  }
  record.utterances = static_cast<int64_t>(utterances.size());
  if (!utterances.empty()) {
    const ShardAttributes attributes{config.audio.sample_rate, config.audio.hop_length, n_mels,
                                     config.data.target != "none"};
    write_shard(out / shard.file, attributes, utterances, chunking_for_crops(config.train.max_time_steps));
  }
  return record;
}

}  // namespace

PreprocessResult preprocess_corpus(const fs::path& input, const fs::path& out, const Config& given_config,
                                   const PreprocessOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  Config config = given_config;
  if (!options.mels_from.empty()) {
    if (!fs::is_directory(options.mels_from)) throw UserError("--mels-from " + options.mels_from.string() + ": not a directory");
    if (config.audio.trim_top_db > 0) WN_LOG(info) << "--mels-from: silence trimming is off (it would misalign the given mels)";
    config.audio.trim_top_db = 0;  // also what the manifest records
  }
  const Corpus corpus = scan_corpus(input, config.data);
  WN_LOG(info) << "found " << corpus.entries.size() << " audio files in " << input.string() << " ("
               << corpus.layout << " layout, " << corpus.ignored_files << " other files ignored)";
  const ShardPlan plan = plan_shards(corpus, config);
  // Where the mels come from changes every shard.
  const std::string fingerprint =
      options.mels_from.empty()
          ? plan.fingerprint
          : plan.fingerprint + "-mels-" + (options.mel_bins_first ? "t-" : "") +
                std::to_string(crc32c(fs::absolute(options.mels_from).lexically_normal().string()));
  const CorpusPart& part = options.part;
  if (!part.whole() && options.force) {
    throw UserError("--force with --part would delete the other parts' shards; clear " + out.string() +
                    " once before launching the parts instead");
  }
  std::set<std::string> own_files;  // a part's shards and their records, whose temporaries it may clear
  for (std::size_t s = 0; s < plan.shards.size(); ++s) {
    if (!part.owns(s)) continue;
    own_files.insert(plan.shards[s].file);
    own_files.insert(plan.shards[s].file + ".yaml");
  }
  prepare_output_dir(out, fingerprint, options.force,
                     [&](const std::string& file) { return part.whole() || own_files.count(file) > 0; });
  if (!part.whole()) record_split_plan(out, plan, config, {input.string(), corpus.ignored_files}, part.count);

  PreprocessResult result;
  result.ignored_files = corpus.ignored_files;
  std::vector<ShardRecord> records(plan.shards.size());
  std::vector<const PlannedShard*> pending;
  std::vector<std::size_t> pending_index;
  for (std::size_t s = 0; s < plan.shards.size(); ++s) {
    if (!part.owns(s)) continue;
    const fs::path record = shard_record_path(out, plan.shards[s].file);
    const bool shard_present = fs::exists(out / plan.shards[s].file);
    const std::optional<ShardRecord> done = fs::exists(record) ? read_shard_record(record) : std::nullopt;
    if (done) {
      records[s] = *done;
      if (records[s].utterances == 0 || shard_present) {
        ++result.shards_resumed;
        continue;
      }
    }
    pending.push_back(&plan.shards[s]);
    pending_index.push_back(s);
  }
  if (result.shards_resumed > 0) {
    WN_LOG(info) << "resuming: " << result.shards_resumed << " of " << (part.whole() ? plan.shards.size() : own_files.size() / 2)
                 << " shards already complete";
  }

  std::size_t pending_utterances = 0;
  for (const auto* s : pending) pending_utterances += s->utterances.size();
  ProgressOptions progress_options;
  progress_options.unit = "files";
  std::unique_ptr<ProgressBar> progress;
  if (options.show_progress && pending_utterances > 0) {
    progress = std::make_unique<ProgressBar>("preprocess", static_cast<int64_t>(pending_utterances),
                                             progress_options);
  }
  ShardPipeline pipeline(pending, config, options, worker_count(config.data));
  std::size_t next_pending = 0;
  pipeline.run(progress.get(), [&](const PlannedShard& shard, std::vector<UtteranceResult>& results) {
    const std::size_t s = pending_index[next_pending++];
    records[s] = write_shard_from_results(out, shard, results, config);
    write_shard_record(shard_record_path(out, shard.file), records[s]);
    ++result.shards_written;
    if (options.on_shard_done) options.on_shard_done(shard.file);
  });
  if (progress) progress->finish();

  // Files that failed before planning belong to the whole run, or to a split's first part.
  std::vector<FailedFile> failures;
  if (part.whole() || part.index == 1) failures = plan.unreadable;
  for (const auto& r : records) {  // a part's other shards have empty records
    failures.insert(failures.end(), r.failures.begin(), r.failures.end());
    result.utterances += r.utterances;
    result.audio_seconds += r.seconds;
  }
  result.failures = static_cast<int64_t>(failures.size());
  result.processed_audio_seconds = pipeline.processed_seconds();
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const auto& f : failures) WN_LOG(warn) << "skipped " << f.path << ": " << f.reason;
  if (!part.whole()) {
    write_preprocess_report(out / ("report.part-" + std::to_string(part.index) + "-of-" + std::to_string(part.count) + ".yaml"),
                            failures, result);
    WN_LOG(info) << "part " << part.name() << " done; once every part is, join them: wavenet preprocess --merge " << out.string();
    return result;
  }
  write_preprocess_report(out / kReportFile, failures, result);
  if (result.utterances == 0) {
    throw UserError("no utterance landed: all " + std::to_string(failures.size()) +
                    " audio files failed (see " + (out / kReportFile).string() + ")");
  }
  Manifest manifest = build_manifest(plan, records, config);
  manifest.failures = result.failures;
  write_manifest(out, manifest, input.string());
  return result;
}

double benchmark_feature_extraction(const fs::path& input, const Config& config, int max_files,
                                    bool show_progress) {
  Corpus corpus = scan_corpus(input, config.data);
  if (max_files > 0 && static_cast<int>(corpus.entries.size()) > max_files) {
    corpus.entries.resize(static_cast<std::size_t>(max_files));
  }
  PlannedShard everything{"bench", false, {}};
  for (const auto& e : corpus.entries) everything.utterances.push_back(PlannedUtterance{e, -1, 0});
  if (everything.utterances.empty()) throw UserError(input.string() + ": no audio files found");
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<ProgressBar> progress;
  ProgressOptions progress_options;
  progress_options.unit = "files";
  if (show_progress) {
    progress = std::make_unique<ProgressBar>("features", static_cast<int64_t>(everything.utterances.size()),
                                             progress_options);
  }
  const PreprocessOptions recipe_mels;  // the benchmark times the recipe's own features
  ShardPipeline pipeline({&everything}, config, recipe_mels, worker_count(config.data));
  pipeline.run(progress.get(), [](const PlannedShard&, std::vector<UtteranceResult>&) {});
  if (progress) progress->finish();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return pipeline.processed_seconds() / wall;
}

}  // namespace wn
