#pragma once
namespace sharpscope {
/// "MAJOR.MINOR.PATCH+githash[-dirty]", generated at build time (cmake/version.cmake).
const char* tool_version();
}  // namespace sharpscope
