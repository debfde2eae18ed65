// The public headers as a user meets them: test_headers.cmake compiles each one alone into its
// own translation unit, and all of them into one more, so the link of this program proves that
// no header defines a symbol twice. This file includes the umbrella header, as a user would.
// At run time: version.hpp agrees with the CMake project's version (the package's version file
// is made from the latter, so the two must not drift apart).
#include <cstring>
#include <string>

#include "check.hpp"
#include "deltaprop/deltaprop.hpp"

int main() {
    CHECK(std::strcmp(DELTAPROP_VERSION_STRING, DELTAPROP_EXPECTED_VERSION) == 0);
    const std::string joined = std::to_string(DELTAPROP_VERSION_MAJOR) + "." +
                               std::to_string(DELTAPROP_VERSION_MINOR) + "." +
                               std::to_string(DELTAPROP_VERSION_PATCH);
    CHECK(joined == DELTAPROP_VERSION_STRING);
    return report("test_headers");
}
