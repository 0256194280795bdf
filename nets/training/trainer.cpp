#include "nets/training/trainer.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "core/atomic_file.h"
#include "core/checkpoint.h"
#include "core/config/config_io.h"
#include "core/errors.h"
#include "core/log.h"
#include "core/progress.h"
#include "core/run_dir.h"
#include "core/tensorboard.h"
#include "dataio/audio_cleaning.h"
#include "dataio/audio_io.h"
#include "dataio/loader.h"
#include "dataio/manifest.h"
#include "dataio/objective_metrics.h"
#include "nets/model_registry.h"
#include "nets/training/carried_state.h"
#include "nets/training/evaluation_figure.h"
#include "nets/training/multi_tensor.h"
#include "nets/quantize_tensor.h"
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


struct ValidationResult {
  double loss = 0.0;
  NamedFigures figures;  // the family's own (Model::validation_figures)
};

ValidationResult validate(Model& model, const ValidationSet& valid, const Config& config, const torch::Device& device) {
  const DataNeeds needs = model.data_needs();
  LoaderOptions o = training_loader_options(config, needs);
  // A sequential family's chunk is short (hidden state carries the rest); validate over a span
  // of several chunks from each utterance's start instead.
  if (needs.sequential) o.crop_samples *= 8;
  torch::NoGradGuard no_grad;
  const std::vector<Batch> batches = valid.crop_batches(o, static_cast<std::size_t>(config.train.eval_utterances));
  ValidationResult result;
  for (const Batch& b : batches) result.loss += model.loss(b, device).item<double>();
  result.loss /= std::max<double>(1.0, static_cast<double>(batches.size()));
  result.figures = model.validation_figures(batches, device);
  return result;
}

// Another run's weights as a fresh run's start: the same family, every weight present with its
// shape, and no weight the model lacks (that would be a different model, silently cut down).
void initialise_weights(torch::nn::Module& module, const Config& config, const std::filesystem::path& from) {
  std::filesystem::path file = from;
  if (std::filesystem::is_directory(from)) {
    const auto latest = CheckpointDirectory(from).latest();
    if (!latest) throw UserError("--init " + from.string() + ": run directory holds no checkpoint");
    file = *latest;
  } else if (!std::filesystem::exists(from)) {
    throw UserError("--init " + from.string() + ": checkpoint not found");
  }
  const CheckpointWeights source = read_checkpoint_weights(file, /*use_ema=*/true);
  const std::string source_type = config_from_yaml(source.config_yaml, file.string()).model.type;
  if (source_type != config.model.type) {
    throw UserError("--init " + file.string() + ": a model.type=" + source_type + " checkpoint cannot start a model.type=" +
                    config.model.type + " run");
  }
  std::set<std::string> names;
  for (const auto& [name, tensor] : named_state(module)) names.insert(name);
  for (const auto& [name, tensor] : source.weights) {
    if (!names.count(name)) throw UserError("--init " + file.string() + ": '" + name + "' is not a weight of this model (a different model?)");
  }
  load_named_state(module, source.weights, "--init " + file.string());
  WN_LOG(info) << "initialised from " << file.string() << " (its step " << source.step << ", EMA weights); training starts at step 0";
}

// bf16 autocast on CUDA for the forward pass (bf16 needs no loss scaling). Not run on a GPU in
// our CI: the CPU path never enables it.
class AutocastScope {
 public:
  explicit AutocastScope(bool enabled) : enabled_(enabled) {
    if (!enabled_) return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    // 2.4 made the autocast settings per device type and deprecated the CUDA-only ones.
    at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
    at::autocast::set_autocast_enabled(at::kCUDA, true);
#else
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    at::autocast::set_enabled(true);
#endif
  }
  ~AutocastScope() {
    if (!enabled_) return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    at::autocast::set_autocast_enabled(at::kCUDA, false);
#else
    at::autocast::set_enabled(false);
#endif
    at::autocast::clear_cache();
  }

 private:
  bool enabled_;
};

// Mixed precision and cuDNN's autotuner apply on CUDA only; say which settings act, once.
void report_device_settings(const torch::Device& device, const TrainConfig& tc) {
  if (device.is_cuda()) {
    // The dilated convolutions keep one shape per layer for the whole run: worth autotuning.
    at::globalContext().setBenchmarkCuDNN(true);
    if (tc.amp) WN_LOG(info) << "mixed precision (bf16 autocast) on " << device.str();
  } else if (tc.amp) {
    WN_LOG(warn) << "train.amp=true has no effect on " << device.str() << ": mixed precision applies on CUDA only";
  }
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
  // A picture is a nicety: if it cannot be drawn, say so once and train on.
  void mel_figure(const std::string& utterance, const std::vector<float>& reference_mel, const std::vector<float>& generated,
                  const AudioConfig& audio, int64_t step) {
    if (!primary_ || figure_failed_) return;
    try {
      const EvaluationFigure f = evaluation_figure(utterance, reference_mel, generated, audio, step);
      events_->add_image("valid/mel", std::string_view(reinterpret_cast<const char*>(f.png.data()), f.png.size()), f.width, f.height, 3, step);
    } catch (const std::exception& e) {
      WN_LOG(warn) << "no mel figure in TensorBoard: " << e.what();
      figure_failed_ = true;
    }
  }

 private:
  bool primary_;
  bool figure_failed_ = false;
  std::unique_ptr<EventWriter> events_;
};

// What the host needs from a step: the loss (averaged over ranks), the gradient norm, and
// whether any rank asked to stop.
struct StepFigures {
  double loss = 0, norm = 0;
  bool stop = false;
};

// Gradients, loss and stop flags averaged over ranks (gradients in place; one bucketed
// all-reduce), the norm as one reduction on the device, then the three figures to the host in
// one transfer: one synchronisation per step, however many parameters there are.
StepFigures reduce_step(const std::vector<torch::Tensor>& grads, const torch::Tensor& loss, bool stop_here,
                        Communicator* comm, double bucket_mb) {
  torch::NoGradGuard no_grad;
  const torch::Tensor loss_value = loss.detach().to(torch::kFloat).reshape({1}).clone();
  const torch::Tensor stop_flag = torch::full({1}, stop_here ? 1.0f : 0.0f, loss_value.options());
  if (comm) {
    std::vector<torch::Tensor> all = grads;
    all.push_back(loss_value);
    all.push_back(stop_flag);
    comm->average(all, static_cast<std::size_t>(bucket_mb * 1024 * 1024));
  }
  const torch::Tensor norm = gradient_norm(grads);
  const torch::Tensor host = torch::cat({loss_value, norm, stop_flag}).to(torch::kCPU, torch::kDouble);
  const double* v = host.data_ptr<double>();
  return {v[0], v[1], v[2] > 0};  // any rank asked: everyone stops after the same step
}

// The steps since the last log line: mean loss and gradient norm, speed, time waiting for data.
class LogWindow {
 public:
  explicit LogWindow(const TrainLoader& loader) : loader_(loader) { restart(); }
  void add(double loss, double norm) {
    loss_ += loss;
    norm_ += norm;
    ++steps_;
  }
  bool empty() const { return steps_ == 0; }
  double mean_loss() const { return loss_ / steps_; }

  // TensorBoard scalars and (rank 0) a log line for the window, then a new window.
  void report(RunOutputs& outputs, int64_t step, double lr, int64_t samples_per_step) {
    const double elapsed = std::max(seconds_since(start_), 1e-9);
    const double waited = loader_.wait_seconds() - wait_start_;
    const double rate = steps_ * samples_per_step / elapsed;
    outputs.scalar("train/loss", mean_loss(), step);
    outputs.scalar("train/grad_norm", norm_ / steps_, step);
    outputs.scalar("train/lr", lr, step);
    outputs.scalar("train/samples_per_second", rate, step);
    outputs.scalar("train/data_wait_fraction", waited / elapsed, step);
    if (outputs.primary()) {
      WN_LOG(info) << "step " << step << ": loss " << mean_loss() << ", grad norm " << norm_ / steps_ << ", lr " << lr
                   << ", " << static_cast<int64_t>(rate) << " samples/s, data wait " << 100.0 * waited / elapsed << "%";
    }
    restart();
  }

 private:
  void restart() {
    loss_ = norm_ = 0;
    steps_ = 0;
    start_ = Clock::now();
    wait_start_ = loader_.wait_seconds();
  }
  const TrainLoader& loader_;
  double loss_ = 0, norm_ = 0;
  int steps_ = 0;
  Clock::time_point start_;
  double wait_start_ = 0;
};

// Shards must carry the audio recipe the model is trained for.
void check_shards_match(const Manifest& manifest, const AudioConfig& audio, const fs::path& data_dir) {
  const AudioConfig& made = manifest.config.audio;
  if (made.hop_length == audio.hop_length && made.n_mels == audio.n_mels && made.sample_rate == audio.sample_rate) return;
  auto recipe = [](const AudioConfig& a) {
    return std::to_string(a.sample_rate) + "/" + std::to_string(a.hop_length) + "/" + std::to_string(a.n_mels);
  };
  throw UserError(data_dir.string() + ": shards were made with sample_rate/hop_length/n_mels " + recipe(made) +
                  ", the config says " + recipe(audio));
}

// What evaluation needs from the training run.
struct Evaluation {
  const TrainerOptions& options;
  const Manifest& manifest;
  const torch::Device& device;
  RunOutputs& outputs;
};

// Quality, not only loss: the evaluation sample against its reference, with `wavenet eval`'s
// metrics, to the log and TensorBoard (valid/mcd_db, ...). Undefined figures (no frame voiced in
// both, no silence in the reference) are left out.
void log_copy_synthesis_metrics(const std::vector<float>& reference, const std::vector<float>& generated,
                                const Evaluation& e, int64_t step) {
  const AudioConfig& audio = e.options.config.audio;
  if (std::min(reference.size(), generated.size()) <= static_cast<std::size_t>(audio.n_fft / 2)) return;  // no whole frame
  const AudioComparison c = compare_audio(reference, generated, audio, audio.hop_length);
  const std::pair<const char*, double> figures[] = {
      {"log_mel_distance", c.log_mel_distance},     {"mcd_db", c.mcd_db},
      {"log_spectral_distance_db", c.log_spectral_distance_db}, {"f0_rmse_cents", c.f0_rmse_cents},
      {"f0_gross_error", c.f0_gross_error},         {"voicing_error", c.voicing_error},
      {"silence_floor_db", c.silence_floor_db}};
  std::ostringstream line;
  line << "step " << step << ": copy-synthesis";
  for (const auto& [name, value] : figures) {
    if (!std::isfinite(value)) continue;
    e.outputs.scalar(std::string("valid/") + name, value, step);
    line << " " << name << " " << value;
  }
  WN_LOG(info) << line.str();
}

// Copy-synthesis of the start of the first validation utterance with `model`'s reference
// generator, written as samples/step_<N>_<utterance>.wav and to TensorBoard beside the original.
void write_evaluation_sample(Model& model, const ValidationSet& valid, const Evaluation& e, int64_t step) {
  const Config& config = e.options.config;
  const TrainConfig& tc = config.train;
  const std::unique_ptr<Generator> generator = model.reference_generator();
  if (tc.eval_audio_seconds <= 0 || !generator) return;
  const ShardUtterance u = valid.utterance(0);
  const int hop = config.audio.hop_length;
  const int64_t frames = std::min<int64_t>(static_cast<int64_t>(u.mel.size()) / config.audio.n_mels,
                                           std::max<int64_t>(1, static_cast<int64_t>(tc.eval_audio_seconds * config.audio.sample_rate / hop)));
  LoaderOptions clip = training_loader_options(config, model.data_needs());
  clip.batch_size = 1;
  clip.crop_samples = frames * hop;
  const Batch b = valid.crop_batches(clip, 1).front();
  GenerationRequest request;
  if (config.model.local_conditioning) request.mel = b.mel.to(e.device);
  if (config.model.global_conditioning) request.labels = b.label.clamp_min(0).to(e.device);
  request.samples = frames * hop;
  const torch::Tensor audio = generator->generate(request, static_cast<uint64_t>(tc.seed)).cpu();
  // Both clips back from the model's time domain (gain, pre-emphasis) to plain audio, as synth writes it.
  std::vector<float> samples(audio.data_ptr<float>(), audio.data_ptr<float>() + audio.numel());
  EmphasisUndo(config.audio).apply(samples);
  const fs::path dir = e.options.run_dir / "samples";
  fs::create_directories(dir);
  write_wav(dir / ("step_" + std::to_string(step) + "_" + u.name.substr(u.name.rfind('/') + 1) + ".wav"), samples,
            config.audio.sample_rate);
  e.outputs.audio("valid/generated", samples, config.audio.sample_rate, step);
  std::vector<float> reference(u.audio.begin(), u.audio.begin() + std::min<int64_t>(static_cast<int64_t>(u.audio.size()), frames * hop));
  EmphasisUndo(config.audio).apply(reference);
  e.outputs.audio("valid/reference", reference, config.audio.sample_rate, step);
  const std::vector<float> reference_mel = config.model.local_conditioning
                                               ? std::vector<float>(u.mel.begin(), u.mel.begin() + frames * config.audio.n_mels)
                                               : std::vector<float>();
  if (samples.size() > static_cast<std::size_t>(config.audio.n_fft / 2)) {  // a whole frame to draw
    e.outputs.mel_figure(u.name, reference_mel, samples, config.audio, step);
  }
  if (tc.eval_metrics && config.model.local_conditioning) log_copy_synthesis_metrics(reference, samples, e, step);
}

// With the EMA weights (on a copy of the trained model): the validation loss, logged, and the
// evaluation sample. Nothing without a validation split.
std::optional<ValidationResult> evaluate_with_ema(const Model& trained, const WeightAverage& ema, const Evaluation& e, int64_t step) {
  const std::unique_ptr<Model> averaged = trained.clone();
  ema.copy_to(named_state(averaged->module()));
  averaged->module().eval();
  const ValidationSet valid(e.options.data_dir, e.manifest);
  if (valid.size() == 0) return std::nullopt;
  torch::NoGradGuard no_grad;
  const ValidationResult result = validate(*averaged, valid, e.options.config, e.device);
  e.outputs.scalar("valid/loss", result.loss, step);
  std::ostringstream line;
  line << "step " << step << ": validation loss " << result.loss;
  for (const auto& [name, value] : result.figures) {
    e.outputs.scalar("valid/" + name, value, step);
    line << ", " << name << " " << value;
  }
  WN_LOG(info) << line.str();
  write_evaluation_sample(*averaged, valid, e, step);
  return result;
}

}  // namespace

LoaderOptions training_loader_options(const Config& c, const DataNeeds& needs, int rank, int world_size) {
  LoaderOptions o;
  o.batch_size = c.train.batch_size;
  o.crop_samples = c.train.max_time_steps;
  o.context_frames = needs.context_frames;
  o.history_samples = needs.history_samples;
  o.sequential = needs.sequential;
  o.quantized_targets = needs.quantized_targets;
  o.f0 = needs.f0;
  o.targets = needs.targets;
  o.quantize_channels = c.model.quantize_channels;
  o.quantization = quantization_named(c.model.quantization);
  o.normalize_mel = c.data.normalize_mel;
  o.seed = static_cast<uint64_t>(c.train.seed);
  o.rank = rank;
  o.world_size = world_size;
  return o;
}

std::string resolve_device(const std::string& requested, int local_rank, int world_size) {
  const bool one_gpu_named = requested.rfind("cuda:", 0) == 0;
  if (one_gpu_named && world_size > 1) {
    throw UserError("train.device=" + requested + " names one GPU for " + std::to_string(world_size) +
                    " processes: use train.device=cuda (each process takes the GPU of its LOCAL_RANK)");
  }
  const bool wants_cuda = requested == "auto" ? torch::cuda::is_available() : requested.rfind("cuda", 0) == 0;
  if (!wants_cuda) return requested == "auto" ? "cpu" : requested;
  if (!torch::cuda::is_available()) throw UserError("train.device=" + requested + " but this LibTorch sees no CUDA device");
  if (one_gpu_named) return requested;
  // One GPU per process on a node; more processes than GPUs share them round-robin.
  const int visible = static_cast<int>(torch::cuda::device_count());
  return "cuda:" + std::to_string(local_rank % std::max(1, visible));
}

TrainerResult train(const TrainerOptions& options) {
  const Config& config = options.config;
  const TrainConfig& tc = config.train;
  const DistributedEnv& env = options.distributed;
  const bool primary = env.rank == 0;
  const torch::Device device(resolve_device(tc.device, env.local_rank, env.world_size));
  // The current device for the whole run: LibTorch and NCCL put anything made without an
  // explicit device (streams, workspaces, NCCL's communicators) there, not on GPU 0.
  std::optional<c10::DeviceGuard> device_guard;
  if (device.is_cuda()) device_guard.emplace(device);
  report_device_settings(device, tc);

  const Manifest manifest = read_manifest(options.data_dir);
  check_shards_match(manifest, config.audio, options.data_dir);

  std::unique_ptr<Communicator> comm;
  if (env.world_size > 1) {
    comm = Communicator::connect(env, device.is_cuda() ? device.index() : -1,
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
  const std::unique_ptr<Model> model = build_model(config, static_cast<int>(manifest.labels.size()));
  torch::nn::Module& module = model->module();
  CheckpointDirectory checkpoints(options.run_dir);
  if (!options.init_from.empty()) {
    if (checkpoints.latest()) {
      WN_LOG(info) << "the run resumes from its own checkpoints; --init " << options.init_from.string() << " only starts fresh runs";
    } else {
      initialise_weights(module, config, options.init_from);  // every rank reads it; rank 0's copy is broadcast below
    }
  }
  module.to(device);
  std::vector<std::pair<std::string, torch::Tensor>> params;
  for (const auto& p : module.named_parameters()) params.emplace_back(p.key(), p.value());
  std::vector<torch::Tensor> param_tensors;
  for (const auto& [name, p] : params) param_tensors.push_back(p);
  Adam adam(params, AdamSettings{tc.adam_beta1, tc.adam_beta2, tc.adam_eps, tc.weight_decay});
  WeightAverage ema(named_state(module), tc.ema_decay);

  if (primary) {
    if (const int removed = checkpoints.remove_stale_temporaries()) {
      WN_LOG(info) << "removed " << removed << " unfinished checkpoint write(s) of an interrupted run";
    }
  }
  TrainState state;
  state.config_yaml = config_to_yaml(config);
  state.model_type = config.model.type;
  state.labels = manifest.labels;
  state.mel_mean = manifest.mel_mean;
  state.mel_std = manifest.mel_std;
  state.target = manifest.target;
  bool have_checkpoint = false;  // known alike on every rank (no rank asks the file system later)
  if (const auto latest = checkpoints.latest()) {
    have_checkpoint = true;
    const TrainState resumed = load_training_checkpoint(*latest, module, adam, ema);
    state.step = resumed.step;
    state.loader_position = resumed.loader_position;
    restore_carried_state(*model, resumed, env, device, *latest);
    WN_LOG(info) << "resuming from " << latest->string() << " at step " << state.step;
  } else if (comm) {
    comm->broadcast(param_tensors, 0);  // every rank starts from rank 0's initialisation
  }
  WN_LOG(info) << "model " << model->describe() << "; device " << device.str();

  const DataNeeds needs = model->data_needs();
  TrainerResult result;
  LoaderOptions loader_options = training_loader_options(config, needs, env.rank, env.world_size);
  loader_options.pin_memory = device.is_cuda();
  TrainLoader loader(options.data_dir, manifest, loader_options, state.loader_position);
  const int64_t samples_per_step = static_cast<int64_t>(tc.batch_size) * tc.max_time_steps * env.world_size;

  result.first_step = state.step;
  std::unique_ptr<ProgressBar> progress;
  if (primary && options.show_progress && state.step < tc.max_steps) {
    ProgressOptions po;
    po.unit = "steps";
    // A wall-clock budget usually ends the run long before max_steps: then the bar counts steps
    // and shows the budget left instead of an ETA for steps that will never run.
    progress = std::make_unique<ProgressBar>("train", options.max_seconds > 0 ? 0 : tc.max_steps - state.step, po);
  }

  int64_t saved_step = state.step;
  // Every rank's carried state into rank 0's hands: a collective when the model carries state,
  // so every rank calls it at the same steps, and before rank 0's evaluation (the others would
  // otherwise wait in it for as long as the evaluation takes).
  auto collect = [&] {
    state.carried = gather_carried_state(*model, comm.get());
    state.carried_world = env.world_size;
  };
  auto write = [&] {
    saved_step = state.step;
    have_checkpoint = true;
    if (!primary) return;
    state.loader_position = loader.position();
    save_training_checkpoint(checkpoints.path_for(state.step), module, adam, ema, state);
    checkpoints.prune(tc.keep_last);
  };
  auto save = [&] {
    collect();
    write();
  };

  const Evaluation evaluation{options, manifest, device, outputs};
  auto evaluate = [&] {
    if (!primary) return;
    if (const auto valid = evaluate_with_ema(*model, ema, evaluation, state.step)) {
      result.validation_losses.emplace_back(state.step, valid->loss);
      result.validation_figures.emplace_back(state.step, valid->figures);
    }
  };

  const auto run_start = Clock::now();
  int consecutive_bad = 0;
  double throughput_seconds = 0;
  int64_t throughput_steps = 0;
  LogWindow window(loader);
  bool first_window = true;
  auto record_window = [&](double mean_loss) {
    if (first_window) result.first_loss = mean_loss;
    first_window = false;
    result.last_loss = mean_loss;
  };

  auto stop_asked = [&] {
    return (options.stop_requested && options.stop_requested->load()) ||
           (options.max_seconds > 0 && seconds_since(run_start) > options.max_seconds);
  };
  bool stop = !comm && stop_asked();  // with ranks, the flags travel with each step's gradients
  while (state.step < tc.max_steps) {
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
      loss = model->loss(batch, device);
    }  // autocast covers the forward only; backward runs in the dtypes the forward chose
    loss.backward();

    std::vector<torch::Tensor> grads;
    for (auto& p : param_tensors) grads.push_back(p.grad());
    const StepFigures figures = reduce_step(grads, loss, stop_asked(), comm.get(), tc.bucket_mb);
    stop = figures.stop;
    const double step_loss = figures.loss, norm = figures.norm;
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
    if (tc.grad_clip > 0 && norm > tc.grad_clip) scale_all(grads, tc.grad_clip / norm);
    adam.step(lr);
    ema.update(named_state(module));
    ++state.step;
    if (state.step > result.first_step + 1) {
      throughput_seconds += seconds_since(step_start);
      throughput_steps += 1;
    }
    window.add(step_loss, norm);
    if (progress) {
      char detail[96];
      if (options.max_seconds > 0) {
        const double left = std::max(0.0, options.max_seconds - seconds_since(run_start));
        std::snprintf(detail, sizeof detail, "loss %.4f, budget left %s", step_loss, format_duration(left).c_str());
      } else {
        std::snprintf(detail, sizeof detail, "loss %.4f", step_loss);
      }
      progress->set_detail(detail);
      progress->advance();
    }
    if (options.on_step) options.on_step(state.step);

    if (state.step % tc.log_every == 0 || state.step == tc.max_steps) {
      record_window(window.mean_loss());
      window.report(outputs, state.step, lr, samples_per_step);
    }
    const bool eval_now = tc.eval_every > 0 && state.step % tc.eval_every == 0;
    const bool save_now = state.step % tc.checkpoint_every == 0;
    if (save_now) collect();
    if (eval_now) evaluate();
    if (save_now) write();
    if (comm && (eval_now || save_now)) {
      // Only rank 0 evaluates and saves; the others must not time out in the next all-reduce.
      comm->wait_for_primary("step_" + std::to_string(state.step), kPrimaryWorkTimeout);
    }
  }
  if (progress) progress->finish();
  if (!window.empty()) {
    // A last, partial logging window still counts, and ends the curves where training ended
    // (a time budget stops between log steps).
    record_window(window.mean_loss());
    window.report(outputs, state.step, learning_rate(tc, state.step), samples_per_step);
  }
  if (saved_step != state.step || !have_checkpoint) save();
  if (comm) comm->barrier();
  result.last_step = state.step;
  result.samples_per_second = throughput_steps > 0 ? throughput_steps * samples_per_step / throughput_seconds : 0.0;
  return result;
}

namespace {

ValidationResult validate_split(Model& model, const Config& config, const std::filesystem::path& data_dir, const std::string& device) {
  const ValidationSet valid(data_dir, read_manifest(data_dir));
  if (valid.size() == 0) return {};
  const torch::Device where(device);
  model.module().to(where);
  model.module().eval();
  return validate(model, valid, config, where);
}

}  // namespace

double validation_loss(Model& model, const Config& config, const std::filesystem::path& data_dir, const std::string& device) {
  return validate_split(model, config, data_dir, device).loss;
}

NamedFigures validation_figures(Model& model, const Config& config, const std::filesystem::path& data_dir, const std::string& device) {
  return validate_split(model, config, data_dir, device).figures;
}

double benchmark_training(const Config& config, int steps, int warmup) {
  const TrainConfig& tc = config.train;
  const torch::Device device(resolve_device(tc.device, 0, 1));
  torch::manual_seed(static_cast<uint64_t>(tc.seed));
  const std::unique_ptr<Model> model = build_model(config, std::max(1, config.model.n_labels));
  model->module().to(device);
  std::vector<std::pair<std::string, torch::Tensor>> params;
  for (const auto& p : model->module().named_parameters()) params.emplace_back(p.key(), p.value());
  Adam adam(params, AdamSettings{});
  WeightAverage ema(named_state(model->module()), tc.ema_decay);
  std::vector<torch::Tensor> param_tensors;
  for (const auto& [name, p] : params) param_tensors.push_back(p);
  const DataNeeds needs = model->data_needs();
  Batch batch;
  const int64_t frames = tc.max_time_steps / config.audio.hop_length;
  batch.audio = torch::rand({tc.batch_size, needs.history_samples + tc.max_time_steps}) * 1.6 - 0.8;
  batch.target = needs.quantized_targets ? quantize_tensor(batch.audio, config.model.quantize_channels,
                                                           quantization_named(config.model.quantization))
                                         : batch.audio;
  batch.mel = torch::randn({tc.batch_size, frames + 2 * needs.context_frames, config.audio.n_mels});
  batch.label = torch::zeros({tc.batch_size}, torch::kLong);
  batch.reset = torch::ones({tc.batch_size}, torch::kBool);
  if (needs.f0) {
    batch.f0 = torch::rand({tc.batch_size, frames + 2 * needs.context_frames}) * 200 + 80;
    batch.f0_phase = torch::rand({tc.batch_size, frames + 2 * needs.context_frames});
  }
  double seconds = 0;
  for (int i = 0; i < warmup + steps; ++i) {
    const auto start = Clock::now();
    // A training step as train() makes it: forward, backward, the step's figures to the host,
    // clipping, Adam and the weight average.
    adam.zero_grad();
    torch::Tensor loss;
    {
      const AutocastScope autocast(device.is_cuda() && tc.amp);
      loss = model->loss(batch, device);
    }
    loss.backward();
    std::vector<torch::Tensor> grads;
    for (auto& p : param_tensors) grads.push_back(p.grad());
    const StepFigures figures = reduce_step(grads, loss, false, nullptr, tc.bucket_mb);
    if (tc.grad_clip > 0 && figures.norm > tc.grad_clip) scale_all(grads, tc.grad_clip / figures.norm);
    adam.step(1e-4);
    ema.update(named_state(model->module()));
    if (device.is_cuda()) torch::cuda::synchronize();
    if (i >= warmup) seconds += seconds_since(start);
  }
  return steps * static_cast<double>(tc.batch_size) * tc.max_time_steps / seconds;
}

}  // namespace wn
