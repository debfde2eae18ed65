// deltaprop/checks.hpp — checks of numeric arguments whose errors name the argument and show
// the value given, shared by FitOptions::validate and the single-step calls (gd_step, sgd_epoch).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace deltaprop {

/// v as Python prints a float: the shortest decimal that reads back as v ("0.1", "1.0",
/// "1e+20", "inf", "nan").
inline std::string number_text(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[40];
    for (int digits = 1; digits <= 17; ++digits) {
        std::snprintf(buf, sizeof buf, "%.*g", digits, v);
        if (std::strtod(buf, nullptr) == v) break;
    }
    std::string text = buf;
    if (text.find_first_of(".e") == std::string::npos) text += ".0";
    return text;
}

/// Throws std::invalid_argument("<name> must be <what>, got <value>") unless ok.
inline void require(bool ok, const std::string& name, const char* what, double value) {
    if (!ok) throw std::invalid_argument(name + " must be " + what + ", got " + number_text(value));
}

inline void require(bool ok, const std::string& name, const char* what, std::size_t value) {
    if (!ok) throw std::invalid_argument(name + " must be " + what + ", got " + std::to_string(value));
}

/// η: a positive finite step.
inline void check_learning_rate(double lr, const char* name = "lr") {
    require(std::isfinite(lr) && lr > 0, name, "a finite number > 0.0", lr);
}

}  // namespace deltaprop
