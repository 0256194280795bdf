// Error messages are one line whatever the input put in them.
#include <gtest/gtest.h>

#include "core/errors.h"

namespace wn {
namespace {

TEST(Errors, UserErrorMessagesAreOneLine) {
  const IoError error("shard.h5: utterance a\nb\rc\x01 has a problem\n");
  EXPECT_STREQ(error.what(), "shard.h5: utterance a\\nb\\x0dc\\x01 has a problem\\n");
  EXPECT_STREQ(ConfigError("model.layers: ünïcode stays").what(), "model.layers: ünïcode stays");
}

}  // namespace
}  // namespace wn
