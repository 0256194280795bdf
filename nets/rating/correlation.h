#pragma once
// Agreement between a critic's scores and the targets it learned, as rating papers report it.

#include <vector>

namespace wn {

// Pearson's linear correlation; 0 when either side is constant or there are fewer than 2 pairs.
double pearson_correlation(const std::vector<double>& x, const std::vector<double>& y);
// Spearman's rank correlation: Pearson's of the ranks, tied values sharing their mean rank.
double spearman_correlation(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace wn
