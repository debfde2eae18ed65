// deltaprop/data.hpp — a data set as the core sees it, and the checks of its shape against a
// network's layout and of its targets against the network's loss.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

#include "deltaprop/network.hpp"

namespace deltaprop {

/// A data set as the core sees it: N rows of inputs (N × d^(0)) and targets (N × d^(L)), both
/// row-major and contiguous. The core never copies it.
template <class T>
struct Data {
    const T* x = nullptr;
    const T* y = nullptr;
    std::size_t n = 0;
    /// Columns of x and y when known (0: not given, the caller vouches for d^(0) and d^(L)).
    std::size_t x_cols = 0, y_cols = 0;
};

/// Throws std::invalid_argument unless `data` holds rows and its known widths are those of
/// `layout`'s inputs and outputs.
template <class T>
void check_data(const Layout& layout, const Data<T>& data) {
    if (data.n == 0) throw std::invalid_argument("empty data: N = 0 rows");
    if (data.x == nullptr || data.y == nullptr) throw std::invalid_argument("data is null");
    if (data.x_cols != 0 && data.x_cols != layout.n_inputs())
        throw std::invalid_argument("x has " + std::to_string(data.x_cols) +
                                    " columns but the network has d0 = " +
                                    std::to_string(layout.n_inputs()) + " inputs");
    if (data.y_cols != 0 && data.y_cols != layout.n_outputs())
        throw std::invalid_argument("y has " + std::to_string(data.y_cols) +
                                    " columns but the network has dL = " +
                                    std::to_string(layout.n_outputs()) + " outputs");
}

/// check_data, and then the targets against the network's output θ and loss (parts.hpp's
/// check_targets: rows of probabilities for softmax, [0, 1] for logistic with cross-entropy).
template <class T>
void check_data(const Network<T>& net, const Data<T>& data) {
    check_data(net.layout(), data);
    check_targets(net.output(), net.loss(), data.y, data.n, net.layout().n_outputs());
}

}  // namespace deltaprop
