#include "dataio/corpus.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>

#include "core/errors.h"
#include "core/strings.h"
#include "dataio/audio_io.h"

namespace wn {
namespace {

namespace fs = std::filesystem;

std::string without_extension(const fs::path& relative) {
  fs::path p = relative;
  p.replace_extension();
  return p.generic_string();
}

std::string column_label(const std::vector<std::string>& columns, const DataConfig& data,
                         const std::string& where) {
  if (data.label_column >= static_cast<int>(columns.size())) {
    throw UserError(where + ": no column " + std::to_string(data.label_column) +
                    " for data.label_column (line has " + std::to_string(columns.size()) + ")");
  }
  return trim(columns[static_cast<std::size_t>(data.label_column)]);
}

double number_in_column(const std::vector<std::string>& columns, int column, const char* key) {
  if (column >= static_cast<int>(columns.size())) {
    throw std::invalid_argument("no column " + std::to_string(column) + " for data." + key + " (the row has " +
                                std::to_string(columns.size()) + ")");
  }
  const std::string text = trim(columns[static_cast<std::size_t>(column)]);
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value)) {
    throw std::invalid_argument("column " + std::to_string(column) + " (data." + key + ") is '" + text +
                                "', not a finite number");
  }
  return value;
}

// Reads the row's target into `entry`, or records the row in `corpus.rejected`.
bool read_target(const std::vector<std::string>& columns, const DataConfig& data, const std::string& where,
                 CorpusEntry& entry, Corpus& corpus) {
  if (data.target == "none") return true;
  try {
    entry.target = target_of_row(columns, data);
    return true;
  } catch (const std::invalid_argument& e) {
    corpus.rejected.push_back({entry.path.string(), where + ": " + e.what()});
    return false;
  }
}

Corpus scan_directory(const fs::path& root, const DataConfig& data) {
  if (data.label_source == "column") {
    throw UserError(root.string() +
                    ": data.label_source=column needs a metadata.csv or a list file, not a plain directory");
  }
  if (data.target != "none") {
    throw UserError(root.string() + ": data.target=" + data.target +
                    " reads metadata columns: give a metadata.csv or a list file, not a plain directory");
  }
  Corpus corpus;
  corpus.layout = "directory";
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::follow_directory_symlink);
       it != fs::recursive_directory_iterator(); ++it) {
    if (!it->is_regular_file()) continue;
    if (!has_audio_extension(it->path())) {
      ++corpus.ignored_files;
      continue;
    }
    CorpusEntry entry;
    entry.path = it->path();
    entry.id = without_extension(fs::relative(it->path(), root));
    if (data.label_source == "folder") entry.label = it->path().parent_path().filename().string();
    corpus.entries.push_back(std::move(entry));
  }
  return corpus;
}

Corpus scan_ljspeech(const fs::path& root, const DataConfig& data) {
  Corpus corpus;
  corpus.layout = "ljspeech";
  const fs::path metadata = root / "metadata.csv";
  std::ifstream in(metadata);
  if (!in) throw IoError(metadata.string() + ": cannot read");
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (trim(line).empty()) continue;
    const std::vector<std::string> columns = split(line, '|');
    CorpusEntry entry;
    entry.id = trim(columns[0]);
    entry.path = root / "wavs" / (entry.id + ".wav");
    const std::string where = metadata.string() + ":" + std::to_string(line_number);
    if (data.label_source == "column") entry.label = column_label(columns, data, where);
    if (data.label_source == "folder") entry.label = root.filename().string();
    if (!read_target(columns, data, where, entry, corpus)) continue;
    corpus.entries.push_back(std::move(entry));
  }
  return corpus;
}

Corpus scan_list(const fs::path& list, const DataConfig& data) {
  Corpus corpus;
  corpus.layout = "list";
  std::ifstream in(list);
  if (!in) throw IoError(list.string() + ": cannot read");
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    const std::string trimmed = trim(line);
    if (trimmed.empty() || trimmed[0] == '#') continue;
    const std::vector<std::string> columns = split(trimmed, '|');
    fs::path path = trim(columns[0]);
    if (path.is_relative()) path = list.parent_path() / path;
    CorpusEntry entry;
    entry.path = path;
    entry.id = without_extension(fs::path(trim(columns[0])).relative_path());
    const std::string where = list.string() + ":" + std::to_string(line_number);
    if (data.label_source == "column") entry.label = column_label(columns, data, where);
    if (data.label_source == "folder") entry.label = path.parent_path().filename().string();
    if (!read_target(columns, data, where, entry, corpus)) continue;
    corpus.entries.push_back(std::move(entry));
  }
  return corpus;
}

}  // namespace

double target_of_row(const std::vector<std::string>& columns, const DataConfig& data) {
  if (data.target == "column") return number_in_column(columns, data.target_column, "target_column");
  if (data.target != "popularity") return 0.0;
  const double played = number_in_column(columns, data.played_column, "played_column");
  const double liked = number_in_column(columns, data.liked_column, "liked_column");
  if (played <= 0 || liked <= 0) {
    throw std::invalid_argument("popularity needs played > 0 and liked > 0, got played " + format_double(played) +
                                " and liked " + format_double(liked));
  }
  // The rate of likes per play, weighted by how many likes back it up (ln 1 = 0: one like says little).
  return liked / played * std::log(liked);
}

Corpus scan_corpus(const fs::path& input, const DataConfig& data) {
  if (!fs::exists(input)) throw UserError(input.string() + ": input not found");
  Corpus corpus;
  if (fs::is_directory(input)) {
    corpus = fs::exists(input / "metadata.csv") && fs::is_directory(input / "wavs")
                 ? scan_ljspeech(input, data)
                 : scan_directory(input, data);
  } else {
    corpus = scan_list(input, data);
  }
  std::sort(corpus.entries.begin(), corpus.entries.end(),
            [](const CorpusEntry& a, const CorpusEntry& b) { return a.id < b.id; });
  // Two files may map to one id (a.wav and a.flac): keep both, distinguished by extension.
  std::map<std::string, int> seen;
  for (const auto& e : corpus.entries) ++seen[e.id];
  for (auto& e : corpus.entries) {
    if (seen[e.id] > 1) e.id += e.path.extension().string();
  }
  return corpus;
}

}  // namespace wn
