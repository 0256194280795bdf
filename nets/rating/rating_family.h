#pragma once
// The `rating` model family behind the nets/model.h seam: a critic of log-mel spectrograms
// trained by regression on the corpus's standardised target (data.target) or, with
// model.objective=classes, by cross-entropy over its labels. It generates no audio; it scores
// mels (Model::critic) for `wavenet rate` and `wavenet dream`.

#include <memory>
#include <string>

#include "core/config/config.h"
#include "nets/model.h"

namespace wn {

std::unique_ptr<Model> build_rating_model(const Config& config, int n_labels);
// What the critic sees, for `config show`.
std::string rating_config_summary(const Config& config);

}  // namespace wn
