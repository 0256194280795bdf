#pragma once
// Structured values drawn from a fuzzer's bytes, for harnesses that build their input (a shard,
// an edited checkpoint) rather than parse it. Running out of bytes yields zeros, so every input
// decodes to something.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

namespace wn::fuzz {

class FuzzBytes {
 public:
  FuzzBytes(const uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  std::size_t remaining() const { return size_ - used_; }

  template <class T>
  T any() {
    static_assert(std::is_integral_v<T>);
    T value{};
    const std::size_t n = std::min(sizeof(T), remaining());
    std::memcpy(&value, data_ + used_, n);
    used_ += n;
    return value;
  }

  // Uniform enough in [low, high] for steering a fuzzer.
  template <class T>
  T int_in(T low, T high) {
    const auto span = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
    const uint64_t raw = span < 256 ? any<uint8_t>() : span < 65536 ? any<uint16_t>() : any<uint64_t>();
    return static_cast<T>(static_cast<uint64_t>(low) + (span == UINT64_MAX ? raw : raw % (span + 1)));
  }

  bool flag() { return any<uint8_t>() & 1; }

  float real_in(float low, float high) { return low + (high - low) * static_cast<float>(any<uint16_t>()) / 65535.0f; }

  // A value of any magnitude, sign and kind (subnormal, huge, NaN or infinite included).
  template <class T>
  T real() {
    static_assert(std::is_floating_point_v<T>);
    using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
    const Bits bits = any<Bits>();
    T value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
  }

  std::string text(std::size_t most) {
    const std::size_t n = std::min(int_in<std::size_t>(0, most), remaining());
    std::string out(reinterpret_cast<const char*>(data_ + used_), n);
    used_ += n;
    return out;
  }

 private:
  const uint8_t* data_;
  std::size_t size_;
  std::size_t used_ = 0;
};

}  // namespace wn::fuzz
