// Event files written by EventWriter read back by read_run_events: scalars by tag in step order
// across the files of a resumed run, images with their size, a killed writer's half record
// tolerated, a damaged one named.

#include "core/tensorboard_reader.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/errors.h"
#include "core/tensorboard.h"
#include "tests/test_support.h"

namespace wn {
namespace {

namespace fs = std::filesystem;

std::string bytes_of(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

TEST(TensorBoardReader, ScalarsAndImagesComeBackByTag) {
  test::TempDir dir;
  {
    EventWriter w(dir.path());
    for (int step = 1; step <= 3; ++step) {
      w.add_scalar("train/loss", 4.0f / static_cast<float>(step), step);
      w.add_scalar("train/lr", 1e-3f, step);
    }
    w.add_audio("valid/generated", "RIFF....", 16000.0f, 2, 3);
    w.add_image("valid/mel", "\x89PNG fake", 640, 480, 3, 3);
  }
  const RunEvents events = read_run_events(dir.path());
  ASSERT_EQ(events.files.size(), 1u);
  EXPECT_FALSE(events.truncated);
  EXPECT_EQ(events.records, 1 + 6 + 2);  // the version record, 6 scalars, audio, image
  ASSERT_EQ(events.scalars.size(), 2u);  // the audio is not a scalar
  const auto& loss = events.scalars.at("train/loss");
  ASSERT_EQ(loss.size(), 3u);
  EXPECT_EQ(loss[2].step, 3);
  EXPECT_FLOAT_EQ(loss[2].value, 4.0f / 3.0f);
  EXPECT_GT(loss[0].wall_time, 1.6e9);
  ASSERT_EQ(events.images.at("valid/mel").size(), 1u);
  const ImageRecord& image = events.images.at("valid/mel")[0];
  EXPECT_EQ(image.step, 3);
  EXPECT_EQ(image.width, 640);
  EXPECT_EQ(image.height, 480);
  EXPECT_EQ(image.encoded, "\x89PNG fake");
}

// A resumed run writes a second file; steps it repeats after its last checkpoint replace the first file's.
TEST(TensorBoardReader, AResumedRunsLaterFileWinsForRepeatedSteps) {
  test::TempDir dir;
  {
    EventWriter w(dir.path());
    for (int step = 1; step <= 4; ++step) w.add_scalar("train/loss", 10.0f + static_cast<float>(step), step);
  }
  const fs::path first = fs::directory_iterator(dir.path())->path();
  // The same writer's bytes under a later start time, as the resumed process would name them.
  {
    EventWriter w(dir.path() / "later");
    for (int step = 3; step <= 5; ++step) w.add_scalar("train/loss", static_cast<float>(step), step);
  }
  const fs::path later = fs::directory_iterator(dir.path() / "later")->path();
  fs::rename(later, dir.path() / "events.out.tfevents.9999999999.host.2");
  fs::remove(dir.path() / "later");
  const auto loss = read_run_events(dir.path()).scalars.at("train/loss");
  ASSERT_EQ(loss.size(), 5u);
  EXPECT_FLOAT_EQ(loss[1].value, 12.0f);  // step 2: only in the first file
  EXPECT_FLOAT_EQ(loss[2].value, 3.0f);   // step 3: the later file's
  EXPECT_FLOAT_EQ(loss[4].value, 5.0f);
  EXPECT_TRUE(fs::exists(first));
}

TEST(TensorBoardReader, AKilledWritersHalfRecordIsDroppedADamagedOneIsNamed) {
  test::TempDir dir;
  fs::path file;
  {
    EventWriter w(dir.path());
    for (int step = 1; step <= 3; ++step) w.add_scalar("train/loss", 1.0f, step);
    file = w.path();
  }
  const std::string whole = bytes_of(file);
  write_bytes(file, whole.substr(0, whole.size() - 5));
  const RunEvents cut = read_run_events(dir.path());
  EXPECT_TRUE(cut.truncated);
  EXPECT_EQ(cut.scalars.at("train/loss").size(), 2u);

  std::string damaged = whole;
  damaged[damaged.size() - 10] ^= 0x40;  // inside the last record's data
  write_bytes(file, damaged);
  const std::string message = test::error_message<IoError>([&] { read_run_events(dir.path()); });
  EXPECT_NE(message.find(file.string() + ": damaged TensorBoard record at byte "), std::string::npos) << message;
  EXPECT_NE(message.find("data checksum"), std::string::npos) << message;
}

TEST(TensorBoardReader, ADirectoryWithoutEventFilesIsNamed) {
  test::TempDir dir;
  const std::string message = test::error_message<IoError>([&] { read_run_events(dir.path()); });
  EXPECT_NE(message.find(dir.path().string() + ": no TensorBoard event files"), std::string::npos) << message;
  EXPECT_NE(test::error_message<IoError>([&] { read_run_events(dir.path() / "missing"); }).find("not a run directory"), std::string::npos);
}

}  // namespace
}  // namespace wn
