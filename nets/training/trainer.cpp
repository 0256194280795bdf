#include "nets/training/trainer.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <fstream>

#include "core/atomic_file.h"
#include "core/checkpoint.h"
#include "core/config/config_io.h"
#include "core/errors.h"
#include "core/log.h"
#include "core/progress.h"
#include "core/run_dir.h"
#include "core/tensorboard.h"
#include "dataio/audio_io.h"
#include "dataio/loader.h"
#include "dataio/manifest.h"
#include "nets/generation/incremental_generator.h"
#include "nets/outputs/output_distribution.h"
#include "nets/training/lr_schedule.h"
#include "nets/training/train_state.h"

namespace wn {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// How long the other ranks wait for rank 0's evaluation and checkpoint (generating the eval
// audio sample by sample can take minutes on a large model).
constexpr std::chrono::milliseconds kPrimaryWorkTimeout = std::chrono::hours(2);

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

LoaderOptions loader_options(const Config& c, const DistributedEnv& env, int context_frames) {
  LoaderOptions o;
  o.batch_size = c.train.batch_size;
  o.crop_samples = c.train.max_time_steps;
  o.context_frames = context_frames;
  o.normalize_mel = c.data.normalize_mel;
  o.seed = static_cast<uint64_t>(c.train.seed);
  o.rank = env.rank;
  o.world_size = env.world_size;
  return o;
}

// Inputs shifted right by one sample: output t sees samples < t and predicts sample t.
torch::Tensor shifted_input(WaveNet& net, const torch::Tensor& audio) {
  const torch::Tensor previous = torch::cat({torch::zeros_like(audio.narrow(1, 0, 1)), audio.narrow(1, 0, audio.size(1) - 1)}, 1);
  return net->encode_input(previous);
}

torch::Tensor model_loss(WaveNet& net, const OutputDistribution& dist, const Batch& batch, const torch::Device& device) {
  const torch::Tensor audio = batch.audio.to(device);
  const ModelConfig& m = net->model();
  const torch::Tensor mel = m.local_conditioning ? batch.mel.to(device) : torch::Tensor();
  const torch::Tensor labels = m.global_conditioning ? batch.label.clamp_min(0).to(device) : torch::Tensor();
  return dist.loss(net->forward(shifted_input(net, audio), mel, labels).to(torch::kFloat), audio);
}

// bf16 autocast on CUDA for the forward pass (bf16 needs no loss scaling). Not run on a GPU in
// our CI: the CPU path never enables it.
class AutocastScope {
 public:
  explicit AutocastScope(bool enabled) : enabled_(enabled) {
    if (!enabled_) return;
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    at::autocast::set_enabled(true);
  }
  ~AutocastScope() {
    if (!enabled_) return;
    at::autocast::set_enabled(false);
    at::autocast::clear_cache();
  }

 private:
  bool enabled_;
};

double global_norm(const std::vector<torch::Tensor>& grads) {
  double sum = 0;
  for (const auto& g : grads) sum += g.pow(2).sum().item<double>();
  return std::sqrt(sum);
}

// Rank 0 writes everything a person looks at: console log lines, train.log, TensorBoard, wavs.
class RunOutputs {
 public:
  RunOutputs(const TrainerOptions& options, bool primary) : primary_(primary) {
    if (!primary_) return;
    events_ = std::make_unique<EventWriter>(options.run_dir);
    add_log_file(options.run_dir / "train.log");
  }
  ~RunOutputs() {
    if (primary_) remove_log_files();
  }
  bool primary() const { return primary_; }
  void scalar(const std::string& tag, double value, int64_t step) {
    if (primary_) events_->add_scalar(tag, static_cast<float>(value), step);
  }
  void audio(const std::string& tag, const std::vector<float>& samples, int rate, int64_t step) {
    if (primary_) events_->add_audio(tag, encode_wav(samples, rate), static_cast<float>(rate), static_cast<int64_t>(samples.size()), step);
  }

 private:
  bool primary_;
  std::unique_ptr<EventWriter> events_;
};

}  // namespace

std::string resolve_device(const std::string& requested, int local_rank) {
  if (requested == "auto") return torch::cuda::is_available() ? "cuda:" + std::to_string(local_rank) : "cpu";
  if (requested.rfind("cuda", 0) == 0 && !torch::cuda::is_available()) {
    throw UserError("train.device=" + requested + " but this LibTorch sees no CUDA device");
  }
  if (requested == "cuda") return "cuda:" + std::to_string(local_rank);
  return requested;
}

TrainerResult train(const TrainerOptions& options) {
  const Config& config = options.config;
  const TrainConfig& tc = config.train;
  const DistributedEnv& env = options.distributed;
  const bool primary = env.rank == 0;
  const torch::Device device(resolve_device(tc.device, env.local_rank));
  if (device.is_cuda() && tc.amp) WN_LOG(info) << "mixed precision (bf16 autocast) on " << device.str();

  const Manifest manifest = read_manifest(options.data_dir);
  if (manifest.config.audio.hop_length != config.audio.hop_length || manifest.config.audio.n_mels != config.audio.n_mels ||
      manifest.config.audio.sample_rate != config.audio.sample_rate) {
    throw UserError(options.data_dir.string() + ": shards were made with sample_rate/hop_length/n_mels " +
                    std::to_string(manifest.config.audio.sample_rate) + "/" + std::to_string(manifest.config.audio.hop_length) +
                    "/" + std::to_string(manifest.config.audio.n_mels) + ", the config says " +
                    std::to_string(config.audio.sample_rate) + "/" + std::to_string(config.audio.hop_length) + "/" +
                    std::to_string(config.audio.n_mels));
  }

  std::unique_ptr<Communicator> comm;
  if (env.world_size > 1) {
    comm = Communicator::connect(env, device.is_cuda(),
                                 std::chrono::milliseconds(static_cast<int64_t>(tc.dist_timeout_s * 1000)));
    WN_LOG(info) << "rank " << comm->rank() << " of " << comm->world_size() << " joined (" << comm->backend() << ")";
  }

  if (primary) {
    RunDirectory::open(options.run_dir, RunDirPolicy::resume, config_to_yaml(config), options.command_line);
    write_file_atomically(options.run_dir / "version.txt", options.version + "\n");
  }
  if (comm) comm->barrier();  // the run directory exists before anyone writes into it
  RunOutputs outputs(options, primary);

  torch::manual_seed(static_cast<uint64_t>(tc.seed));
  WaveNet net(config.model, config.audio.n_mels, static_cast<int>(manifest.labels.size()));
  net->to(device);
  const auto dist = make_output_distribution(config.model);
  std::vector<std::pair<std::string, torch::Tensor>> params;
  for (const auto& p : net->named_parameters()) params.emplace_back(p.key(), p.value());
  std::vector<torch::Tensor> param_tensors;
  for (const auto& [name, p] : params) param_tensors.push_back(p);
  Adam adam(params, AdamSettings{tc.adam_beta1, tc.adam_beta2, tc.adam_eps, tc.weight_decay});
  WeightAverage ema(named_state(*net), tc.ema_decay);

  CheckpointDirectory checkpoints(options.run_dir);
  TrainState state;
  state.config_yaml = config_to_yaml(config);
  state.labels = manifest.labels;
  state.mel_mean = manifest.mel_mean;
  state.mel_std = manifest.mel_std;
  if (const auto latest = checkpoints.latest()) {
    const TrainState resumed = load_training_checkpoint(*latest, net, adam, ema);
    state.step = resumed.step;
    state.loader_position = resumed.loader_position;
    WN_LOG(info) << "resuming from " << latest->string() << " at step " << state.step;
  } else if (comm) {
    comm->broadcast(param_tensors, 0);  // every rank starts from rank 0's initialisation
  }
  int64_t parameter_count = 0;
  for (const auto& p : param_tensors) parameter_count += p.numel();
  WN_LOG(info) << "model: " << config.model.layers << " layers, " << parameter_count << " parameters, receptive field "
               << net->receptive_field() << " samples (" << 1000.0 * net->receptive_field() / config.audio.sample_rate
               << " ms), output " << config.model.output << "; device " << device.str();

  TrainLoader loader(options.data_dir, manifest, loader_options(config, env, net->context_frames()), state.loader_position);
  const int64_t samples_per_step = static_cast<int64_t>(tc.batch_size) * tc.max_time_steps * env.world_size;

  TrainerResult result;
  result.first_step = state.step;
  std::unique_ptr<ProgressBar> progress;
  if (primary && options.show_progress && state.step < tc.max_steps) {
    ProgressOptions po;
    po.unit = "steps";
    progress = std::make_unique<ProgressBar>("train", tc.max_steps - state.step, po);
  }

  auto save = [&] {
    if (!primary) return;
    state.loader_position = loader.position();
    save_training_checkpoint(checkpoints.path_for(state.step), net, adam, ema, state);
    checkpoints.prune(tc.keep_last);
  };

  auto evaluate = [&] {
    if (!primary) return;
    auto eval_net = std::dynamic_pointer_cast<WaveNetImpl>(net->clone());
    WaveNet averaged(eval_net);
    ema.copy_to(named_state(*averaged));
    averaged->eval();
    ValidationSet valid(options.data_dir, manifest);
    if (valid.size() == 0) return;
    torch::NoGradGuard no_grad;
    LoaderOptions vo = loader_options(config, DistributedEnv{}, net->context_frames());
    double loss_sum = 0;
    int batches = 0;
    for (const Batch& b : valid.crop_batches(vo, static_cast<std::size_t>(tc.eval_utterances))) {
      loss_sum += model_loss(averaged, *dist, b, device).item<double>();
      ++batches;
    }
    const double valid_loss = loss_sum / std::max(1, batches);
    outputs.scalar("valid/loss", valid_loss, state.step);
    WN_LOG(info) << "step " << state.step << ": validation loss " << valid_loss;
    if (tc.eval_audio_seconds <= 0) return;
    // Copy-synthesis of the start of the first validation utterance, with EMA weights.
    const ShardUtterance u = valid.utterance(0);
    const int hop = config.audio.hop_length;
    const int64_t frames = std::min<int64_t>(static_cast<int64_t>(u.mel.size()) / config.audio.n_mels,
                                             std::max<int64_t>(1, static_cast<int64_t>(tc.eval_audio_seconds * config.audio.sample_rate / hop)));
    LoaderOptions clip = vo;
    clip.batch_size = 1;
    clip.crop_samples = frames * hop;
    const Batch b = valid.crop_batches(clip, 1).front();
    GenerationRequest request;
    if (config.model.local_conditioning) request.mel = b.mel.to(device);
    if (config.model.global_conditioning) request.labels = b.label.clamp_min(0).to(device);
    request.samples = frames * hop;
    torch::Generator gen = at::detail::createCPUGenerator(static_cast<uint64_t>(tc.seed));
    IncrementalGenerator generator(averaged, *dist);
    const torch::Tensor audio = generator.generate(request, gen).cpu();
    std::vector<float> samples(audio.data_ptr<float>(), audio.data_ptr<float>() + audio.numel());
    fs::create_directories(options.run_dir / "samples");
    const fs::path wav = options.run_dir / "samples" / ("step_" + std::to_string(state.step) + "_" + u.name.substr(u.name.rfind('/') + 1) + ".wav");
    write_wav(wav, samples, config.audio.sample_rate);
    outputs.audio("valid/generated", samples, config.audio.sample_rate, state.step);
    std::vector<float> reference(u.audio.begin(), u.audio.begin() + std::min<int64_t>(static_cast<int64_t>(u.audio.size()), frames * hop));
    outputs.audio("valid/reference", reference, config.audio.sample_rate, state.step);
  };

  const auto run_start = Clock::now();
  int consecutive_bad = 0;
  double window_loss = 0, window_norm = 0;
  int window_steps = 0;
  double throughput_seconds = 0;
  int64_t throughput_steps = 0;
  auto window_start = Clock::now();
  double window_wait_start = loader.wait_seconds();
  bool first_window = true;

  while (state.step < tc.max_steps) {
    bool stop = (options.stop_requested && options.stop_requested->load()) ||
                (options.max_seconds > 0 && seconds_since(run_start) > options.max_seconds);
    if (comm) {
      torch::Tensor flag = torch::tensor({stop ? 1.0f : 0.0f}, torch::TensorOptions().device(device));
      comm->average({flag}, 4);
      stop = flag.item<float>() > 0;  // any rank asked: everyone stops after the same step
    }
    if (stop) {
      result.stopped_early = true;
      WN_LOG(info) << "stopping (signal or time budget): checkpointing at step " << state.step;
      break;
    }

    const auto step_start = Clock::now();
    const Batch batch = loader.next();
    const double lr = learning_rate(tc, state.step + 1);
    adam.zero_grad();
    torch::Tensor loss;
    {
      const AutocastScope autocast(device.is_cuda() && tc.amp);
      loss = model_loss(net, *dist, batch, device);
    }
    loss.backward();

    std::vector<torch::Tensor> grads;
    for (auto& p : param_tensors) grads.push_back(p.grad());
    torch::Tensor loss_value = loss.detach().reshape({1}).clone();
    if (comm) {
      std::vector<torch::Tensor> all = grads;
      all.push_back(loss_value);
      comm->average(all, static_cast<std::size_t>(tc.bucket_mb * 1024 * 1024));
    }
    const double step_loss = loss_value.item<double>();
    double norm = global_norm(grads);
    const bool finite = std::isfinite(step_loss) && std::isfinite(norm);
    if (!finite) {
      ++consecutive_bad;
      ++result.skipped_steps;
      WN_LOG(warn) << "step " << state.step + 1 << ": non-finite loss or gradient (loss " << step_loss << ", grad norm "
                   << norm << "), skipped (" << consecutive_bad << " in a row)";
      if (consecutive_bad >= tc.max_bad_steps) {
        save();
        throw UserError("training stopped: " + std::to_string(consecutive_bad) +
                        " non-finite steps in a row (lower train.lr, or check the data); last good state is checkpointed");
      }
      continue;
    }
    consecutive_bad = 0;
    if (tc.grad_clip > 0 && norm > tc.grad_clip) {
      torch::NoGradGuard no_grad;
      for (auto& g : grads) g.mul_(tc.grad_clip / norm);
    }
    adam.step(lr);
    ema.update(named_state(*net));
    ++state.step;
    if (state.step > result.first_step + 1) {
      throughput_seconds += seconds_since(step_start);
      throughput_steps += 1;
    }
    window_loss += step_loss;
    window_norm += norm;
    ++window_steps;
    if (progress) {
      char detail[64];
      std::snprintf(detail, sizeof detail, "loss %.4f", step_loss);
      progress->set_detail(detail);
      progress->advance();
    }
    if (options.on_step) options.on_step(state.step);

    if (state.step % tc.log_every == 0 || state.step == tc.max_steps) {
      const double elapsed = seconds_since(window_start);
      const double waited = loader.wait_seconds() - window_wait_start;
      const double mean_loss = window_loss / window_steps;
      const double rate = window_steps * samples_per_step / std::max(elapsed, 1e-9);
      if (first_window) result.first_loss = mean_loss;
      first_window = false;
      result.last_loss = mean_loss;
      outputs.scalar("train/loss", mean_loss, state.step);
      outputs.scalar("train/grad_norm", window_norm / window_steps, state.step);
      outputs.scalar("train/lr", lr, state.step);
      outputs.scalar("train/samples_per_second", rate, state.step);
      outputs.scalar("train/data_wait_fraction", waited / std::max(elapsed, 1e-9), state.step);
      if (primary) {
        WN_LOG(info) << "step " << state.step << ": loss " << mean_loss << ", grad norm " << window_norm / window_steps
                     << ", lr " << lr << ", " << static_cast<int64_t>(rate) << " samples/s, data wait "
                     << 100.0 * waited / std::max(elapsed, 1e-9) << "%";
      }
      window_loss = window_norm = 0;
      window_steps = 0;
      window_start = Clock::now();
      window_wait_start = loader.wait_seconds();
    }
    const bool eval_now = tc.eval_every > 0 && state.step % tc.eval_every == 0;
    const bool save_now = state.step % tc.checkpoint_every == 0;
    if (eval_now) evaluate();
    if (save_now) save();
    if (comm && (eval_now || save_now)) {
      // Only rank 0 evaluates and saves; the others must not time out in the next all-reduce.
      comm->wait_for_primary("step_" + std::to_string(state.step), kPrimaryWorkTimeout);
    }
  }
  if (progress) progress->finish();
  if (window_steps > 0) {  // a last, partial logging window still counts
    const double mean_loss = window_loss / window_steps;
    if (first_window) result.first_loss = mean_loss;
    result.last_loss = mean_loss;
  }
  if (checkpoints.latest() != checkpoints.path_for(state.step)) save();
  if (comm) comm->barrier();
  result.last_step = state.step;
  result.samples_per_second = throughput_steps > 0 ? throughput_steps * samples_per_step / throughput_seconds : 0.0;
  return result;
}

double benchmark_training(const Config& config, int steps, int warmup) {
  const TrainConfig& tc = config.train;
  const torch::Device device(resolve_device(tc.device, 0));
  torch::manual_seed(static_cast<uint64_t>(tc.seed));
  WaveNet net(config.model, config.audio.n_mels, std::max(1, config.model.n_labels));
  net->to(device);
  const auto dist = make_output_distribution(config.model);
  std::vector<std::pair<std::string, torch::Tensor>> params;
  for (const auto& p : net->named_parameters()) params.emplace_back(p.key(), p.value());
  Adam adam(params, AdamSettings{});
  Batch batch;
  const int64_t frames = tc.max_time_steps / config.audio.hop_length;
  batch.audio = torch::rand({tc.batch_size, tc.max_time_steps}) * 1.6 - 0.8;
  batch.mel = torch::randn({tc.batch_size, frames + 2 * net->context_frames(), config.audio.n_mels});
  batch.label = torch::zeros({tc.batch_size}, torch::kLong);
  double seconds = 0;
  for (int i = 0; i < warmup + steps; ++i) {
    const auto start = Clock::now();
    adam.zero_grad();
    {
      const AutocastScope autocast(device.is_cuda() && tc.amp);
      torch::Tensor loss = model_loss(net, *dist, batch, device);
      loss.backward();
    }
    adam.step(1e-4);
    if (device.is_cuda()) torch::cuda::synchronize();
    if (i >= warmup) seconds += seconds_since(start);
  }
  return steps * static_cast<double>(tc.batch_size) * tc.max_time_steps / seconds;
}

}  // namespace wn
