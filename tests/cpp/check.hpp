// check.hpp — a minimal test harness: CHECK(cond) records a failure with its line; main()
// returns the failure count, so ctest reports a non-zero exit.
#pragma once

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

inline int& failures() {
    static int n = 0;
    return n;
}

#define CHECK(cond)                                                                \
    do {                                                                           \
        if (!(cond)) {                                                             \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            ++failures();                                                          \
        }                                                                          \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                          \
    do {                                                                               \
        const double va_ = double(a), vb_ = double(b);                                 \
        if (!(std::fabs(va_ - vb_) <= (tol))) {                                        \
            std::fprintf(stderr, "%s:%d: %s = %.17g, %s = %.17g, differ by more than %g\n", \
                         __FILE__, __LINE__, #a, va_, #b, vb_, double(tol));           \
            ++failures();                                                              \
        }                                                                              \
    } while (0)

/// CHECK_THROWS(expr, Exception, "text"): expr throws Exception whose what() contains text.
#define CHECK_THROWS(expr, Exception, text)                                                   \
    do {                                                                                      \
        bool thrown_ = false;                                                                 \
        try {                                                                                 \
            (void)(expr);                                                                     \
        } catch (const Exception& e_) {                                                       \
            thrown_ = std::string(e_.what()).find(text) != std::string::npos;                 \
            if (!thrown_)                                                                     \
                std::fprintf(stderr, "%s:%d: message '%s' lacks '%s'\n", __FILE__, __LINE__, \
                             e_.what(), text);                                                \
        }                                                                                     \
        if (!thrown_) {                                                                       \
            std::fprintf(stderr, "%s:%d: %s did not throw %s\n", __FILE__, __LINE__, #expr,   \
                         #Exception);                                                         \
            ++failures();                                                                     \
        }                                                                                     \
    } while (0)

inline int report(const char* name) {
    if (failures() == 0) std::printf("%s: all checks passed\n", name);
    else std::printf("%s: %d check(s) failed\n", name, failures());
    return failures() == 0 ? 0 : 1;
}
