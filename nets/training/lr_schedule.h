#pragma once
// Learning rate as a function of the step (1-based), for train.lr_schedule:
//   constant: lr
//   step:     lr * lr_decay_rate ^ floor(step / lr_decay_steps)
//   noam:     lr * warmup^0.5 * min(step * warmup^-1.5, step^-0.5)   (r9y9's default)
//   cosine:   linear warm-up to lr over warmup_steps, then half a cosine down to 0 at
//             lr_decay_steps
#include <cstdint>

#include "core/config/config.h"

namespace wn {

double learning_rate(const TrainConfig& train, int64_t step);

}  // namespace wn
