// What a first CUDA run would meet, checked on the CPU. LibTorch's `meta` device has shapes and
// devices but no data: an op that reads values on the host (`.item()`), or mixes a CPU tensor
// into device work, throws there as it would cost a synchronisation or crash on a GPU. So the
// device-sensitive paths that can run there (the output layers' loss and sampling, Adam, the
// weight average, clipping and the gradient norm) run on meta; what cannot in LibTorch 1.13
// (moving a module there, multinomial, convolution backward) is listed in docs/gpu.md. Beside
// them: random generators of the tensors' device, and a count of the host reads training makes
// per step.

#include <ATen/record_function.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <atomic>
#include <cstring>

#include "core/config/config_io.h"
#include "core/errors.h"
#include "nets/device_generator.h"
#include "nets/outputs/output_distribution.h"
#include "nets/training/adam.h"
#include "nets/training/ema.h"
#include "nets/training/multi_tensor.h"
#include "nets/training/trainer.h"
#include "tests/nets/training_fixtures.h"
#include "tests/test_support.h"

namespace wn {
namespace {

const torch::Device kMeta(torch::kMeta);

TEST(DeviceGenerator, IsOfTheTensorsDeviceAndSeeded) {
  torch::Generator a = seeded_generator(torch::kCPU, 5), b = seeded_generator(torch::kCPU, 5);
  EXPECT_EQ(a.device().type(), torch::kCPU);
  EXPECT_TRUE(torch::equal(torch::rand({4}, a), torch::rand({4}, b)));
  EXPECT_FALSE(seeded_generator(kMeta, 5).defined()) << "meta has no generators; its ops need none";
}

// The crash a first CUDA evaluation would hit ("Expected a 'cuda' device type for generator"),
// raised on any device: every output refuses a generator of another device type.
TEST(DeviceGenerator, SamplersRefuseAGeneratorOfAnotherDevice) {
  for (const char* output : {"softmax", "mol", "gaussian"}) {
    const Config c = resolve_config(std::nullopt, {std::string("model.output=") + output, "model.input=raw"});
    const auto distribution = make_output_distribution(c.model);
    const torch::Tensor out = torch::zeros({2, distribution->channels()}, torch::TensorOptions().device(kMeta));
    torch::Generator cpu = seeded_generator(torch::kCPU, 1);
    const std::string message =
        test::error_message<std::invalid_argument>([&] { distribution->sample(out, 1.0, cpu); });
    EXPECT_NE(message.find("cannot sample meta tensors"), std::string::npos) << output << ": " << message;
  }
}

// The output layers' sampling and the Gaussian's loss, as the LibTorch generators and training
// call them. LibTorch 1.13's meta device lacks what the rest needs: abs (mu-law targets of the
// softmax loss), where (the mixture's loss), multinomial (softmax sampling), convolutions and
// index_select (the model's forward), and its C++ Module::to cannot move a module there at all.
TEST(MetaDevice, OutputSamplingAndGaussianLoss) {
  const auto on_meta = torch::TensorOptions().device(kMeta);
  for (const char* output : {"mol", "gaussian"}) {
    const Config c = resolve_config(std::nullopt, {std::string("model.output=") + output, "model.input=raw"});
    const auto distribution = make_output_distribution(c.model);
    const torch::Tensor out = torch::zeros({2, distribution->channels()}, on_meta);
    torch::Generator generator = seeded_generator(kMeta, 3);
    const torch::Tensor sample = distribution->sample(out, 0.8, generator);
    EXPECT_EQ(sample.device().type(), torch::kMeta) << output;
    EXPECT_EQ(sample.sizes(), (std::vector<int64_t>{2})) << output;
  }
  const Config c = resolve_config(std::nullopt, {"model.output=gaussian", "model.input=raw"});
  const torch::Tensor loss =
      make_output_distribution(c.model)->loss(torch::zeros({2, 2, 16}, on_meta).requires_grad_(true), torch::zeros({2, 16}, on_meta));
  EXPECT_EQ(loss.device().type(), torch::kMeta);
  EXPECT_EQ(loss.dim(), 0);
}

TEST(MetaDevice, AdamWeightAverageAndClipping) {
  std::vector<std::pair<std::string, torch::Tensor>> params;
  for (int i = 0; i < 3; ++i) {
    torch::Tensor p = torch::zeros({4 + i, 3}, torch::TensorOptions().device(kMeta)).requires_grad_(true);
    p.mutable_grad() = torch::ones_like(p);
    params.emplace_back("p" + std::to_string(i), p);
  }
  Adam adam(params, AdamSettings{0.9, 0.999, 1e-8, 0.01});
  WeightAverage ema(params, 0.99);
  std::vector<torch::Tensor> grads;
  for (auto& [name, p] : params) grads.push_back(p.grad());
  EXPECT_EQ(gradient_norm(grads).device().type(), torch::kMeta);
  scale_all(grads, 0.5);
  adam.step(1e-3);
  ema.update(params);
  for (const auto& [name, p] : params) EXPECT_EQ(p.device().type(), torch::kMeta) << name;
  for (const auto& [name, t] : adam.state()) EXPECT_EQ(t.device().type(), torch::kMeta) << name;
}

TEST(TrainDevice, OneLineErrorsForCudaRequestsThatCannotWork) {
  EXPECT_EQ(resolve_device("cpu", 3, 4), "cpu");
  const std::string shared = test::error_message<UserError>([] { resolve_device("cuda:1", 0, 2); });
  EXPECT_NE(shared.find("names one GPU for 2 processes"), std::string::npos) << shared;
  if (torch::cuda::is_available()) GTEST_SKIP() << "this machine has a CUDA device";
  EXPECT_EQ(resolve_device("auto", 1, 2), "cpu");
  const std::string none = test::error_message<UserError>([] { resolve_device("cuda", 0, 1); });
  EXPECT_EQ(none, "train.device=cuda but this LibTorch sees no CUDA device");
}

TEST(GradientNorm, IsTheRootOfAllSquares) {
  const std::vector<torch::Tensor> grads = {torch::tensor({3.0f, 0.0f}), torch::tensor({{4.0f}, {12.0f}})};
  const torch::Tensor norm = gradient_norm(grads);
  EXPECT_EQ(norm.sizes(), (std::vector<int64_t>{1}));
  EXPECT_FLOAT_EQ(norm.item<float>(), 13.0f);
}

// Host reads: `.item()` is LibTorch's aten::_local_scalar_dense, a device synchronisation on a
// GPU. Counted through a RecordFunction callback while training runs on the CPU.
std::atomic<int64_t> g_host_reads{0};

std::unique_ptr<at::ObserverContext> count_host_reads(const at::RecordFunction& fn) {
  if (std::strcmp(fn.name(), "aten::_local_scalar_dense") == 0) ++g_host_reads;
  return nullptr;
}

int64_t host_reads_of(const std::function<void()>& work) {
  const at::CallbackHandle handle = at::addGlobalCallback(at::RecordFunctionCallback(count_host_reads));
  g_host_reads = 0;
  work();
  at::removeCallback(handle);
  return g_host_reads.load();
}

// Six more steps of a run must not add a host read per step (the old gradient norm read one
// per parameter tensor: 6 x 53 here).
TEST(HostSyncs, ATrainingStepReadsNoScalarsOneByOne) {
  test::TempDir dir;
  auto reads_for = [&](int steps) {
    const Config config = test::small_training_config(
        {"train.max_steps=" + std::to_string(steps), "train.log_every=100", "train.checkpoint_every=100"});
    test::write_small_corpus(dir / ("data" + std::to_string(steps)), config);
    TrainerOptions o;
    o.config = config;
    o.data_dir = dir / ("data" + std::to_string(steps));
    o.run_dir = dir / ("run" + std::to_string(steps));
    o.command_line = {"wavenet", "train"};
    o.show_progress = false;
    return host_reads_of([&] { train(o); });
  };
  const int64_t short_run = reads_for(2), long_run = reads_for(8);
  std::printf("host reads (.item()): %lld in a 2-step run, %lld in an 8-step run\n", static_cast<long long>(short_run),
              static_cast<long long>(long_run));
  EXPECT_LT(long_run - short_run, 6) << "fewer than one .item() per step";
}

// The callback sees `.item()` at all (so the count above can fail).
TEST(HostSyncs, TheCounterSeesItem) {
  const torch::Tensor t = torch::ones({3});
  EXPECT_EQ(host_reads_of([&] {
              for (int i = 0; i < 4; ++i) (void)t.sum().item<float>();
            }),
            4);
}

}  // namespace
}  // namespace wn
