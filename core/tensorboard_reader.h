#pragma once
// Reading back the scalars and images of TensorBoard event files (ours, or any writer's
// `simple_value` and `image` summaries): every events.out.tfevents.* file of a run directory in the order they were
// started, so a resumed run's later files continue the earlier ones. `wavenet plot` draws them.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace wn {

struct ScalarPoint {
  int64_t step = 0;
  double wall_time = 0;  // seconds since the epoch
  float value = 0;
};

struct ImageRecord {
  int64_t step = 0;
  int width = 0, height = 0;
  std::string encoded;  // the PNG (or JPEG) file
};

struct RunEvents {
  std::map<std::string, std::vector<ScalarPoint>> scalars;  // by tag, in step order
  std::map<std::string, std::vector<ImageRecord>> images;   // by tag, in the order written
  std::vector<std::filesystem::path> files;                // the event files read
  int64_t records = 0;
  bool truncated = false;  // a file ended inside a record (a run killed while writing): its whole records are kept
};

// Throws IoError naming the file when `dir` has no event files, or a record's checksum does not
// match (the message gives the byte offset). A step logged twice (a resumed run repeating steps
// after its last checkpoint) keeps the later value.
RunEvents read_run_events(const std::filesystem::path& dir);

// The summaries of one event file's bytes, appended to `events`; `name` is for messages.
void read_event_records(const std::string& bytes, const std::string& name, RunEvents& events);

}  // namespace wn
