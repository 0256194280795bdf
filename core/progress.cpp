#include "core/progress.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

namespace wn {
namespace {

double steady_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

constexpr int kBarWidth = 24;

}  // namespace

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long total = std::lround(seconds);
  const long h = total / 3600, m = (total / 60) % 60, s = total % 60;
  char buffer[32];
  if (h > 0) {
    std::snprintf(buffer, sizeof buffer, "%ld:%02ld:%02ld", h, m, s);
  } else {
    std::snprintf(buffer, sizeof buffer, "%ld:%02ld", m, s);
  }
  return buffer;
}

std::string format_si(double value) {
  static const char* suffixes[] = {"", "k", "M", "G", "T"};
  int index = 0;
  while (std::fabs(value) >= 1000.0 && index < 4) {
    value /= 1000.0;
    ++index;
  }
  char buffer[32];
  const int decimals = std::fabs(value) >= 100 || (index == 0 && value == std::floor(value)) ? 0
                       : std::fabs(value) >= 10                                             ? 1
                                                                                            : 2;
  std::snprintf(buffer, sizeof buffer, "%.*f%s", decimals, value, suffixes[index]);
  return buffer;
}

ProgressBar::ProgressBar(std::string label, int64_t total, ProgressOptions options)
    : label_(std::move(label)), total_(total), options_(std::move(options)) {
  if (!options_.clock) options_.clock = steady_seconds;
  if (!options_.out) options_.out = &std::cerr;
  interactive_ = options_.interactive.value_or(isatty(STDERR_FILENO) != 0);
  start_ = options_.clock();
  last_print_ = start_;
}

ProgressBar::~ProgressBar() { finish(); }

int64_t ProgressBar::count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return count_;
}

void ProgressBar::advance(int64_t n) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_) return;
  count_ += n;
  maybe_print(options_.clock());
}

void ProgressBar::set_detail(std::string detail) {
  std::lock_guard<std::mutex> lock(mutex_);
  detail_ = std::move(detail);
}

void ProgressBar::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_) return;
  const double now = options_.clock();
  const double elapsed = now - start_;
  std::ostringstream line;
  line << label_ << ": done " << count_ << " " << options_.unit << " in "
       << format_duration(elapsed);
  if (elapsed > 0) line << " (" << format_si(count_ / elapsed) << " " << options_.unit << "/s)";
  if (!detail_.empty()) line << ", " << detail_;
  if (interactive_) *options_.out << "\r\033[K";
  *options_.out << line.str() << "\n" << std::flush;
  finished_ = true;
}

std::string ProgressBar::status_line(double now) const {
  const double elapsed = std::max(now - start_, 1e-9);
  const double rate = count_ / elapsed;
  std::ostringstream line;
  line << label_ << ": ";
  if (total_ > 0) {
    const double fraction = std::min(1.0, static_cast<double>(count_) / total_);
    line << static_cast<int>(fraction * 100) << "% ";
    if (interactive_) {
      const int filled = static_cast<int>(fraction * kBarWidth);
      line << "[" << std::string(filled, '#') << std::string(kBarWidth - filled, '.') << "] ";
    }
    line << count_ << "/" << total_ << " " << options_.unit;
  } else {
    line << count_ << " " << options_.unit;
  }
  line << ", " << format_si(rate) << " " << options_.unit << "/s";
  if (total_ > 0) {
    const double remaining = rate > 0 ? (total_ - count_) / rate : NAN;
    line << ", ETA " << format_duration(remaining);
  }
  if (!detail_.empty()) line << ", " << detail_;
  return line.str();
}

void ProgressBar::maybe_print(double now) {
  const double interval = interactive_ ? options_.redraw_interval_s : options_.line_interval_s;
  if (now - last_print_ < interval) return;
  last_print_ = now;
  if (interactive_) {
    *options_.out << "\r\033[K" << status_line(now) << std::flush;
  } else {
    *options_.out << status_line(now) << "\n" << std::flush;
  }
}

}  // namespace wn
