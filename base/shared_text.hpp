#pragma once
/// Immutable JSON text shared by reference. A cached answer is handed to every request
/// that hits it, and a coalesced read's answer to every follower, without copying it.

#include <memory>
#include <string>
#include <string_view>

namespace takt {

class SharedText {
 public:
  SharedText() = default;
  SharedText(std::string text) : text_(std::make_shared<const std::string>(std::move(text))) {}  // NOLINT: implicit by design
  SharedText(const char* text) : SharedText(std::string(text)) {}                                 // NOLINT

  bool has_value() const { return text_ != nullptr; }
  explicit operator bool() const { return has_value(); }
  const std::string& operator*() const { return *text_; }
  const std::string* operator->() const { return text_.get(); }
  void reset() { text_.reset(); }

  friend bool operator==(const SharedText& a, std::string_view b) { return a && *a == b; }

 private:
  std::shared_ptr<const std::string> text_;
};

}  // namespace takt
