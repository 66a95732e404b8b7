#include "engine/status.h"

namespace gendan {

std::string Status::ToString() const {
  const char* name = "ok";
  switch (code_) {
    case Code::kOk: return "ok";
    case Code::kInvalidArgument: name = "invalid argument"; break;
    case Code::kNotFound: name = "not found"; break;
    case Code::kIoError: name = "I/O error"; break;
    case Code::kTryAgain: name = "try again"; break;
    case Code::kFatal: name = "fatal"; break;
  }
  return std::string(name) + ": " + message_;
}

}  // namespace gendan
