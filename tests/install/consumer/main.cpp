// Loads a preset through the installed library and prints its receptive field.
#include <iostream>

#include "core/config/config_io.h"
#include "nets/wavenet/receptive_field.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const wn::Config config = wn::resolve_config(std::filesystem::path(argv[1]));
  std::cout << "receptive field " << wn::receptive_field_samples(config.model) << "\n";
  return 0;
}
