#pragma once
// A progress bar for long loops: count, rate and ETA. On a terminal it redraws one line; when
// stderr is a file or a pipe (CI, nohup, SLURM logs) it prints a plain line every few seconds
// instead, so logs stay readable. Thread-safe: workers may call advance() concurrently.

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <mutex>
#include <optional>
#include <string>

namespace wn {

struct ProgressOptions {
  std::string unit = "it";
  std::ostream* out = nullptr;          // nullptr: std::cerr
  std::optional<bool> interactive;      // unset: true when stderr is a terminal
  double line_interval_s = 10.0;        // non-interactive: seconds between lines
  double redraw_interval_s = 0.1;       // interactive: seconds between redraws
  std::function<double()> clock;        // seconds; unset: a steady clock (tests inject one)
};

class ProgressBar {
 public:
  // total <= 0 means unknown: count and rate are shown, without percentage or ETA.
  ProgressBar(std::string label, int64_t total, ProgressOptions options = {});
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void advance(int64_t n = 1);
  // Extra text shown after the rate, e.g. "0.8 audio-h/s" or "loss 2.31".
  void set_detail(std::string detail);
  // Prints the final line (idempotent; also called by the destructor).
  void finish();

  int64_t count() const;

 private:
  std::string status_line(double now) const;
  void maybe_print(double now);

  std::string label_;
  int64_t total_;
  ProgressOptions options_;
  bool interactive_;
  double start_;
  double last_print_ = -1.0;
  int64_t count_ = 0;
  std::string detail_;
  bool finished_ = false;
  mutable std::mutex mutex_;
};

// "1:05" below an hour, "2:03:04" above.
std::string format_duration(double seconds);
// "950", "12.3k", "4.56M": three significant figures with an SI suffix.
std::string format_si(double value);

}  // namespace wn
