#include "nets/training/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace wn {

double learning_rate(const TrainConfig& t, int64_t step) {
  const double s = static_cast<double>(std::max<int64_t>(step, 1));
  const double warmup = static_cast<double>(std::max<int64_t>(t.warmup_steps, 1));
  if (t.lr_schedule == "step") return t.lr * std::pow(t.lr_decay_rate, std::floor(s / t.lr_decay_steps));
  if (t.lr_schedule == "noam") return t.lr * std::sqrt(warmup) * std::min(s * std::pow(warmup, -1.5), 1.0 / std::sqrt(s));
  if (t.lr_schedule == "cosine") {
    if (s < t.warmup_steps) return t.lr * s / warmup;
    const double span = std::max<double>(1.0, static_cast<double>(t.lr_decay_steps - t.warmup_steps));
    const double progress = std::clamp((s - t.warmup_steps) / span, 0.0, 1.0);
    return t.lr * 0.5 * (1.0 + std::cos(M_PI * progress));
  }
  return t.lr;
}

}  // namespace wn
