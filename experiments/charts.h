#pragma once
// The charts the program draws from its own measurements: a run's training curves from its
// TensorBoard files (`wavenet plot`, the demo) and the generation benchmark's speeds (`bench
// --plot`, the demo).

#include <filesystem>
#include <string>
#include <vector>

#include "core/tensorboard_reader.h"
#include "nets/generation_bench.h"

namespace wn::cli {

struct CurvesFigure {
  std::filesystem::path out;
  std::vector<std::string> tags;  // more logged scalars, one chart each after loss and learning rate
  int width = 900;
  int height = 0;  // 0: 300 pixels per chart
};

// Training and validation loss (a log axis when they are positive and fall over a decade), the
// learning rate, then the tags. Throws UserError naming a tag the run did not log (and the ones it
// did), or a run with none of the three. Returns the number of charts.
std::size_t write_training_curves(const RunEvents& events, const std::string& run_name, const CurvesFigure& figure);

// Each case's speed as a bar in multiples of real time, on a log axis where real time is the 1 tick.
void write_speed_chart(const std::filesystem::path& out, const GenerationBenchReport& report, const std::string& title);

// How a case is named in tables and charts: the method, and how the engine ran one utterance.
std::string bench_case_label(const BenchCase& c);

}  // namespace wn::cli
