#include "experiments/charts.h"

#include <algorithm>
#include <cmath>

#include "core/errors.h"
#include "dataio/figures/bar_chart.h"
#include "dataio/figures/line_charts.h"

namespace wn::cli {
namespace {

Series series_of(const RunEvents& events, const std::string& tag, const std::string& name) {
  Series s;
  s.name = name;
  const auto it = events.scalars.find(tag);
  if (it == events.scalars.end()) return s;
  for (const ScalarPoint& p : it->second) {
    s.x.push_back(static_cast<double>(p.step));
    s.y.push_back(p.value);
  }
  return s;
}

// A loss falling over decades reads best on a log axis; one that can be negative (a continuous
// likelihood) cannot have one.
bool wants_log_axis(const std::vector<Series>& series) {
  double lo = INFINITY, hi = 0;
  for (const Series& s : series) {
    for (double y : s.y) {
      if (!std::isfinite(y)) continue;
      if (y <= 0) return false;
      lo = std::min(lo, y);
      hi = std::max(hi, y);
    }
  }
  return hi > 10 * lo;
}

}  // namespace

std::size_t write_training_curves(const RunEvents& events, const std::string& run_name, const CurvesFigure& figure) {
  std::vector<LineChart> charts;
  LineChart loss{"loss: " + run_name, "step", "loss per sample", {}, false};
  for (const auto& [tag, name] : {std::pair{"train/loss", "training"}, std::pair{"valid/loss", "validation"}}) {
    Series s = series_of(events, tag, name);
    if (!s.x.empty()) loss.series.push_back(std::move(s));
  }
  loss.log_y = wants_log_axis(loss.series);
  if (!loss.series.empty()) charts.push_back(std::move(loss));
  Series lr = series_of(events, "train/lr", "learning rate");
  if (!lr.x.empty()) charts.push_back(LineChart{"learning rate", "step", "learning rate", {std::move(lr)}, false});
  for (const std::string& tag : figure.tags) {
    Series s = series_of(events, tag, tag);
    if (s.x.empty()) {
      std::string known;
      for (const auto& [name, points] : events.scalars) known += (known.empty() ? "" : ", ") + name;
      throw UserError("--tag " + tag + ": " + run_name + " logged no such scalar (it has " + known + ")");
    }
    const bool log_y = wants_log_axis({s});
    charts.push_back(LineChart{tag, "step", tag, {std::move(s)}, log_y});
  }
  if (charts.empty()) throw UserError(run_name + ": its TensorBoard files hold no train/loss, valid/loss or train/lr yet");
  const int height = figure.height > 0 ? figure.height : 300 * static_cast<int>(charts.size());
  write_line_charts(figure.out, charts, figure.width, height);
  return charts.size();
}

std::string bench_case_label(const BenchCase& c) {
  if (c.stream) return c.method + " (stream)";
  if (c.fold != 1) return c.method + " (fold " + std::to_string(c.fold) + ")";
  return c.method;
}

void write_speed_chart(const std::filesystem::path& out, const GenerationBenchReport& report, const std::string& title) {
  BarChart chart;
  chart.title = title;
  chart.y_label = "x real time (samples/s over the sample rate)";
  chart.log_y = true;
  for (const BenchCase& c : report.cases) {
    chart.labels.push_back(bench_case_label(c));
    chart.values.push_back(c.real_time_factor);
  }
  write_bar_chart(out, chart);
}

}  // namespace wn::cli
