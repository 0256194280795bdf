#include "dataio/audio_io.h"

#include <gtest/gtest.h>

#include "core/errors.h"
#include "tests/dataio/audio_fixtures.h"

namespace wn {
namespace {

using test::TempDir;

template <class F>
std::string io_error_of(F&& action) {
  return test::error_message<IoError>(std::forward<F>(action));
}

TEST(AudioIo, Pcm16RoundTripWithinOneStep) {
  TempDir dir;
  const auto samples = test::sine(440, 16000, 0.25);
  write_wav(dir / "a.wav", samples, 16000);
  const MonoAudio back = read_audio_mono(dir / "a.wav");
  EXPECT_EQ(back.sample_rate, 16000);
  ASSERT_EQ(back.samples.size(), samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    ASSERT_NEAR(back.samples[i], samples[i], 1.0 / 32768 + 1e-7) << i;
  }
}

TEST(AudioIo, FloatRoundTripIsExact) {
  TempDir dir;
  const auto samples = test::sine(440, 22050, 0.1);
  write_wav(dir / "a.wav", samples, 22050, WavEncoding::float32);
  EXPECT_EQ(read_audio_mono(dir / "a.wav").samples, samples);
}

TEST(AudioIo, ReadsEightAndTwentyFourBitAndFlac) {
  TempDir dir;
  const auto samples = test::sine(220, 8000, 0.2);
  test::write_audio(dir / "u8.wav", samples, 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_U8);
  test::write_audio(dir / "s24.wav", samples, 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
  test::write_audio(dir / "s16.flac", samples, 1, 8000, SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
  for (const auto& [name, tolerance] : {std::pair{"u8.wav", 1.0 / 128}, std::pair{"s24.wav", 1e-6},
                                        std::pair{"s16.flac", 1.0 / 32768}}) {
    const MonoAudio a = read_audio_mono(dir / name);
    ASSERT_EQ(a.samples.size(), samples.size()) << name;
    for (std::size_t i = 0; i < samples.size(); ++i) {
      ASSERT_NEAR(a.samples[i], samples[i], tolerance + 1e-7) << name << " sample " << i;
    }
  }
}

TEST(AudioIo, StereoIsMixedToMeanOfChannels) {
  TempDir dir;
  const std::vector<float> interleaved = {0.5f, -0.5f, 0.25f, 0.75f, -1.0f, 0.0f};
  test::write_audio(dir / "st.flac", interleaved, 2, 44100, SF_FORMAT_FLAC | SF_FORMAT_PCM_24);
  const MonoAudio a = read_audio_mono(dir / "st.flac");
  EXPECT_EQ(a.sample_rate, 44100);
  ASSERT_EQ(a.samples.size(), 3u);
  EXPECT_NEAR(a.samples[0], 0.0f, 1e-6);
  EXPECT_NEAR(a.samples[1], 0.5f, 1e-6);
  EXPECT_NEAR(a.samples[2], -0.5f, 1e-6);
}

TEST(AudioIo, ProbeReadsHeaderOnly) {
  TempDir dir;
  test::write_audio(dir / "st.wav", std::vector<float>(2 * 1000, 0.1f), 2, 48000,
                    SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  const AudioInfo info = probe_audio(dir / "st.wav");
  EXPECT_EQ(info.frames, 1000);
  EXPECT_EQ(info.channels, 2);
  EXPECT_EQ(info.sample_rate, 48000);
}

TEST(AudioIo, BrokenFilesGiveReasonWithPath) {
  TempDir dir;
  test::write_nan_wav(dir / "nan.wav", 16000);
  test::write_truncated_wav(dir / "trunc.wav", 16000);
  test::write_text(dir / "text.wav", "this is not audio\n");
  test::write_text(dir / "empty.wav", "");
  test::write_audio(dir / "zero.wav", {}, 1, 16000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);

  EXPECT_NE(io_error_of([&] { read_audio_mono(dir / "nan.wav"); }).find("nan.wav: non-finite sample"),
            std::string::npos);
  for (const char* name : {"trunc.wav", "text.wav", "empty.wav"}) {
    const std::string message = io_error_of([&] { read_audio_mono(dir / name); });
    EXPECT_NE(message.find(std::string(name) + ": cannot read audio"), std::string::npos) << message;
  }
  EXPECT_NE(io_error_of([&] { read_audio_mono(dir / "zero.wav"); }).find("no audio samples"),
            std::string::npos);
  EXPECT_NE(io_error_of([&] { read_audio_mono(dir / "missing.wav"); }).find("file not found"),
            std::string::npos);
}

TEST(AudioIo, DecodesFromMemoryAsFromAFile) {
  TempDir dir;
  const std::vector<float> tone = test::sine(440.0, 16000, 0.5);
  write_wav(dir / "t.wav", tone, 16000, WavEncoding::float32);
  const MonoAudio from_file = read_audio_mono(dir / "t.wav");
  const MonoAudio from_memory = decode_audio_mono(test::read_text(dir / "t.wav"), "t.wav");
  EXPECT_EQ(from_memory.samples, from_file.samples);
  EXPECT_EQ(from_memory.sample_rate, 16000);
  const std::string bytes = test::read_text(dir / "t.wav");
  EXPECT_NE(io_error_of([&] { decode_audio_mono(bytes.substr(0, 30), "cut.wav"); }).find("cut.wav: cannot read audio"),
            std::string::npos);
  EXPECT_NE(io_error_of([&] { decode_audio_mono("RIFF\n\x01junk", "junk.wav"); }).find("junk.wav: "), std::string::npos);
}

TEST(AudioIo, RecognisesAudioExtensions) {
  EXPECT_TRUE(has_audio_extension("a/b.WAV"));
  EXPECT_TRUE(has_audio_extension("x.flac"));
  EXPECT_FALSE(has_audio_extension("notes.txt"));
  EXPECT_FALSE(has_audio_extension("wav"));
}

}  // namespace
}  // namespace wn
