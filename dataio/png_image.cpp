#include "dataio/png_image.h"

#include <png.h>

#include <csetjmp>
#include <cstdio>

#include "core/atomic_file.h"
#include "core/errors.h"

namespace wn {

void write_png(const std::filesystem::path& path, const RgbImage& image) {
  if (image.width <= 0 || image.height <= 0) throw IoError(path.string() + ": nothing to plot");
  AtomicFile file(path);
  FILE* out = std::fopen(file.temp_path().c_str(), "wb");
  if (!out) throw IoError(path.string() + ": cannot create PNG");
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!png || !info || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    std::fclose(out);
    throw IoError(path.string() + ": libpng failed to write the image");
  }
  png_init_io(png, out);
  png_set_IHDR(png, info, static_cast<png_uint_32>(image.width), static_cast<png_uint_32>(image.height), 8,
               PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < image.height; ++y) {
    png_write_row(png, image.pixels.data() + static_cast<std::size_t>(y) * image.width * 3);
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  std::fclose(out);
  file.commit();
}

}  // namespace wn
